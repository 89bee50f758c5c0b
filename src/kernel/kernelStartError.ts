/**
 * Why a kernel could not start, as a reason the extension can act on:
 * - `pythonNotFound`: the interpreter path does not exist or cannot be run (pick another);
 * - `ipykernelMissing`: the interpreter runs but cannot import ipykernel (offer to install it);
 * - `crashed`: the bridge or kernel exited during startup (see the message and the log);
 * - `timedOut`: the kernel did not become ready in time.
 */
export type KernelStartFailure = 'pythonNotFound' | 'ipykernelMissing' | 'crashed' | 'timedOut';

/** A failed kernel start, with a message fit to show the user. */
export class KernelStartError extends Error {
  constructor(
    readonly reason: KernelStartFailure,
    message: string,
    /** The interpreter that was tried. */
    readonly pythonPath: string,
    /** For `ipykernelMissing`: the module that failed to import (usually `ipykernel`). */
    readonly missingModule?: string,
  ) {
    super(message);
    this.name = 'KernelStartError';
  }
}
