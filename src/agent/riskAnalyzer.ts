/**
 * The risky-code check, as the agent and the approval policy see it: a port. Under
 * auto-approve an action runs without asking only when the check understood all of it and
 * found it harmless (an allowlist); anything it cannot resolve is a finding, and asks.
 *
 * The analysis itself needs an exact reading of IPython: it lives in the kernel layer
 * (`src/kernel/riskCheckProcess.ts`, IPython's own input transformer and Python's `ast` in
 * the kernel's interpreter). This module keeps the vocabulary and the fail-closed wrapper, so
 * a check that is missing, crashed or slow makes the action ask, with the reason.
 */

/** Why an action needs a person's look before it runs, even with auto-approve on. */
export type RiskCategory =
  | 'deletesFiles' // also moves, which removes the original path
  | 'runsShell'
  | 'installsPackages'
  | 'networkWrite' // opens connections or reads from a location that may be remote
  | 'writesOutsideWorkspace' // or to a path the check cannot resolve
  | 'changesEnvironment' // working folder, environment variables, processes, permissions
  | 'runsDynamicCode' // exec/eval, code in strings, pickles, magics that run other code
  | 'unknownCode' // not on the allowlist, or a name the check cannot resolve
  | 'checkFailed'; // the check itself could not run

export interface RiskFinding {
  readonly category: RiskCategory;
  /** User-facing, e.g. "calls `posix.system`". */
  readonly reason: string;
  /** 1-based line in the checked code. */
  readonly line: number;
}

/**
 * Where an action's paths are judged. The two differ once an action moved the kernel
 * (`%cd`, `os.chdir`): a relative write then lands where the kernel is, not in the folder.
 */
export interface RiskCheckPlace {
  /** The folder writes must stay in (the notebook's workspace folder); without one every write asks. */
  readonly folder?: string;
  /** Where relative paths resolve: the kernel's working folder, as read just before; without one relative writes ask. */
  readonly workingFolder?: string;
  /** Without a working folder: why it could not be read, said on the card (e.g. "the kernel was busy"). */
  readonly workingFolderUnknown?: string;
}

/** Reads one action's code. Rejects when it cannot tell; callers use {@link analyzeFailingClosed}. */
export interface RiskAnalyzer {
  analyze(code: string, place: RiskCheckPlace, signal?: AbortSignal): Promise<RiskFinding[]>;
}

export const RISK_CATEGORIES: readonly RiskCategory[] = [
  'deletesFiles',
  'runsShell',
  'installsPackages',
  'networkWrite',
  'writesOutsideWorkspace',
  'changesEnvironment',
  'runsDynamicCode',
  'unknownCode',
  'checkFailed',
];

/**
 * Longest check time before the action asks instead: a last guard over any implementation,
 * generous enough for a first check that starts its helper (importing IPython); a warm check
 * takes milliseconds and implementations time out single checks sooner.
 */
export const DEFAULT_ANALYSIS_TIMEOUT_MS = 30_000;

/**
 * The findings for `code`, never a rejection: a check that fails or takes longer than
 * `timeoutMs` yields one `checkFailed` finding that says why, so the action asks.
 * An abort of `signal` still rejects (the turn is over).
 */
export async function analyzeFailingClosed(
  analyzer: RiskAnalyzer,
  code: string,
  place: RiskCheckPlace,
  signal?: AbortSignal,
  timeoutMs = DEFAULT_ANALYSIS_TIMEOUT_MS,
): Promise<RiskFinding[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`it took longer than ${String(timeoutMs)} ms`)), timeoutMs);
  });
  try {
    const findings = await Promise.race([analyzer.analyze(code, place, signal), timeout]);
    return findings.map(({ category, reason, line }) => ({ category, reason, line }));
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = error instanceof Error ? error.message : String(error);
    return [{ category: 'checkFailed', reason: `could not be checked (${why}), so it asks`, line: 1 }];
  } finally {
    clearTimeout(timer);
  }
}

/** The distinct reasons of a list of findings, in line order: what the approval card shows. */
export function riskReasons(findings: readonly RiskFinding[]): string[] {
  return [...new Set([...findings].sort((a, b) => a.line - b.line).map((finding) => finding.reason))];
}

/** Whether a value read from the helper is a finding (the helper is outside our types). */
export function isRiskFinding(value: unknown): value is RiskFinding {
  if (typeof value !== 'object' || value === null) return false;
  const { category, reason, line } = value as Record<string, unknown>;
  return typeof category === 'string' && (RISK_CATEGORIES as readonly string[]).includes(category) && typeof reason === 'string' && typeof line === 'number';
}
