/**
 * Small helpers for AbortSignal-based cancellation, shared by the agent and the model providers.
 * No `vscode` import: the host converts CancellationTokens to AbortSignals at its edge.
 */

/** The error thrown when an operation is cancelled through its AbortSignal. */
export class AbortedError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'AbortError';
  }
}

/** Waits `ms`, or rejects with AbortedError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects with AbortedError as soon as `signal` aborts. The promise
 * itself is not cancelled: pass the signal to it too.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
