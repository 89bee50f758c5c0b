/**
 * The execution queue every kernel kind shares, so that a local and a remote kernel queue,
 * time out, cancel and report exactly alike: one execution at a time, in the order they were
 * asked for; a timeout or cancel interrupts the kernel and, if the code ignores the interrupt,
 * restarts it; every execution ends with one {@link ExecutionResult}.
 *
 * The kernel side plugs in through an {@link ExecutionRunner} and reports back through
 * {@link ExecutionQueue.addOutput}, {@link ExecutionQueue.complete} and friends.
 */
import type { ExecuteOptions, KernelLogSink } from './kernelConnection';
import { OutputCollector, type ExecutionResult, type ExecutionStatus, type KernelOutput } from './kernelOutputs';

/** How a kernel reported an execution's end: its `execute_reply` status, or that it died. */
export type KernelReplyStatus = 'ok' | 'error' | 'aborted' | 'died';

/** An execution as the runner sees it: match outputs to it by `id` or by identity. */
export interface QueuedExecution {
  readonly id: string;
  readonly code: string;
  /** Jupyter's silent execution (see ExecuteOptions.silent). */
  readonly silent: boolean;
}

/** What the queue needs from the kernel it feeds. */
export interface ExecutionRunner {
  /** True when the kernel can take code now. */
  canRun(): boolean;
  /** Sends the code to the kernel; outputs and the end come back through the queue. */
  run(execution: QueuedExecution): void;
  /** Interrupts the kernel, for a timeout or a cancel. */
  interrupt(): void;
  /**
   * The code ignored the interrupt: restart the kernel to free it. Must make {@link canRun}
   * false before returning, so the next execution is not sent to the stuck kernel; the
   * runner calls {@link ExecutionQueue.runNext} once the fresh kernel is ready.
   */
  restartStuckKernel(): void;
}

export interface ExecutionQueueOptions {
  /**
   * After a timeout or cancel interrupts the kernel, how long the code gets to stop before
   * the kernel is restarted to free it. Default 5 s.
   */
  readonly interruptGraceMs?: number;
  readonly log: KernelLogSink;
}

interface Execution extends QueuedExecution {
  readonly options: ExecuteOptions;
  readonly resolve: (result: ExecutionResult) => void;
  readonly collector: OutputCollector;
  startedAt: number;
  /** Why we interrupted it, when we did. */
  stopReason?: 'timeout' | 'cancelled' | 'interrupted';
  timers: ReturnType<typeof setTimeout>[];
  removeAbortListener?: () => void;
}

const DEFAULT_INTERRUPT_GRACE_MS = 5_000;

export class ExecutionQueue {
  private readonly queue: Execution[] = [];
  private current: Execution | undefined;
  private nextExecutionId = 1;

  constructor(
    private readonly runner: ExecutionRunner,
    private readonly options: ExecutionQueueOptions,
  ) {}

  /** The execution the kernel is running now. */
  get running(): QueuedExecution | undefined {
    return this.current;
  }

  /** True while code runs or waits to run. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /**
   * Queues `code`. With `refuse`, it resolves at once with that status and never runs (the
   * kernel is dead or disposed).
   */
  enqueue(code: string, options: ExecuteOptions, refuse?: 'cancelled' | 'died'): Promise<ExecutionResult> {
    return new Promise((resolve) => {
      const execution: Execution = {
        id: `x${this.nextExecutionId++}`,
        code,
        silent: options.silent ?? false,
        options,
        resolve,
        collector: new OutputCollector(),
        startedAt: Date.now(),
        timers: [],
      };
      if (refuse) return this.finish(execution, refuse);
      if (options.signal?.aborted) return this.finish(execution, 'cancelled');
      if (options.signal) {
        const onAbort = (): void => this.cancel(execution);
        options.signal.addEventListener('abort', onAbort, { once: true });
        execution.removeAbortListener = () => options.signal?.removeEventListener('abort', onAbort);
      }
      this.queue.push(execution);
      this.runNext();
    });
  }

  /** Hands the next execution to the kernel, if it is free and can run code. */
  runNext(): void {
    if (this.current || !this.runner.canRun()) return;
    const execution = this.queue.shift();
    if (!execution) return;
    this.current = execution;
    execution.startedAt = Date.now();
    const { timeoutMs } = execution.options;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      execution.timers.push(setTimeout(() => this.stop(execution, 'timeout'), timeoutMs));
    }
    try {
      execution.options.onStart?.();
    } catch (error) {
      this.options.log('error', `onStart failed: ${String(error)}`);
    }
    this.runner.run(execution);
  }

  /** An output of `execution`; ignored unless it is the one running. */
  addOutput(execution: QueuedExecution, output: KernelOutput, isUpdate: boolean): void {
    const running = this.current;
    if (!running || running !== execution) return;
    if (isUpdate && output.kind === 'data' && output.displayId !== undefined) {
      running.collector.update(output.displayId, output);
    } else {
      running.collector.add(output);
    }
    try {
      running.options.onOutput?.(output, isUpdate);
    } catch (error) {
      this.options.log('error', `onOutput listener failed: ${String(error)}`);
    }
  }

  /** `clear_output` from `execution`; ignored unless it is the one running. */
  clearOutput(execution: QueuedExecution, wait: boolean): void {
    const running = this.current;
    if (!running || running !== execution) return;
    running.collector.clear(wait);
    running.options.onClearOutput?.(wait);
  }

  /** The kernel finished `execution`; the next one starts. Ignored unless it is running. */
  complete(execution: QueuedExecution, status: KernelReplyStatus, executionCount?: number): void {
    const running = this.current;
    if (!running || running !== execution) return;
    this.finish(running, statusOf(running, status), executionCount);
  }

  /** Someone interrupted the kernel: the running execution ends 'interrupted' if it stops. */
  markInterrupted(): void {
    if (this.current && !this.current.stopReason) this.current.stopReason = 'interrupted';
  }

  /** Ends every execution with `status`: the queued ones first, then the running one. */
  endAll(status: 'cancelled' | 'died'): void {
    // The queue first: finishing the running one would otherwise start the next.
    this.endQueued(status);
    if (this.current) this.finish(this.current, status);
  }

  /** Ends the executions that have not started with `status`. */
  endQueued(status: ExecutionStatus): void {
    for (const execution of this.queue.splice(0)) this.finish(execution, status);
  }

  /** Interrupts a running execution for `reason`; if it won't stop, restarts the kernel. */
  private stop(execution: Execution, reason: 'timeout' | 'cancelled'): void {
    if (this.current !== execution || execution.stopReason === 'timeout' || execution.stopReason === 'cancelled') return;
    execution.stopReason = reason;
    this.options.log('info', `${reason === 'timeout' ? 'execution timed out' : 'execution cancelled'}; interrupting the kernel`);
    this.runner.interrupt();
    const graceMs = this.options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
    execution.timers.push(setTimeout(() => this.restartStuckKernel(execution, reason), graceMs));
  }

  private restartStuckKernel(execution: Execution, reason: 'timeout' | 'cancelled'): void {
    if (this.current !== execution) return;
    this.options.log('warn', 'the kernel ignored the interrupt; restarting it');
    // The runner stops accepting code first, so finishing this one does not send the next
    // to the stuck kernel; executions queued behind it run on the fresh kernel.
    this.runner.restartStuckKernel();
    this.finish(execution, reason, undefined, true);
  }

  private cancel(execution: Execution): void {
    const index = this.queue.indexOf(execution);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.finish(execution, 'cancelled');
    } else {
      this.stop(execution, 'cancelled');
    }
  }

  private finish(execution: Execution, status: ExecutionStatus, executionCount?: number, kernelRestarted = false): void {
    for (const timer of execution.timers) clearTimeout(timer);
    execution.removeAbortListener?.();
    const wasRunning = this.current === execution;
    if (wasRunning) this.current = undefined;
    execution.resolve({
      status,
      outputs: execution.collector.outputs,
      durationMs: wasRunning ? Date.now() - execution.startedAt : 0,
      ...(executionCount !== undefined ? { executionCount } : {}),
      ...(kernelRestarted ? { kernelRestarted } : {}),
    });
    if (wasRunning) this.runNext();
  }
}

function statusOf(execution: Execution, status: KernelReplyStatus): ExecutionStatus {
  if (status === 'died') return 'died';
  // Code that finished anyway is 'ok', even if an interrupt crossed its last line.
  if (status === 'ok') return 'ok';
  if (execution.stopReason) return execution.stopReason;
  return status === 'aborted' ? 'cancelled' : 'error';
}
