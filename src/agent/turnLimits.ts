/**
 * The limits that keep one user request from running away: a cap on actions, a cap on failed
 * attempts in a row, and no running the same code twice in a row. Pure decisions over a small
 * counter record the loop keeps per turn.
 */
import type { ObservationStatus } from './agentPorts';

export const DEFAULT_MAX_ACTIONS_PER_TASK = 20;
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

export interface TurnCounters {
  readonly actionsRun: number;
  /** Failed actions and unusable replies since the last success. */
  readonly consecutiveFailures: number;
  /** The normalized code of the previous action (ran, skipped or rejected). */
  readonly previousCode: string | undefined;
}

export const NEW_TURN: TurnCounters = { actionsRun: 0, consecutiveFailures: 0, previousCode: undefined };

/**
 * Code compared for repetition: line endings, trailing spaces, blank lines, whole-line comments
 * and common indentation do not make code different.
 */
export function normalizeCode(code: string): string {
  const lines = code
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length), Number.MAX_SAFE_INTEGER);
  return lines.map((line) => line.slice(indent === Number.MAX_SAFE_INTEGER ? 0 : indent)).join('\n');
}

export type ProposalVerdict = 'allowed' | 'repeatedAction' | 'maxActions';

/** Whether a newly proposed action may go to the user for approval. */
export function checkProposal(counters: TurnCounters, code: string, maxActionsPerTask: number): ProposalVerdict {
  if (counters.previousCode !== undefined && normalizeCode(code) === counters.previousCode) return 'repeatedAction';
  if (counters.actionsRun >= maxActionsPerTask) return 'maxActions';
  return 'allowed';
}

/** Statuses that count as a failed attempt (a stop by the user does not). */
export function isFailedStatus(status: ObservationStatus): boolean {
  return status === 'error' || status === 'timeout' || status === 'died';
}

export function afterActionRan(counters: TurnCounters, code: string, status: ObservationStatus): TurnCounters {
  return {
    actionsRun: counters.actionsRun + 1,
    consecutiveFailures: isFailedStatus(status) ? counters.consecutiveFailures + 1 : 0,
    previousCode: normalizeCode(code),
  };
}

/** A skipped or rejected action: nothing ran, but proposing it again is still a repeat. */
export function afterActionNotRun(counters: TurnCounters, code: string): TurnCounters {
  return { ...counters, previousCode: normalizeCode(code) };
}

/** A reply that could not be used (malformed) counts as a failed attempt. */
export function afterMalformedReply(counters: TurnCounters): TurnCounters {
  return { ...counters, consecutiveFailures: counters.consecutiveFailures + 1 };
}

export function tooManyFailures(counters: TurnCounters, maxConsecutiveFailures: number): boolean {
  return counters.consecutiveFailures >= maxConsecutiveFailures;
}
