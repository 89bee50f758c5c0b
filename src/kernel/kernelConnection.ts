/**
 * What the extension needs from a kernel, wherever it runs: our own ipykernel on this machine
 * (`PythonKernelProcess`) or a kernel on a Jupyter Server (`RemoteKernelConnection`).
 * No `vscode` import: the notebook and agent layers hold a `KernelConnection` and never care
 * which kind it is.
 */
import type { ExecutionResult, KernelOutput } from './kernelOutputs';

export type KernelLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Where kernel diagnostics go (the extension passes its `[Kernel]` logger). */
export type KernelLogSink = (level: KernelLogLevel, message: string) => void;

export interface ExecuteOptions {
  /** Aborting cancels a queued execution, or interrupts a running one ('cancelled'). */
  readonly signal?: AbortSignal;
  /**
   * Interrupts the kernel after this long ('timeout'); outputs so far are kept. The clock
   * starts when the code starts, not while it waits behind other code.
   */
  readonly timeoutMs?: number;
  /** Called once, when the code is handed to the kernel (everything queued before it is done). */
  readonly onStart?: () => void;
  /**
   * Each output as it arrives (stream text in chunks). `isUpdate`: an `update_display_data`
   * that replaces the earlier outputs with the same `displayId` rather than adding one.
   */
  readonly onOutput?: (output: KernelOutput, isUpdate: boolean) => void;
  /** The code cleared its outputs (`clear_output`); with `wait`, at the next output. */
  readonly onClearOutput?: (wait: boolean) => void;
  /**
   * A probe of CodeAct's own (listing variables, say): Jupyter's `silent` execution, which
   * leaves the execution count and the history alone. Stream output still arrives.
   */
  readonly silent?: boolean;
}

/**
 * What the running kernel is. Fields that only a local kernel can know (its process id, the
 * interpreter's path) are optional; a local kernel narrows them (see `LocalKernelInfo`).
 */
export interface KernelInfo {
  /** The kernel's process id, when it runs on this machine. */
  readonly pid?: number;
  /** The interpreter's path, when it runs on this machine. */
  readonly pythonExecutable?: string;
  /** The language version the kernel reports (`language_info.version`), e.g. "3.11.2". */
  readonly pythonVersion: string;
  /** e.g. "ipython 8.5.0". */
  readonly implementation: string;
  readonly banner: string;
}

/**
 * A kernel the extension runs code in. Executions are queued and never interleaved: each
 * runs after every execution queued before it, and ends with an {@link ExecutionResult} whose
 * status says how (ok, error, timeout, interrupted, died, cancelled). `execute` never rejects
 * for what the code does.
 */
export interface KernelConnection {
  /** True while a kernel is up and accepting code. */
  readonly isAlive: boolean;
  /** True while code runs or waits to run (a probe would have to wait behind it). */
  readonly isBusy: boolean;
  /** The current kernel, once started. */
  readonly info: KernelInfo | undefined;
  /** Starts the kernel; rejects with a `KernelStartError`. Idempotent once ready. */
  start(): Promise<KernelInfo>;
  /** Runs `code` after everything queued before it; see {@link ExecuteOptions}. */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult>;
  /** Interrupts the running code (its result is 'interrupted' unless it finishes anyway). */
  interrupt(): void;
  /** A fresh kernel (state lost); pending executions resolve 'cancelled'. Works after death. */
  restart(): Promise<KernelInfo>;
  /** Shuts the kernel down; pending executions resolve 'cancelled'. */
  dispose(): Promise<void>;
  /** Fires when the kernel dies unexpectedly (not on dispose). */
  onDidDie(listener: () => void): { dispose(): void };
}
