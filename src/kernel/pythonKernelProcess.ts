/**
 * The "CodeAct Python" kernel: a real ipykernel run by our bridge script with an interpreter
 * the user chose. Executions are queued and run one at a time (the shared
 * {@link ExecutionQueue}); each ends with an {@link ExecutionResult} that says exactly what
 * happened, including timeouts, cancels and a kernel that died. No `vscode` import: the
 * extension wires logging and settings in.
 */
import type { BridgeEvent, BridgeReadyEvent } from './bridgeProtocol';
import { BridgeConnection, type BridgeExit } from './bridgeConnection';
import type { QueuedExecution } from './executionQueue';
import type { KernelInfo, KernelLogSink } from './kernelConnection';
import { KernelStartError } from './kernelStartError';
import { QueuedKernel } from './queuedKernel';

export type { ExecuteOptions, KernelInfo, KernelLogLevel, KernelLogSink } from './kernelConnection';

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

/** A kernel on this machine: its process id and interpreter are always known. */
export interface LocalKernelInfo extends KernelInfo {
  readonly pid: number;
  readonly pythonExecutable: string;
}

interface ReadyWaiter {
  readonly resolve: (info: LocalKernelInfo) => void;
  readonly reject: (error: Error) => void;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** How long the bridge gets to shut its kernel down cleanly on dispose. */
const CLOSE_GRACE_MS = 4_000;

export class PythonKernelProcess extends QueuedKernel<LocalKernelInfo> {
  private bridge: BridgeConnection | undefined;
  private readyWaiter: ReadyWaiter | undefined;
  private missingModule: string | undefined;

  constructor(private readonly options: PythonKernelProcessOptions) {
    super(options);
  }

  /** Stops the kernel and the bridge; pending executions resolve 'cancelled'. No process is left. */
  async dispose(): Promise<void> {
    if (!this.beginDispose()) return;
    this.readyWaiter?.reject(new KernelStartError('crashed', 'The kernel was shut down while starting.', this.options.pythonPath));
    this.readyWaiter = undefined;
    const bridge = this.bridge;
    this.bridge = undefined;
    await bridge?.close(CLOSE_GRACE_MS);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  protected canSend(): boolean {
    return this.bridge !== undefined;
  }

  protected send(execution: QueuedExecution): void {
    this.bridge?.send({ type: 'execute', id: execution.id, code: execution.code, ...(execution.silent ? { silent: true } : {}) });
  }

  protected interruptKernel(): void {
    this.bridge?.send({ type: 'interrupt' });
  }

  /** A new bridge and its kernel (a bridge left from before is killed first). */
  protected async startKernel(): Promise<LocalKernelInfo> {
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
  protected async restartKernel(): Promise<LocalKernelInfo> {
    const bridge = this.bridge;
    if (!bridge || bridge.hasExited) return this.startKernel();
    this.state = 'starting';
    bridge.send({ type: 'restart' });
    return this.waitForReady(bridge);
  }

  private waitForReady(bridge: BridgeConnection): Promise<LocalKernelInfo> {
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    return new Promise<LocalKernelInfo>((resolve, reject) => {
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
    this.queue.endQueued('died');
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
    this.queue.runNext();
  }

  private handleBridgeExit(bridge: BridgeConnection, exit: BridgeExit): void {
    if (this.state === 'disposed') return;
    if (this.readyWaiter) {
      this.failStart(this.describeStartFailure(bridge, exit));
      return;
    }
    this.log('error', `kernel bridge exited (code ${exit.code ?? exit.signal})`);
    this.markDead();
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


  // ---- events -------------------------------------------------------------------------------

  private handleEvent(event: BridgeEvent): void {
    switch (event.type) {
      case 'ready':
        return this.handleReady(event);
      case 'kernel_started':
        return this.log('debug', `kernel process started (pid ${event.pid ?? '?'})`);
      case 'output': {
        const running = this.runningWithId(event.id);
        if (running) this.queue.addOutput(running, event.output, event.isUpdate);
        return;
      }
      case 'clear_output': {
        const running = this.runningWithId(event.id);
        if (running) this.queue.clearOutput(running, event.wait);
        return;
      }
      case 'done': {
        const running = this.runningWithId(event.id);
        if (running) this.queue.complete(running, event.status, event.executionCount);
        return;
      }
      case 'kernel_died':
        this.log('error', `the kernel died (exit code ${event.exitCode ?? 'unknown'})`);
        return this.markDead();
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

  /** The running execution when the bridge event is about it (late events are dropped). */
  private runningWithId(id: string): QueuedExecution | undefined {
    const running = this.queue.running;
    return running?.id === id ? running : undefined;
  }
}

function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join('\n');
}

function assertNever(value: never): never {
  throw new Error(`unexpected bridge event ${JSON.stringify(value)}`);
}
