/**
 * The "CodeAct Python" kernel: a real ipykernel run by our bridge script with an interpreter
 * the user chose. Executions are queued and run one at a time; each ends with an
 * {@link ExecutionResult} that says exactly what happened, including timeouts, cancels and a
 * kernel that died. No `vscode` import: the extension wires logging and settings in.
 */
import type { BridgeEvent, BridgeDoneStatus, BridgeReadyEvent } from './bridgeProtocol';
import { BridgeConnection, type BridgeExit, type KernelLogSink } from './bridgeConnection';
import { OutputCollector, type ExecutionResult, type ExecutionStatus, type KernelOutput } from './kernelOutputs';
import { KernelStartError } from './kernelStartError';

export type { KernelLogSink, KernelLogLevel } from './bridgeConnection';

export interface PythonKernelProcessOptions {
  /** The interpreter; it must be able to import ipykernel. */
  readonly pythonPath: string;
  /** Absolute path of `codeact_kernel_bridge.py` (in the extension: `dist/python/`). */
  readonly bridgePath: string;
  /** The kernel's working directory (the workspace folder). */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long a start or restart may take. Default 60 s (a cold import of IPython is slow). */
  readonly startTimeoutMs?: number;
  /**
   * After a timeout or cancel interrupts the kernel, how long the code gets to stop before
   * the kernel is restarted to free it. Default 5 s.
   */
  readonly interruptGraceMs?: number;
  readonly log?: KernelLogSink;
}

export interface ExecuteOptions {
  /** Aborting cancels a queued execution, or interrupts a running one ('cancelled'). */
  readonly signal?: AbortSignal;
  /** Interrupts the kernel after this long ('timeout'); outputs so far are kept. */
  readonly timeoutMs?: number;
  /**
   * Each output as it arrives (stream text in chunks). `isUpdate`: an `update_display_data`
   * that replaces the earlier outputs with the same `displayId` rather than adding one.
   */
  readonly onOutput?: (output: KernelOutput, isUpdate: boolean) => void;
  /** The code cleared its outputs (`clear_output`); with `wait`, at the next output. */
  readonly onClearOutput?: (wait: boolean) => void;
}

/** What the running kernel is. */
export interface KernelInfo {
  readonly pid: number;
  readonly pythonExecutable: string;
  readonly pythonVersion: string;
  /** e.g. "ipython 8.5.0". */
  readonly implementation: string;
  readonly banner: string;
}

interface QueuedExecution {
  readonly id: string;
  readonly code: string;
  readonly options: ExecuteOptions;
  readonly resolve: (result: ExecutionResult) => void;
  readonly collector: OutputCollector;
  startedAt: number;
  /** Why we interrupted it, when we did. */
  stopReason?: 'timeout' | 'cancelled' | 'interrupted';
  timers: ReturnType<typeof setTimeout>[];
  removeAbortListener?: () => void;
}

interface ReadyWaiter {
  readonly resolve: (info: KernelInfo) => void;
  readonly reject: (error: Error) => void;
}

type State = 'new' | 'starting' | 'ready' | 'dead' | 'disposed';

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_INTERRUPT_GRACE_MS = 5_000;
/** How long the bridge gets to shut its kernel down cleanly on dispose. */
const CLOSE_GRACE_MS = 4_000;

export class PythonKernelProcess {
  private state: State = 'new';
  private bridge: BridgeConnection | undefined;
  private kernelInfo: KernelInfo | undefined;
  private readyWaiter: ReadyWaiter | undefined;
  private missingModule: string | undefined;
  private readonly queue: QueuedExecution[] = [];
  private running: QueuedExecution | undefined;
  private readonly dieListeners = new Set<() => void>();
  private lifecycle: Promise<unknown> = Promise.resolve();
  private nextExecutionId = 1;
  private readonly log: KernelLogSink;

  constructor(private readonly options: PythonKernelProcessOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** True while a kernel is up and accepting code. */
  get isAlive(): boolean {
    return this.state === 'ready';
  }

  /** The current kernel, once started. */
  get info(): KernelInfo | undefined {
    return this.kernelInfo;
  }

  /** Fires when the kernel (or the bridge running it) dies unexpectedly. */
  onDidDie(listener: () => void): { dispose(): void } {
    this.dieListeners.add(listener);
    return { dispose: () => this.dieListeners.delete(listener) };
  }

  /** Starts the kernel; rejects with a {@link KernelStartError}. Idempotent once ready. */
  start(): Promise<KernelInfo> {
    return this.serialized(async () => {
      if (this.state === 'ready' && this.kernelInfo) return this.kernelInfo;
      return this.spawnBridge();
    });
  }

  /**
   * A fresh kernel: the running execution and every queued one resolve 'cancelled'. Works
   * after the kernel died, and after the bridge itself exited.
   */
  restart(): Promise<KernelInfo> {
    return this.serialized(async () => {
      this.cancelAll();
      return this.restartKernel();
    });
  }

  /** Interrupts the running code (its result is 'interrupted' unless it finishes anyway). */
  interrupt(): void {
    if (this.running && !this.running.stopReason) this.running.stopReason = 'interrupted';
    this.bridge?.send({ type: 'interrupt' });
  }

  /**
   * Runs `code` after every execution queued before it. Never rejects for what the code does:
   * the result's status says how it ended. Throws only when called before {@link start}.
   */
  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    if (this.state === 'new') return Promise.reject(new Error('PythonKernelProcess.execute() called before start()'));
    return new Promise((resolve) => {
      const execution: QueuedExecution = {
        id: `x${this.nextExecutionId++}`,
        code,
        options,
        resolve,
        collector: new OutputCollector(),
        startedAt: Date.now(),
        timers: [],
      };
      if (this.state === 'disposed') return this.finish(execution, 'cancelled');
      if (this.state === 'dead') return this.finish(execution, 'died');
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

  /** Stops the kernel and the bridge; pending executions resolve 'cancelled'. No process is left. */
  async dispose(): Promise<void> {
    if (this.state === 'disposed') return;
    this.state = 'disposed';
    this.cancelAll();
    this.readyWaiter?.reject(new KernelStartError('crashed', 'The kernel was shut down while starting.', this.options.pythonPath));
    this.readyWaiter = undefined;
    this.dieListeners.clear();
    const bridge = this.bridge;
    this.bridge = undefined;
    await bridge?.close(CLOSE_GRACE_MS);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lifecycle.then(() => {
      if (this.state === 'disposed') throw new Error('The kernel has been disposed.');
      return work();
    });
    this.lifecycle = result.catch(() => undefined);
    return result;
  }

  private async spawnBridge(): Promise<KernelInfo> {
    await this.bridge?.kill();
    this.state = 'starting';
    this.missingModule = undefined;
    const bridge = new BridgeConnection(
      { ...this.options, log: this.log },
      (event) => {
        if (bridge === this.bridge) this.handleEvent(event);
      },
    );
    this.bridge = bridge;
    void bridge.exited.then((exit) => {
      if (bridge === this.bridge) this.handleBridgeExit(bridge, exit);
    });
    return this.waitForReady(bridge);
  }

  /** Restarts through the bridge when it is running, else starts a new bridge. */
  private async restartKernel(): Promise<KernelInfo> {
    const bridge = this.bridge;
    if (!bridge || bridge.hasExited) return this.spawnBridge();
    this.state = 'starting';
    bridge.send({ type: 'restart' });
    return this.waitForReady(bridge);
  }

  private waitForReady(bridge: BridgeConnection): Promise<KernelInfo> {
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    return new Promise<KernelInfo>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failStart(new KernelStartError('timedOut', `The Python kernel did not start within ${Math.round(timeoutMs / 1000)} s (${this.options.pythonPath}).`, this.options.pythonPath));
        void bridge.kill();
      }, timeoutMs);
      this.readyWaiter = {
        resolve: (info) => {
          clearTimeout(timer);
          resolve(info);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private failStart(error: KernelStartError): void {
    const waiter = this.readyWaiter;
    this.readyWaiter = undefined;
    if (this.state !== 'disposed') this.state = 'dead';
    this.failQueued('died');
    waiter?.reject(error);
  }

  private handleReady(event: BridgeReadyEvent): void {
    this.kernelInfo = {
      pid: event.pid,
      pythonExecutable: event.pythonExecutable,
      pythonVersion: event.pythonVersion,
      implementation: `${event.implementation} ${event.implementationVersion}`.trim(),
      banner: event.banner,
    };
    this.state = 'ready';
    this.log('info', `kernel ready: Python ${event.pythonVersion} (${event.pythonExecutable}), pid ${event.pid}${event.restarted ? ', restarted' : ''}`);
    const waiter = this.readyWaiter;
    this.readyWaiter = undefined;
    waiter?.resolve(this.kernelInfo);
    this.runNext();
  }

  private handleBridgeExit(bridge: BridgeConnection, exit: BridgeExit): void {
    if (this.state === 'disposed') return;
    if (this.readyWaiter) {
      this.failStart(this.describeStartFailure(bridge, exit));
      return;
    }
    this.log('error', `kernel bridge exited (code ${exit.code ?? exit.signal})`);
    this.handleDeath();
  }

  private describeStartFailure(bridge: BridgeConnection, exit: BridgeExit): KernelStartError {
    const python = this.options.pythonPath;
    if (exit.spawnErrorCode === 'ENOENT' || exit.spawnErrorCode === 'EACCES' || exit.spawnErrorCode === 'ENOTDIR') {
      return new KernelStartError('pythonNotFound', `Python was not found at "${python}" (${exit.spawnErrorCode}). Choose another interpreter.`, python);
    }
    if (exit.spawnErrorCode) {
      return new KernelStartError('crashed', `Python at "${python}" could not be started (${exit.spawnErrorCode}).`, python);
    }
    if (this.missingModule) {
      return new KernelStartError('ipykernelMissing', `The Python interpreter "${python}" cannot import ${this.missingModule}. Install it with: "${python}" -m pip install ipykernel`, python, this.missingModule);
    }
    const detail = lastLines(bridge.recentStderr, 5);
    return new KernelStartError('crashed', `The Python kernel exited during startup (code ${exit.code ?? exit.signal}) using "${python}".${detail ? `\n${detail}` : ''}`, python);
  }

  /** The kernel or the bridge is gone: everything pending ends 'died' and listeners hear it. */
  private handleDeath(): void {
    if (this.state === 'dead' || this.state === 'disposed') return;
    this.state = 'dead';
    this.failQueued('died');
    if (this.running) this.finish(this.running, 'died');
    for (const listener of [...this.dieListeners]) {
      try {
        listener();
      } catch (error) {
        this.log('error', `onDidDie listener failed: ${String(error)}`);
      }
    }
  }

  // ---- events -------------------------------------------------------------------------------

  private handleEvent(event: BridgeEvent): void {
    switch (event.type) {
      case 'ready':
        return this.handleReady(event);
      case 'kernel_started':
        return this.log('debug', `kernel process started (pid ${event.pid ?? '?'})`);
      case 'output':
        return this.handleOutput(event.id, event.output, event.isUpdate);
      case 'clear_output':
        if (this.running?.id === event.id) {
          this.running.collector.clear(event.wait);
          this.running.options.onClearOutput?.(event.wait);
        }
        return;
      case 'done':
        if (this.running?.id === event.id) this.finish(this.running, this.statusOf(this.running, event.status), event.executionCount);
        return;
      case 'kernel_died':
        this.log('error', `the kernel died (exit code ${event.exitCode ?? 'unknown'})`);
        return this.handleDeath();
      case 'command_failed':
        this.log('error', `kernel bridge could not ${event.command}: ${event.message}`);
        if (event.command === 'restart' && this.readyWaiter) {
          this.failStart(new KernelStartError('crashed', `The Python kernel could not restart: ${event.message}`, this.options.pythonPath));
        }
        return;
      case 'log':
        return this.log(event.level, `kernel bridge: ${event.message}`);
      case 'missing_dependency':
        this.missingModule = event.module;
        return this.log('warn', `${event.python} cannot import ${event.module}: ${event.message}`);
      default:
        return assertNever(event);
    }
  }

  private handleOutput(id: string, output: KernelOutput, isUpdate: boolean): void {
    const execution = this.running;
    if (execution?.id !== id) return;
    if (isUpdate && output.kind === 'data' && output.displayId !== undefined) {
      execution.collector.update(output.displayId, output);
    } else {
      execution.collector.add(output);
    }
    try {
      execution.options.onOutput?.(output, isUpdate);
    } catch (error) {
      this.log('error', `onOutput listener failed: ${String(error)}`);
    }
  }

  private statusOf(execution: QueuedExecution, status: BridgeDoneStatus): ExecutionStatus {
    if (status === 'died') return 'died';
    // Code that finished anyway is 'ok', even if an interrupt crossed its last line.
    if (status === 'ok') return 'ok';
    if (execution.stopReason) return execution.stopReason;
    return status === 'aborted' ? 'cancelled' : 'error';
  }

  // ---- the queue ----------------------------------------------------------------------------

  private runNext(): void {
    if (this.running || this.state !== 'ready' || !this.bridge) return;
    const execution = this.queue.shift();
    if (!execution) return;
    this.running = execution;
    execution.startedAt = Date.now();
    const { timeoutMs } = execution.options;
    if (timeoutMs !== undefined && timeoutMs > 0) {
      execution.timers.push(setTimeout(() => this.stop(execution, 'timeout'), timeoutMs));
    }
    this.bridge.send({ type: 'execute', id: execution.id, code: execution.code });
  }

  /** Interrupts a running execution for `reason`; if it won't stop, restarts the kernel. */
  private stop(execution: QueuedExecution, reason: 'timeout' | 'cancelled'): void {
    if (this.running !== execution || execution.stopReason === 'timeout' || execution.stopReason === 'cancelled') return;
    execution.stopReason = reason;
    this.log('info', `${reason === 'timeout' ? 'execution timed out' : 'execution cancelled'}; interrupting the kernel`);
    this.bridge?.send({ type: 'interrupt' });
    const graceMs = this.options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
    execution.timers.push(setTimeout(() => this.restartStuckKernel(execution, reason), graceMs));
  }

  private restartStuckKernel(execution: QueuedExecution, reason: 'timeout' | 'cancelled'): void {
    if (this.running !== execution) return;
    this.log('warn', 'the kernel ignored the interrupt; restarting it');
    // Not 'ready' any more, so finishing this one does not send the next to the stuck kernel.
    this.state = 'starting';
    this.finish(execution, reason, undefined, true);
    // Executions queued behind this one run on the fresh kernel.
    this.serialized(() => this.restartKernel()).catch((error: unknown) => this.log('error', `restart after a stuck interrupt failed: ${String(error)}`));
  }

  private cancel(execution: QueuedExecution): void {
    const index = this.queue.indexOf(execution);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.finish(execution, 'cancelled');
    } else {
      this.stop(execution, 'cancelled');
    }
  }

  private cancelAll(): void {
    // The queue first: finishing the running one would otherwise start the next.
    this.failQueued('cancelled');
    if (this.running) this.finish(this.running, 'cancelled');
  }

  private failQueued(status: ExecutionStatus): void {
    for (const execution of this.queue.splice(0)) this.finish(execution, status);
  }

  private finish(execution: QueuedExecution, status: ExecutionStatus, executionCount?: number, kernelRestarted = false): void {
    for (const timer of execution.timers) clearTimeout(timer);
    execution.removeAbortListener?.();
    const wasRunning = this.running === execution;
    if (wasRunning) this.running = undefined;
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

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join('\n');
}

function assertNever(value: never): never {
  throw new Error(`unexpected bridge event ${JSON.stringify(value)}`);
}
