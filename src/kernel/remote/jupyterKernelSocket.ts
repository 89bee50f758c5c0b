/**
 * One WebSocket connection to a kernel on a Jupyter Server, through `@jupyterlab/services`'
 * kernel connection (which speaks the wire protocol, reconnects, and sends interrupts and
 * restarts over REST). This wrapper narrows it to what {@link RemoteKernelConnection} needs:
 * send an execute request, hear its iopub messages, wait until the kernel answers, and learn
 * — through `onLost` — that the kernel died, was restarted by the server, or can no longer be
 * reached.
 */
import { KernelConnection as ServicesKernelConnection } from '@jupyterlab/services/lib/kernel/default';
import type * as KernelMessage from '@jupyterlab/services/lib/kernel/messages';
import { ServerConnection } from '@jupyterlab/services/lib/serverconnection';
import WebSocket from 'ws';
import type { JupyterServerAddress } from './jupyterServerUrl';
import type { RemoteKernelModel } from './jupyterRestClient';

/** How an execute request ended, as the kernel replied. */
export interface ExecuteReply {
  readonly status: 'ok' | 'error' | 'aborted';
  readonly executionCount?: number;
}

/** A sent execute request: match iopub messages by `msgId`; `reply` settles after the last. */
export interface SentExecution {
  readonly msgId: string;
  /** Resolves after the reply and the kernel's idle status; rejects if the request was dropped. */
  readonly reply: Promise<ExecuteReply>;
}

export interface KernelSocketListener {
  /** An iopub message answering the request `parentMsgId`. */
  onIOPub(parentMsgId: string, msgType: string, content: unknown): void;
  /** The kernel this socket served is gone (`why` is fit for the log); once per kernel. */
  onLost(why: string): void;
  /** Connection and kernel status changes, for the log. */
  onDebug?(message: string): void;
}

/**
 * How long the first kernel_info request may go unanswered before the socket is reopened;
 * each later attempt waits twice as long, up to {@link MAX_INFO_ATTEMPT_MS}. A socket opened
 * while the server restarts a crashed kernel can stay deaf (seen with jupyter_server 1.23:
 * it skips its "nudge" for a kernel it still thinks busy); a new socket is not. The waits
 * grow because a kernel that is merely slow to boot needs no reopening.
 */
const FIRST_INFO_ATTEMPT_MS = 1_500;
const MAX_INFO_ATTEMPT_MS = 12_000;
/** How long {@link JupyterKernelSocket.close} lets a reconnect in flight finish. */
const CLOSE_SETTLE_MS = 5_000;

export class JupyterKernelSocket {
  private readonly connection: ServicesKernelConnection;
  /** Set when the kernel was lost; cleared by a successful {@link restart}. */
  private lostReason: string | undefined;

  constructor(
    server: JupyterServerAddress,
    model: RemoteKernelModel,
    private readonly listener: KernelSocketListener,
  ) {
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: server.baseUrl,
      wsUrl: server.wsUrl,
      token: server.token,
      // Node has no cookies or headers for a WebSocket: the token goes in its URL.
      appendToken: true,
      WebSocket: WebSocket as ServerConnection.ISettings['WebSocket'],
      fetch,
    });
    this.connection = new ServicesKernelConnection({ model: { id: model.id, name: model.name }, serverSettings, handleComms: false });
    this.connection.iopubMessage.connect(this.handleIOPub);
    this.connection.statusChanged.connect(this.handleStatus);
    this.connection.connectionStatusChanged.connect(this.handleConnectionStatus);
  }

  /** True while the socket serves a live kernel: not lost, not closed. */
  get usable(): boolean {
    return this.lostReason === undefined && this.isOpen;
  }

  /**
   * True until the socket is closed or the server declared the kernel dead. A socket whose
   * kernel the server restarted after a crash stays open (it reconnects to the new one).
   */
  get isOpen(): boolean {
    return !this.connection.isDisposed && this.connection.status !== 'dead';
  }

  /**
   * Resolves with the kernel's `kernel_info_reply` once it answers on this socket: the proof
   * that code sent now will run. Rejects when the socket closes or `timeoutMs` passes.
   */
  async waitUntilReady(timeoutMs: number): Promise<KernelMessage.IInfoReply> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (!this.isOpen) throw new Error(this.lostReason ?? 'the connection was closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no answer from the kernel within ${Math.round(timeoutMs / 1000)} s`);
      const attemptMs = Math.min(remaining, FIRST_INFO_ATTEMPT_MS * 2 ** attempt, MAX_INFO_ATTEMPT_MS);
      const started = Date.now();
      if (await this.whenConnected(attemptMs)) {
        const reply = await this.requestInfo(attemptMs - (Date.now() - started));
        if (reply) return reply;
      }
      if (!this.isOpen) continue;
      this.listener.onDebug?.('no kernel info yet; reopening the WebSocket');
      // Rejects only when every reconnect attempt failed; the next round reports that.
      this.connection.reconnect().catch(() => undefined);
    }
  }

  /** Sends code; throws if the connection can take nothing any more. */
  execute(code: string, silent = false): SentExecution {
    const future = this.connection.requestExecute(
      // input() must fail at once (StdinNotImplementedError): nobody is there to answer it.
      { code, silent, store_history: !silent, user_expressions: {}, allow_stdin: false, stop_on_error: false },
      true,
    );
    const reply = future.done.then((message): ExecuteReply => {
      const content = message.content;
      const status = content.status === 'ok' ? 'ok' : content.status === 'error' ? 'error' : 'aborted';
      const count = 'execution_count' in content ? content.execution_count : undefined;
      return { status, ...(typeof count === 'number' ? { executionCount: count } : {}) };
    });
    return { msgId: future.msg.header.msg_id, reply };
  }

  /** Interrupts the kernel through the REST API. */
  interrupt(): Promise<void> {
    return this.connection.interrupt();
  }

  /** Restarts the kernel through the REST API and reconnects; then {@link waitUntilReady}. */
  async restart(): Promise<void> {
    await this.connection.restart();
    this.lostReason = undefined;
  }

  /** Closes the socket; the kernel keeps running on the server. */
  async close(): Promise<void> {
    if (this.connection.isDisposed) return;
    this.lostReason ??= 'the connection was closed';
    this.connection.iopubMessage.disconnect(this.handleIOPub);
    this.connection.statusChanged.disconnect(this.handleStatus);
    this.connection.connectionStatusChanged.disconnect(this.handleConnectionStatus);
    // After the server restarted a crashed kernel the library reconnects on its own, and the
    // promise it awaits for that rejects, unhandled, if the connection is disposed meanwhile.
    if (this.connection.connectionStatus === 'connecting') await this.whenConnected(CLOSE_SETTLE_MS);
    this.connection.dispose();
  }

  /** True once connected, false after `timeoutMs` or when the connection gives up. */
  private whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.connection.connectionStatus === 'connected') return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (connected: boolean): void => {
        clearTimeout(timer);
        this.connection.connectionStatusChanged.disconnect(onStatus);
        resolve(connected);
      };
      const onStatus = (_sender: ServicesKernelConnection, status: string): void => {
        if (status !== 'connecting') finish(status === 'connected');
      };
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      this.connection.connectionStatusChanged.connect(onStatus);
    });
  }

  /** One kernel_info request; `undefined` when it fails or goes unanswered for `timeoutMs`. */
  private requestInfo(timeoutMs: number): Promise<KernelMessage.IInfoReply | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), Math.max(0, timeoutMs));
      this.connection.requestKernelInfo().then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply?.content.status === 'ok' ? reply.content : undefined);
        },
        () => {
          clearTimeout(timer);
          resolve(undefined);
        },
      );
    });
  }

  private readonly handleIOPub = (_sender: ServicesKernelConnection, message: KernelMessage.IIOPubMessage): void => {
    const parent = message.parent_header;
    if (!('msg_id' in parent) || typeof parent.msg_id !== 'string') return;
    this.listener.onIOPub(parent.msg_id, message.header.msg_type, message.content);
  };

  private readonly handleStatus = (_sender: ServicesKernelConnection, status: KernelMessage.Status): void => {
    this.listener.onDebug?.(`kernel ${status}`);
    // 'restarting' is also what our own restart() reports; only the server's restart (the
    // kernel process died: os._exit, a segfault, the OOM killer) is 'autorestarting'.
    if (status === 'autorestarting') this.lose('the kernel died and the server restarted it');
    else if (status === 'dead') this.lose('the server reports the kernel dead');
  };

  private readonly handleConnectionStatus = (_sender: ServicesKernelConnection, status: string): void => {
    this.listener.onDebug?.(`connection ${status}`);
    // Reached only after the library's reconnect attempts gave up (or the server closed us).
    if (status === 'disconnected' && !this.connection.isDisposed) this.lose('the connection to the Jupyter Server was lost');
  };

  private lose(why: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = why;
    this.listener.onLost(why);
  }
}
