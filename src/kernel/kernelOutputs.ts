/**
 * The output model every execution route shares (our own bridge kernel, notebook cells run
 * through VS Code, remote Jupyter servers): what one piece of code printed, displayed and
 * raised, in the order it happened. No `vscode` here; routes convert into these types.
 */

/** Text written to stdout or stderr. Consecutive chunks of one stream are merged. */
export interface StreamOutput {
  readonly kind: 'stream';
  readonly name: 'stdout' | 'stderr';
  readonly text: string;
}

/**
 * A rich output: an `execute_result` (the value of the last expression, `isResult`) or a
 * `display_data`. `data` maps mime types to values exactly as Jupyter sent them: images stay
 * base64, and JSON mime types (`application/json`, `*+json`) are carried as JSON text.
 */
export interface DataOutput {
  readonly kind: 'data';
  readonly isResult: boolean;
  readonly executionCount?: number;
  readonly data: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Set when the output was displayed with a display id; a later update replaces it. */
  readonly displayId?: string;
}

/** An exception that reached the top level of the executed code. */
export interface ErrorOutput {
  readonly kind: 'error';
  readonly ename: string;
  readonly evalue: string;
  /** Lines as the kernel formats them (they usually contain ANSI colour escapes). */
  readonly traceback: readonly string[];
}

export type KernelOutput = StreamOutput | DataOutput | ErrorOutput;

/**
 * How an execution ended:
 * - `ok` / `error`: the code ran to completion or raised;
 * - `timeout`: it ran past its time limit and the kernel was interrupted;
 * - `interrupted`: someone interrupted the kernel while it ran;
 * - `died`: the kernel process exited (its state is gone);
 * - `cancelled`: the caller cancelled it, or it never ran (disposed, restarted, aborted).
 */
export type ExecutionStatus = 'ok' | 'error' | 'timeout' | 'interrupted' | 'died' | 'cancelled';

export interface ExecutionResult {
  readonly status: ExecutionStatus;
  readonly outputs: readonly KernelOutput[];
  readonly executionCount?: number;
  readonly durationMs: number;
  /**
   * True when the kernel ignored the interrupt after a timeout or cancel and had to be
   * restarted to free it: every variable and import is gone.
   */
  readonly kernelRestarted?: boolean;
}

/**
 * Merges consecutive stream chunks of the same name, as Jupyter does in a cell, so a loop
 * that prints a line at a time yields one output rather than thousands.
 */
export function mergeStreamChunks(outputs: readonly KernelOutput[]): KernelOutput[] {
  const collector = new OutputCollector();
  for (const output of outputs) collector.add(output);
  return collector.outputs;
}

/**
 * Accumulates the outputs of one execution the way a notebook cell shows them: stream
 * chunks merged, `clear_output` honoured (with `wait`, at the next output), display
 * updates applied in place.
 */
export class OutputCollector {
  private readonly collected: KernelOutput[] = [];
  private clearPending = false;

  /** The outputs so far; a copy, safe to keep. */
  get outputs(): KernelOutput[] {
    return [...this.collected];
  }

  add(output: KernelOutput): void {
    this.applyPendingClear();
    const last = this.collected[this.collected.length - 1];
    if (output.kind === 'stream' && last?.kind === 'stream' && last.name === output.name) {
      this.collected[this.collected.length - 1] = { ...last, text: last.text + output.text };
      return;
    }
    this.collected.push(output);
  }

  /** Whether this execution showed a display with `displayId`. */
  shows(displayId: string): boolean {
    return this.collected.some((existing) => existing.kind === 'data' && existing.displayId === displayId);
  }

  /** Replaces every earlier output shown with `displayId` (an `update_display_data`). */
  update(displayId: string, output: DataOutput): void {
    for (let i = 0; i < this.collected.length; i++) {
      const existing = this.collected[i];
      if (existing?.kind === 'data' && existing.displayId === displayId) {
        this.collected[i] = { ...output, isResult: existing.isResult, displayId };
      }
    }
  }

  /** `clear_output`: with `wait`, the clear happens when the next output arrives. */
  clear(wait: boolean): void {
    if (wait) {
      this.clearPending = true;
    } else {
      this.collected.length = 0;
      this.clearPending = false;
    }
  }

  private applyPendingClear(): void {
    if (this.clearPending) {
      this.collected.length = 0;
      this.clearPending = false;
    }
  }
}
