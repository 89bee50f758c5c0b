/**
 * Why a kernel could not start, as a reason the extension can act on.
 *
 * A local kernel (our bridge with the user's interpreter):
 * - `pythonNotFound`: the interpreter path does not exist or cannot be run (pick another);
 * - `ipykernelMissing`: the interpreter runs but cannot import ipykernel (offer to install it);
 * - `crashed`: the bridge or kernel exited during startup (see the message and the log);
 * - `timedOut`: the kernel did not become ready in time (local or remote).
 * - `untrusted`: the workspace is not trusted, and a kernel runs code from it (never started).
 *
 * A kernel on a Jupyter Server:
 * - `serverUnreachable`: nothing answered at the URL (wrong host or port, server down, TLS);
 * - `authFailed`: the server rejected the token (or sent us to a login page);
 * - `kernelNotFound`: the server has no such kernelspec, or no running kernel with that id;
 * - `serverError`: the server answered, but not as a Jupyter Server should (see the message).
 */
export type KernelStartFailure =
  | 'pythonNotFound'
  | 'ipykernelMissing'
  | 'crashed'
  | 'timedOut'
  | 'untrusted'
  | 'serverUnreachable'
  | 'authFailed'
  | 'kernelNotFound'
  | 'serverError';

/** A failed kernel start, with a message fit to show the user. */
export class KernelStartError extends Error {
  constructor(
    readonly reason: KernelStartFailure,
    message: string,
    /** The interpreter that was tried; empty for a remote kernel (see {@link serverUrl}). */
    readonly pythonPath: string,
    /** For `ipykernelMissing`: the module that failed to import (usually `ipykernel`). */
    readonly missingModule?: string,
    /** For a remote kernel: the server's base URL (never with its token). */
    readonly serverUrl?: string,
  ) {
    super(message);
    this.name = 'KernelStartError';
  }

  /** A failure to start a kernel on the Jupyter Server at `serverUrl`. */
  static forServer(reason: KernelStartFailure, message: string, serverUrl: string): KernelStartError {
    return new KernelStartError(reason, message, '', undefined, serverUrl);
  }
}
