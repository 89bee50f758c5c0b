/**
 * Writes into the home folder through a path computed at run time: `os.path.expanduser(…)`,
 * `Path.home()`, `Path('~/x').expanduser()`, `os.environ['HOME']`. The rules that read literal
 * paths cannot see these, and the home folder holds what a stray write hurts most (shell
 * start-up files, SSH keys, tool configuration).
 *
 * Read per statement of the masked source: a statement that writes (open for writing, a
 * pathlib or pandas writer, a copy) and names the home folder, directly or through a variable
 * assigned from it earlier in the cell.
 */
import type { MaskedSource, Statement } from './pythonSource';
import type { RiskFinding } from './riskTypes';

/** Home expressions that need no string to recognise. */
const HOME_CALL = /\bexpanduser\s*\(|\bhome\s*\(\s*\)/;
/** Environment lookups; they name the home folder when the variable they read does. */
const ENVIRONMENT_LOOKUP = /\benviron\b|\bgetenv\s*\(/;
const HOME_VARIABLES = new Set(['HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME']);

/** Calls that write to a path they are given or called on. */
const WRITER_CALL =
  /\.(?:write_text|write_bytes|to_csv|to_excel|to_parquet|to_json|to_pickle|to_feather|to_hdf|to_html|to_stata|savefig|savetxt|savez|savez_compressed|save|mkdir|touch|symlink_to|hardlink_to)\s*\(|\b(?:copy|copy2|copyfile|copytree|move|makedirs|symlink)\s*\(/;
/** `open(` (or `.open(`), whose mode decides whether it writes. */
const OPEN_CALL = /\bopen\s*\(/;
/** A file mode that writes: w, a, x or +, with the usual letters around. */
const WRITING_MODE = /^[rbt]*[wax+][rwxabt+U]*$/;

const ASSIGNMENT = /^\s*([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)([\s\S]*)$/;

export function homeFolderWrites(source: MaskedSource): RiskFinding[] {
  const findings: RiskFinding[] = [];
  const homeNames = new Set<string>();
  const literalsOf = (statement: Statement): string[] =>
    source.strings.filter((literal) => literal.start >= statement.start && literal.end <= statement.end).map((literal) => literal.value);
  const namesHome = (text: string, literals: readonly string[]): boolean =>
    HOME_CALL.test(text) ||
    (ENVIRONMENT_LOOKUP.test(text) && literals.some((value) => HOME_VARIABLES.has(value))) ||
    [...homeNames].some((name) => new RegExp(`(?<![\\w.])${name}\\b`).test(text));

  for (const statement of source.statements) {
    const text = source.text.slice(statement.start, statement.end);
    const literals = literalsOf(statement);
    const home = namesHome(text, literals);
    const writes = WRITER_CALL.test(text) || (OPEN_CALL.test(text) && literals.some((value) => WRITING_MODE.test(value)));
    if (home && writes) {
      findings.push({ category: 'writesOutsideWorkspace', reason: 'writes outside the working folder (the home folder)', line: source.lineOf(statement.start + text.search(/\S/)) });
    }
    // `target = Path.home() / '.bashrc'`: later writes to `target` write to the home folder.
    const assignment = ASSIGNMENT.exec(text);
    if (assignment?.[1] !== undefined && assignment[2] !== undefined) {
      if (!writes && namesHome(assignment[2], literals)) homeNames.add(assignment[1]);
      else homeNames.delete(assignment[1]);
    }
  }
  return findings;
}
