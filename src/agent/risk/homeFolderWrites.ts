/**
 * Writes into the home folder through a path computed at run time: `os.path.expanduser(…)`,
 * `Path.home()`, `Path('~/x').expanduser()`, `os.environ['HOME']`. The rules that read literal
 * paths cannot see these, and the home folder holds what a stray write hurts most (shell
 * start-up files, SSH keys, tool configuration).
 *
 * Read per statement of the masked source. A write counts when the home folder is where it
 * writes: in the path argument of `open(…, 'w')`, `df.to_csv(…)`, `shutil.copy(…)`, or in the
 * path a pathlib writer is called on (`(Path.home() / 'x').write_text(…)`), directly or through
 * a variable holding such a path. Data read from the home folder (`df = pd.read_csv(
 * expanduser('~/x.csv'))`) is not a path: writing it elsewhere is not flagged.
 */
import { callArguments, type MaskedSource, matchingClose, type Statement } from './pythonSource';
import type { RiskFinding } from './riskTypes';

/** Home expressions that need no string to recognise. */
const HOME_CALL = /\bexpanduser\s*\(|\bhome\s*\(\s*\)/;
/** Environment lookups; they name the home folder when the variable they read does. */
const ENVIRONMENT_LOOKUP = /\benviron\b|\bgetenv\s*\(/;
const HOME_VARIABLES = new Set(['HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME']);

/** Calls that write to the path given as an argument (open only with a writing mode). */
const ARGUMENT_WRITER = /(?:\.(?:to_csv|to_excel|to_parquet|to_json|to_pickle|to_feather|to_hdf|to_html|to_stata|savefig|savetxt|savez|savez_compressed|save)|\b(?:copy|copy2|copyfile|copytree|move|makedirs|symlink|open))\s*\(/g;
/** Calls that write only their second path (`move` also removes its first: all its paths count). */
const COPIES = /\b(?:copy|copy2|copyfile|copytree|symlink)\s*\($/;
/** pathlib methods that write to the path they are called on (`.open` only with a writing mode). */
const RECEIVER_WRITER = /\.(?:write_text|write_bytes|mkdir|touch|symlink_to|hardlink_to|open)\s*\(/g;
/** A file mode that writes: w, a, x or +, with the usual letters around. */
const WRITING_MODE = /^[rbt]*[wax+][rwxabt+U]*$/;
/** Functions whose result is still a path (or a path's text) built from their argument. */
const PATH_FUNCTIONS = new Set([
  'Path', 'PurePath', 'PosixPath', 'WindowsPath', 'home', 'expanduser', 'expandvars', 'join', 'joinpath', 'abspath', 'realpath', 'normpath',
  'resolve', 'absolute', 'with_name', 'with_suffix', 'dirname', 'str', 'fspath', 'getenv', 'get',
]);

const ASSIGNMENT = /^\s*([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)([\s\S]*)$/;

export function homeFolderWrites(source: MaskedSource): RiskFinding[] {
  const findings: RiskFinding[] = [];
  /** Variables that hold a path in the home folder. */
  const homePaths = new Set<string>();
  const literalsBetween = (start: number, end: number): string[] =>
    source.strings.filter((literal) => literal.start >= start && literal.end <= end).map((literal) => literal.value);
  const namesHome = (start: number, end: number): boolean => {
    const text = source.text.slice(start, end);
    return (
      HOME_CALL.test(text) ||
      (ENVIRONMENT_LOOKUP.test(text) && literalsBetween(start, end).some((value) => HOME_VARIABLES.has(value))) ||
      [...homePaths].some((name) => new RegExp(`(?<![\\w.])${name}\\b`).test(text))
    );
  };

  for (const statement of source.statements) {
    if (writesHome(source, statement, namesHome, literalsBetween)) {
      const text = source.text.slice(statement.start, statement.end);
      findings.push({ category: 'writesOutsideWorkspace', reason: 'writes outside the working folder (the home folder)', line: source.lineOf(statement.start + text.search(/\S/)) });
      continue;
    }
    // `target = Path.home() / '.bashrc'`: later writes to `target` write to the home folder.
    const assignment = ASSIGNMENT.exec(source.text.slice(statement.start, statement.end));
    if (assignment?.[1] === undefined || assignment[2] === undefined) continue;
    const valueStart = statement.end - assignment[2].length;
    if (isPathExpression(assignment[2]) && namesHome(valueStart, statement.end)) homePaths.add(assignment[1]);
    else homePaths.delete(assignment[1]);
  }
  return findings;
}

function writesHome(
  source: MaskedSource,
  statement: Statement,
  namesHome: (start: number, end: number) => boolean,
  literalsBetween: (start: number, end: number) => string[],
): boolean {
  const text = source.text.slice(statement.start, statement.end);
  const writesInMode = (open: number, close: number): boolean => literalsBetween(open, close).some((value) => WRITING_MODE.test(value));
  /** After the bracket that closes the one at `open`, within the statement. */
  const closingBracket = (open: number): number => Math.min(matchingClose(source.text, open) + 1, statement.end);
  for (const match of text.matchAll(ARGUMENT_WRITER)) {
    const open = statement.start + match.index + match[0].length - 1;
    const close = closingBracket(open);
    if (/open\s*\($/.test(match[0]) && !writesInMode(open, close)) continue;
    // A copy reads its first path and writes its second: copying a file from the home folder
    // into the project is fine.
    if (COPIES.test(match[0])) {
      const args = callArguments(source.text, open, close - 1);
      const destination = args.find((arg) => arg.keyword === 'dst') ?? args.filter((arg) => arg.keyword === undefined)[1];
      if (destination && namesHome(destination.start, destination.end)) return true;
      continue;
    }
    if (namesHome(open, close)) return true;
  }
  for (const match of text.matchAll(RECEIVER_WRITER)) {
    const open = statement.start + match.index + match[0].length - 1;
    if (/open\s*\($/.test(match[0]) && !writesInMode(open, closingBracket(open))) continue;
    if (namesHome(statement.start, statement.start + match.index)) return true;
  }
  return false;
}

/** A value that is still a path: not the result of a call that reads or builds something else. */
function isPathExpression(value: string): boolean {
  const call = /^\s*\(?\s*([A-Za-z_][\w.]*)\s*\(/.exec(value);
  if (!call?.[1]) return true;
  return PATH_FUNCTIONS.has(call[1].split('.').pop() ?? '');
}
