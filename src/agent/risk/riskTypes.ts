/**
 * The vocabulary of the risky-code check, shared by its parts. Kept apart from
 * `../riskyCode.ts` so the parts can use it without importing the module that imports them.
 */

/**
 * What a piece of code may do that deserves a person's look before it runs, even when the
 * user has chosen to run code without asking.
 */
export type RiskCategory =
  | 'deletesFiles' // also moves, which removes the original path
  | 'runsShell'
  | 'installsPackages' // install or uninstall, in the kernel's environment or the system's
  | 'networkWrite' // sends data or opens connections; plain downloads (GET) are not flagged
  | 'writesOutsideWorkspace' // writes to an absolute, home (~) or parent (..) path
  | 'changesEnvironment' // permissions, other processes, native code, the registry, sudo
  | 'runsDynamicCode'; // exec/eval of computed code, another file, computed imports

/** One reason to ask, before the line it was found on is attached. */
export interface RiskHit {
  readonly category: RiskCategory;
  /** User-facing, e.g. "deletes files (shutil.rmtree)". */
  readonly reason: string;
}

export interface RiskFinding extends RiskHit {
  /** 1-based line in the checked code. */
  readonly line: number;
}

/** Longest path or command shown inside a reason, so one finding stays one short line. */
const MAX_SHOWN = 60;

/** Shortens a path or command for a reason. */
export function shown(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_SHOWN ? oneLine : `${oneLine.slice(0, MAX_SHOWN - 1)}…`;
}

/** Temporary folders are outside the working folder but writing scratch files there is harmless. */
const HARMLESS_PREFIXES = ['/tmp/', '/var/tmp/', '/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty'];

/**
 * Whether a path written literally in code points outside the folder the kernel runs in:
 * absolute (POSIX, drive letter or UNC), in the home folder, or climbing out with `..`.
 * Temporary folders and the standard streams do not count.
 */
export function isOutsideWorkingFolder(path: string): boolean {
  const p = path.trim();
  if (p === '' || HARMLESS_PREFIXES.some((prefix) => p === prefix.replace(/\/$/, '') || p.startsWith(prefix))) return false;
  return (
    p.startsWith('/') ||
    p.startsWith('~') ||
    p.startsWith('\\\\') ||
    /^[A-Za-z]:[\\/]/.test(p) ||
    /^(\$HOME|\$\{HOME\}|%USERPROFILE%|%APPDATA%)/i.test(p) ||
    /(^|[\\/])\.\.([\\/]|$)/.test(p)
  );
}
