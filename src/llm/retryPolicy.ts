/**
 * When to retry a failed model request and how long to wait first. Pure, so every case is tested.
 *
 * Only transient failures are retried: 429 (but not an exhausted quota), 5xx other than 501,
 * dropped connections and timeouts. A server's Retry-After is honoured exactly; otherwise the
 * wait doubles from `initialDelayMs` with ±25 % jitter. Retries stop after `maxRetries`, or when
 * the total wait would pass `maxTotalWaitMs`, or when the server asks for more than
 * `maxRetryAfterMs` (better to tell the user than to sit silent for minutes).
 */
import type { ModelFailure } from './modelFailure';

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxTotalWaitMs: number;
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 4,
  initialDelayMs: 1_000,
  maxDelayMs: 20_000,
  maxTotalWaitMs: 60_000,
  maxRetryAfterMs: 60_000,
};

/** Whether a failure of this kind can succeed on a second try. */
export function isTransient(failure: ModelFailure): boolean {
  switch (failure.kind) {
    case 'rateLimited':
    case 'connectionLost':
    case 'timeout':
      return true;
    case 'server':
      return failure.status !== 501;
    default:
      return false;
  }
}

/**
 * The delay before retry number `retriesSoFar + 1`, or undefined when the failure is final.
 * `random` returns [0, 1) and only shapes the jitter.
 */
export function retryDelayMs(
  failure: ModelFailure,
  retriesSoFar: number,
  waitedSoFarMs: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | undefined {
  if (!isTransient(failure) || retriesSoFar >= policy.maxRetries) return undefined;
  let delay: number;
  if (failure.retryAfterMs !== undefined) {
    if (failure.retryAfterMs > policy.maxRetryAfterMs) return undefined;
    delay = failure.retryAfterMs;
  } else {
    const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retriesSoFar);
    delay = Math.round(exponential * (0.75 + 0.5 * random()));
  }
  if (waitedSoFarMs + delay > policy.maxTotalWaitMs) return undefined;
  return delay;
}
