/**
 * A kernel on a Jupyter Server (a bigger machine, a GPU box, JupyterHub): for when users
 * outgrow their own machine. It behaves like the local `PythonKernelProcess` — the same
 * {@link ExecutionQueue}, the same statuses — so the rest of the extension cannot tell them
 * apart. No `vscode` import.
 *
 * Start: the kernelspec list is fetched first (it proves the server answers and takes the
 * token, and lets an unknown kernelspec fail with the list of real ones), then a kernel is
 * started over REST — or an existing one attached to — and its WebSocket opened.
 * Death: a kernel that exits (os._exit, a crash, the OOM killer) is restarted by the server;
 * we report 'died' and refuse code until {@link restart}, exactly as locally, because its
 * state is gone either way.
 */
import type { QueuedExecution } from '../executionQueue';
import type { KernelInfo, KernelLogSink } from '../kernelConnection';
import { KernelStartError } from '../kernelStartError';
import { QueuedKernel } from '../queuedKernel';
import { iopubEvent } from './iopubOutputs';
import { JupyterKernelSocket } from './jupyterKernelSocket';
import { JupyterRestClient, type RemoteKernelModel } from './jupyterRestClient';
import type { JupyterServerAddress } from './jupyterServerUrl';

export interface RemoteKernelConnectionOptions {
  /** Where the server is and its token (see `parseJupyterServerUrl`). */
  readonly server: JupyterServerAddress;
  /** The kernelspec to start, e.g. "python3". Default: the server's default kernelspec. */
  readonly kernelName?: string;
  /**
   * Attach to this running kernel instead of starting one. {@link RemoteKernelConnection.dispose}
   * then leaves it running: it is not ours to shut down.
   */
  readonly kernelId?: string;
  /** How long a started kernel may take to answer on its WebSocket. Default 60 s. */
  readonly startTimeoutMs?: number;
  /** How long one REST call may take. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** See {@link ExecutionQueue}: how long interrupted code gets before a restart. Default 5 s. */
  readonly interruptGraceMs?: number;
  readonly log?: KernelLogSink;
}

/** What a remote kernel is: no local pid or interpreter path, but where it runs. */
export interface RemoteKernelInfo extends KernelInfo {
  /** The server's base URL (never its token). */
  readonly serverUrl: string;
  readonly kernelId: string;
  /** The kernelspec, e.g. "python3". */
  readonly kernelName: string;
  /** `language_info.name`, e.g. "python". */
  readonly language: string;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
/** How long dispose() waits for the server to shut the kernel down. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export class RemoteKernelConnection extends QueuedKernel<RemoteKernelInfo> {
  private socket: JupyterKernelSocket | undefined;
  private kernel: RemoteKernelModel | undefined;
  /** True when we started the kernel (and so shut it down on dispose). */
  private owned = false;
  /** The request id of the running execution, to route its iopub messages. */
  private inFlight: { readonly execution: QueuedExecution; readonly msgId: string } | undefined;
  private readonly rest: JupyterRestClient;

  constructor(private readonly options: RemoteKernelConnectionOptions) {
    super(options);
    this.rest = new JupyterRestClient(options.server, options.requestTimeoutMs);
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

  private throwIfDisposed(): void {
    if (this.isDisposed) throw new Error('The kernel was shut down while starting.');
  }

  /** Shuts down the kernel we started (an attached one keeps running); pending work is cancelled. */
  async dispose(): Promise<void> {
    if (!this.beginDispose()) return;
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
    // Waits for any start in flight, so a kernel it is creating is shut down too.
    await this.lifecycleSettled;
    if (this.owned && this.kernel) await this.shutdownOwnedKernel(this.kernel.id);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  protected canSend(): boolean {
    return this.socket?.usable === true;
  }

  /** Starts (or attaches to) the kernel. */
  protected startKernel(): Promise<RemoteKernelInfo> {
    return this.guardStart(() => this.createOrAttach());
  }

  /** Runs a start or restart: on failure the kernel is 'dead' and queued code ends 'died'. */
  private async guardStart(work: () => Promise<RemoteKernelInfo>): Promise<RemoteKernelInfo> {
    this.state = 'starting';
    try {
      const info = await work();
      this.throwIfDisposed();
      this.state = 'ready';
      this.queue.runNext();
      return info;
    } catch (error) {
      if (!this.isDisposed) this.state = 'dead';
      this.queue.endQueued('died');
      const socket = this.socket;
      this.socket = undefined;
      await socket?.close();
      throw error;
    }
  }

  private async createOrAttach(): Promise<RemoteKernelInfo> {
    const server = this.options.server.baseUrl;
    const specs = await this.rest.kernelSpecs();
    this.throwIfDisposed();
    if (this.options.kernelId !== undefined) {
      const existing = await this.rest.kernel(this.options.kernelId);
      if (!existing) throw KernelStartError.forServer('kernelNotFound', `The Jupyter Server at ${server} has no running kernel with id ${this.options.kernelId}.`, server);
      this.kernel = existing;
      this.log('info', `attaching to kernel ${existing.id} (${existing.name}) on ${server}`);
    } else {
      const name = this.options.kernelName ?? specs.defaultName;
      if (!specs.specs.some((spec) => spec.name === name)) {
        const available = specs.specs.map((spec) => `${spec.name} (${spec.displayName})`).join(', ') || 'none';
        throw KernelStartError.forServer('kernelNotFound', `The Jupyter Server at ${server} has no kernelspec "${name}". It has: ${available}.`, server);
      }
      // A kernel left by an earlier start that failed half-way is ours to clean up first.
      if (this.owned && this.kernel) await this.shutdownOwnedKernel(this.kernel.id);
      this.kernel = await this.rest.startKernel(name);
      this.owned = true;
      this.log('info', `started kernel ${this.kernel.id} (${name}) on ${server}`);
    }
    return this.connect(this.kernel, 'started');
  }

  /**
   * Restarts through the open socket when there is one; otherwise (the server declared the
   * kernel dead, the socket was closed) restarts the kernel by id over REST, or starts a new
   * one when the server no longer has ours.
   */
  protected restartKernel(): Promise<RemoteKernelInfo> {
    return this.guardStart(async () => {
      const socket = this.socket;
      const kernel = this.kernel;
      if (!kernel) return this.createOrAttach();
      if (socket?.isOpen) {
        try {
          // After a crash the server is restarting the kernel itself: let that finish first,
          // or it refuses our restart (or kills the new kernel while it boots).
          if (!socket.usable) await socket.waitUntilReady(this.startTimeoutMs);
          await socket.restart();
          return await this.awaitInfo(socket, kernel, 'restarted');
        } catch (error) {
          this.log('warn', `restart over the open socket failed (${error instanceof Error ? error.message : String(error)}); reconnecting`);
        }
      }
      this.socket = undefined;
      await socket?.close();
      if (await this.rest.kernel(kernel.id)) {
        await this.rest.restartKernel(kernel.id);
        return this.connect(kernel, 'restarted');
      }
      if (!this.owned) throw KernelStartError.forServer('kernelNotFound', `The kernel ${kernel.id} is gone from the Jupyter Server at ${this.options.server.baseUrl}.`, this.options.server.baseUrl);
      this.log('warn', `kernel ${kernel.id} is gone from the server; starting a new one`);
      this.kernel = undefined;
      return this.createOrAttach();
    });
  }

  private async connect(kernel: RemoteKernelModel, how: 'started' | 'restarted'): Promise<RemoteKernelInfo> {
    // dispose() closes the socket it finds; one made after it would wait for nothing.
    this.throwIfDisposed();
    const socket: JupyterKernelSocket = new JupyterKernelSocket(this.options.server, kernel, {
      onIOPub: (parentMsgId, msgType, content) => {
        if (socket === this.socket) this.handleIOPub(parentMsgId, msgType, content);
      },
      onLost: (why) => {
        if (socket === this.socket) this.handleDeath(why);
      },
      onDebug: (message) => this.log('debug', `kernel ${kernel.id.slice(0, 8)}: ${message}`),
    });
    this.socket = socket;
    return this.awaitInfo(socket, kernel, how);
  }

  private async awaitInfo(socket: JupyterKernelSocket, kernel: RemoteKernelModel, how: 'started' | 'restarted'): Promise<RemoteKernelInfo> {
    const server = this.options.server.baseUrl;
    let reply;
    try {
      reply = await socket.waitUntilReady(this.startTimeoutMs);
    } catch (error) {
      this.throwIfDisposed();
      const why = error instanceof Error ? error.message : String(error);
      const reason = /within \d+ s/.test(why) ? 'timedOut' : 'crashed';
      throw KernelStartError.forServer(reason, `The kernel ${kernel.name} on the Jupyter Server at ${server} did not become ready: ${why}.`, server);
    }
    // Fallbacks: kernels other than ipykernel are not always complete in what they report.
    const language = reply.language_info as Partial<typeof reply.language_info> | undefined;
    this.kernelInfo = {
      pythonVersion: language?.version ?? '',
      implementation: `${reply.implementation ?? ''} ${reply.implementation_version ?? ''}`.trim(),
      banner: reply.banner ?? '',
      serverUrl: server,
      kernelId: kernel.id,
      kernelName: kernel.name,
      language: language?.name ?? '',
    };
    this.log('info', `kernel ready: ${this.kernelInfo.implementation}, ${this.kernelInfo.language} ${this.kernelInfo.pythonVersion}, on ${server}${how === 'started' ? '' : ', restarted'}`);
    return this.kernelInfo;
  }

  /** Best effort: a kernel we started must not outlive us on someone's server. */
  private async shutdownOwnedKernel(id: string): Promise<void> {
    const rest = new JupyterRestClient(this.options.server, SHUTDOWN_TIMEOUT_MS);
    try {
      await rest.shutdownKernel(id);
      this.log('info', `shut down kernel ${id} on ${this.options.server.baseUrl}`);
    } catch (error) {
      this.log('warn', `could not shut down kernel ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The kernel died or the server cannot be reached: everything pending ends 'died'. */
  private handleDeath(why: string): void {
    // Failures while starting are the start's to report.
    if (this.state !== 'ready') return;
    this.log('error', `remote kernel lost: ${why}`);
    this.inFlight = undefined;
    this.markDead();
  }

  // ---- executions ---------------------------------------------------------------------------

  protected send(execution: QueuedExecution): void {
    const socket = this.socket;
    if (!socket) return this.queue.complete(execution, 'died');
    let sent;
    try {
      sent = socket.execute(execution.code, execution.silent);
    } catch (error) {
      // Death first: it ends this execution and the queue without sending more.
      this.handleDeath(`could not send code: ${String(error)}`);
      return this.queue.complete(execution, 'died');
    }
    this.inFlight = { execution, msgId: sent.msgId };
    sent.reply.then(
      (reply) => this.queue.complete(execution, reply.status, reply.executionCount),
      (error: unknown) => {
        // Dropped because the kernel restarted or died: the death path has ended it already,
        // unless the connection went away unnoticed.
        if (this.queue.running !== execution) return;
        this.handleDeath(`the execution was dropped: ${String(error)}`);
        this.queue.complete(execution, 'died');
      },
    );
  }

  private handleIOPub(parentMsgId: string, msgType: string, content: unknown): void {
    const inFlight = this.inFlight;
    if (!inFlight || inFlight.msgId !== parentMsgId) return;
    const event = iopubEvent(msgType, content);
    if (!event) return;
    if (event.type === 'clearOutput') this.queue.clearOutput(inFlight.execution, event.wait);
    else this.queue.addOutput(inFlight.execution, event.output, event.isUpdate);
  }

  protected interruptKernel(): void {
    const socket = this.socket;
    if (!socket?.usable) return;
    socket.interrupt().catch((error: unknown) => this.log('warn', `interrupt failed: ${String(error)}`));
  }
}
