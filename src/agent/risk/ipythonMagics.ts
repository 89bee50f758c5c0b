/**
 * IPython's own syntax in a cell: `!cmd` and `%%bash` run shell commands, `%pip install`
 * installs packages, `%time`/`%%timeit` run Python, `%%writefile` writes a file. The kernel is
 * ipykernel, so the code the model proposes may use any of them.
 */
import { type RiskFinding, type RiskHit, isOutsideWorkingFolder, shown } from './riskTypes';
import { shellRisks } from './shellCommand';

/** Reads Python code, with lines counted from 1 in that code. */
export type PythonReader = (code: string) => RiskFinding[];

/** Line magics whose argument is a shell command. */
const SHELL_LINE_MAGICS = new Set(['system', 'sx', 'sc']);
/** Line magics that run the shell command of the same name. */
const ALIAS_LINE_MAGICS = new Set(['rm', 'rmdir', 'mv', 'cp', 'mkdir', 'pip', 'conda', 'mamba', 'micromamba', 'uv']);
/** Line magics that write a file named by their first argument. */
const FILE_LINE_MAGICS = new Set(['save', 'logstart', 'notebook']);

/**
 * The file a line magic writes, if any: `%save path …`, `%logstart path`, `%notebook path`,
 * `%store var >> path` (or `>`), `%history -f path` (also `%hist`).
 */
function writtenFile(name: string, args: string): string | undefined {
  const words = args.split(/\s+/).filter((word) => word !== '');
  if (FILE_LINE_MAGICS.has(name)) return words.find((word) => !word.startsWith('-'));
  if (name === 'store') return />>?\s*(\S+)/.exec(args)?.[1];
  // -f FILE, -fFILE, or -f in a cluster of short options (-nf FILE).
  if (name === 'history' || name === 'hist') return /(?:^|\s)-[a-zA-Z]*f\s*([^\s-]\S*)/.exec(args)?.[1];
  return undefined;
}
/** Magics whose argument (line) or body (cell) is Python that runs in the kernel. */
const PYTHON_MAGICS = new Set(['time', 'timeit', 'prun', 'capture', 'debug', 'memit', 'lprun', 'mprun']);
/** Cell magics that run their body in another program (`%%script` and its shortcuts). */
const SHELL_CELL_MAGICS = new Set(['bash', 'sh', 'zsh', 'script', 'system', '!', 'sx', 'perl', 'ruby', 'python', 'python2', 'python3', 'pypy', 'cmd', 'powershell', 'pwsh']);
/** Cell magics that write their body to a file. */
const FILE_CELL_MAGICS = new Set(['writefile', 'file']);

function magicName(text: string): { name: string; args: string } {
  const match = /^%%?(!|[\w.-]+)\s*([\s\S]*)$/.exec(text.trim());
  return { name: match?.[1] ?? '', args: match?.[2] ?? '' };
}

/** Lines of Python run inside a magic all count as the magic's line. */
function onLine(findings: readonly RiskFinding[]): RiskHit[] {
  return findings.map(({ category, reason }) => ({ category, reason }));
}

/** The risks of one escape line (it starts with `!` or `%`). */
export function escapeRisks(text: string, readPython: PythonReader): RiskHit[] {
  if (text.startsWith('!')) {
    const command = text.replace(/^!!?/, '').trim();
    const program = command.split(/\s+/)[0] ?? '';
    return [{ category: 'runsShell', reason: `runs shell commands (!${shown(program)})` }, ...shellRisks(command)];
  }
  if (text.startsWith('%%')) {
    // A cell magic below the first line is an IPython error, but say what it would do.
    const { name } = magicName(text);
    return SHELL_CELL_MAGICS.has(name) ? [{ category: 'runsShell', reason: `runs shell commands (%%${name})` }] : [];
  }
  const { name, args } = magicName(text);
  // `%sc -l files=ls`: the command follows the variable it is stored in.
  const command = name === 'sc' ? args.replace(/^(?:-\w+\s+)*\w+\s*=\s*/, '') : args;
  if (SHELL_LINE_MAGICS.has(name)) return [{ category: 'runsShell', reason: `runs shell commands (%${name})` }, ...shellRisks(command)];
  if (ALIAS_LINE_MAGICS.has(name)) return shellRisks(`${name} ${args}`);
  // Options like `-n 10` read as harmless Python, so the whole argument is read.
  if (PYTHON_MAGICS.has(name)) return onLine(readPython(args));
  if (name === 'run') return [{ category: 'runsDynamicCode', reason: 'runs another file (%run)' }];
  if (name === 'rerun') return [{ category: 'runsDynamicCode', reason: 'runs earlier input again (%rerun)' }];
  if (name === 'alias') {
    // `%alias nuke rm -rf`: later lines `nuke x` run the command; say so where it is defined.
    const [alias = '', ...command] = args.split(/\s+/);
    return [{ category: 'runsShell', reason: `defines a shell command (%alias ${shown(alias)})` }, ...shellRisks(command.join(' '))];
  }
  const written = writtenFile(name, args);
  if (written !== undefined && isOutsideWorkingFolder(written)) return [{ category: 'writesOutsideWorkspace', reason: `writes outside the working folder (${shown(written)})` }];
  return [];
}

/**
 * A one-line cell like `nuke ~/data` is not Python: IPython runs its first word as a magic or a
 * shell alias (one defined by `%alias` in an earlier action, or by `%rehashx`), so it may run
 * any command.
 */
export function unknownCommandRisks(line: string): RiskHit[] {
  const name = line.split(/\s+/)[0] ?? '';
  return [{ category: 'runsShell', reason: `may run a shell command (IPython runs "${shown(name)}" as an alias or magic)` }, ...shellRisks(line)];
}

/**
 * The risks of a cell that starts with a cell magic. Lines count from the header (line 1);
 * shell bodies are read line by line so each finding points at its own line.
 */
export function cellMagicRisks(header: string, body: string, readPython: PythonReader): RiskFinding[] {
  const { name, args } = magicName(header);
  if (PYTHON_MAGICS.has(name)) return readPython(body).map((finding) => ({ ...finding, line: finding.line + 1 }));
  if (SHELL_CELL_MAGICS.has(name)) {
    const findings: RiskFinding[] = [{ category: 'runsShell', reason: `runs shell commands (%%${name})`, line: 1 }];
    body.split('\n').forEach((line, index) => {
      for (const hit of shellRisks(line)) findings.push({ ...hit, line: index + 2 });
    });
    return findings;
  }
  if (FILE_CELL_MAGICS.has(name)) {
    const path = args.split(/\s+/).filter((word) => word !== '' && !word.startsWith('-')).pop();
    return path !== undefined && isOutsideWorkingFolder(path) ? [{ category: 'writesOutsideWorkspace', reason: `writes outside the working folder (${shown(path)})`, line: 1 }] : [];
  }
  // Other cell magics (%%html, %%sql, %%markdown…) hold text for another language: not read.
  return [];
}
