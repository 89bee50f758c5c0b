/**
 * What every {@link KernelConnection} shares, wherever its kernel runs: the lifecycle states,
 * one {@link ExecutionQueue} so code never interleaves, starts and restarts run one at a
 * time, and listeners told when the kernel dies. Subclasses say only how to reach their
 * kernel: send code, interrupt, start, restart, shut down. No `vscode` import.
 */
import { ExecutionQueue, type QueuedExecution } from './executionQueue';
import type { ExecuteOptions, KernelConnection, KernelInfo, KernelLogSink } from './kernelConnection';
import type { ExecutionResult } from './kernelOutputs';

export type KernelState = 'new' | 'starting' | 'ready' | 'dead' | 'disposed';

export interface QueuedKernelOptions {
  /** After a timeout or cancel interrupts the kernel, how long the code gets before a restart. */
  readonly interruptGraceMs?: number;
  readonly log?: KernelLogSink;
}

export abstract class QueuedKernel<Info extends KernelInfo> implements KernelConnection {
  protected state: KernelState = 'new';
  protected kernelInfo: Info | undefined;
  protected readonly queue: ExecutionQueue;
  protected readonly log: KernelLogSink;
  private readonly dieListeners = new Set<() => void>();
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(options: QueuedKernelOptions) {
    this.log = options.log ?? (() => undefined);
    this.queue = new ExecutionQueue(
      {
        canRun: () => this.state === 'ready' && this.canSend(),
        run: (execution) => this.send(execution),
        interrupt: () => this.interruptKernel(),
        restartStuckKernel: () => {
          // Not 'ready' any more, so the queue does not send the next to the stuck kernel.
          this.state = 'starting';
          this.serialized(() => this.restartKernel()).catch((error: unknown) => this.log('error', `restart after a stuck interrupt failed: ${String(error)}`));
        },
      },
      { log: this.log, ...(options.interruptGraceMs !== undefined ? { interruptGraceMs: options.interruptGraceMs } : {}) },
    );
  }

  /** True while a kernel is up and accepting code. */
  get isAlive(): boolean {
    return this.state === 'ready';
  }

  get isBusy(): boolean {
    return this.queue.busy;
  }

  /** The current kernel, once started. */
  get info(): Info | undefined {
    return this.kernelInfo;
  }

  /** Fires when the kernel dies unexpectedly (not on dispose). */
  onDidDie(listener: () => void): { dispose(): void } {
    this.dieListeners.add(listener);
    return { dispose: () => this.dieListeners.delete(listener) };
  }

  /** Starts the kernel; rejects with a `KernelStartError`. Idempotent once ready. */
  start(): Promise<Info> {
    return this.serialized(async () => {
      if (this.state === 'ready' && this.kernelInfo) return this.kernelInfo;
      return this.startKernel();
    });
  }

  /**
   * A fresh kernel: the running execution and every queued one resolve 'cancelled'. Works
   * after the kernel died.
   */
  restart(): Promise<Info> {
    return this.serialized(async () => {
      this.queue.endAll('cancelled');
      return this.restartKernel();
    });
  }

  /** Interrupts the running code (its result is 'interrupted' unless it finishes anyway). */
  interrupt(): void {
    this.queue.markInterrupted();
    this.interruptKernel();
  }

  /**
   * Runs `code` after every execution queued before it. Never rejects for what the code does:
   * the result's status says how it ended. Throws only when called before {@link start}.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (this.state === 'new') return Promise.reject(new Error('execute() was called before start()'));
    const refuse = this.state === 'disposed' ? 'cancelled' : this.state === 'dead' ? 'died' : undefined;
    return this.queue.enqueue(code, options, refuse);
  }

  abstract dispose(): Promise<void>;

  /**
   * The first step of every dispose: from now on nothing starts, pending code ends
   * 'cancelled' and nobody hears of a death. False when it was disposed already.
   */
  protected beginDispose(): boolean {
    if (this.state === 'disposed') return false;
    this.state = 'disposed';
    this.queue.endAll('cancelled');
    this.dieListeners.clear();
    return true;
  }

  /** Settles when the start or restart in flight, if any, has. */
  protected get lifecycleSettled(): Promise<unknown> {
    return this.lifecycle;
  }

  /** A getter, so that TypeScript does not narrow `state` across the awaits of a start. */
  protected get isDisposed(): boolean {
    return this.state === 'disposed';
  }

  /** The kernel is gone: everything pending ends 'died' and listeners hear it once. */
  protected markDead(): void {
    if (this.state === 'dead' || this.state === 'disposed') return;
    this.state = 'dead';
    this.queue.endAll('died');
    for (const listener of [...this.dieListeners]) {
      try {
        listener();
      } catch (error) {
        this.log('error', `onDidDie listener failed: ${String(error)}`);
      }
    }
  }

  /** Starts and restarts never overlap; each waits for the one before it. */
  protected serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lifecycle.then(() => {
      if (this.state === 'disposed') throw new Error('The kernel has been disposed.');
      return work();
    });
    this.lifecycle = result.catch(() => undefined);
    return result;
  }

  /** Whether the way to the kernel (bridge, socket) can take code right now. */
  protected abstract canSend(): boolean;
  /** Sends the execution; its outputs and end come back through {@link queue}. */
  protected abstract send(execution: QueuedExecution): void;
  protected abstract interruptKernel(): void;
  /** Starts a kernel (state 'ready' and {@link kernelInfo} set on success). */
  protected abstract startKernel(): Promise<Info>;
  /** Restarts the kernel, or starts a new one when it is gone. */
  protected abstract restartKernel(): Promise<Info>;
}
