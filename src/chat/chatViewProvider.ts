import * as vscode from 'vscode';
import { Disposable } from '../platform/lifecycle';
import { Logger } from '../platform/logger';
import { HostToWebviewMessage, WebviewToHostMessage, parseWebviewMessage } from '../shared/protocol';
import { renderChatHtml } from './webviewHtml';
import { CHAT_VIEW_RELOAD_DELAYS_MS, WebviewLoadWatchdog } from './webviewLoadWatchdog';
import { rebuildWebviewViewFrame } from './webviewViewFrame';

/** Context key of the view title's "Reload Window" action, set while the view failed to load. */
const DID_NOT_LOAD_CONTEXT = 'codeact.chatViewDidNotLoad';

/** How long the view stays hidden per attempt when its frame is rebuilt (see webviewViewFrame.ts). */
const REBUILD_HIDDEN_MS = 750;

/** A load slower than this is logged, to tell a slow machine from a stuck frame. */
const SLOW_LOAD_MS = 3_000;

/** Receives every well-formed message from the chat webview. */
export interface WebviewMessageHandler {
  handleWebviewMessage(message: WebviewToHostMessage): void | Promise<void>;
}

/**
 * Hosts the chat webview in the sidebar. It only moves messages: incoming ones are validated
 * (malformed or forged messages are logged and dropped), outgoing ones are posted once the
 * webview said `ready`. The view can be hidden, moved or rebuilt at any time; state lives in
 * the handler, which sends a full snapshot on every `ready`.
 */
export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewType = 'codeact.chat';

  private view: vscode.WebviewView | undefined;
  private ready = false;
  private handler: WebviewMessageHandler | undefined;
  private readonly viewDisposables: vscode.Disposable[] = [];
  private watchdog: WebviewLoadWatchdog | undefined;
  private didNotLoadShown = false;
  /** When the current frame started loading (built or shown again), to report slow loads. */
  private loadStartedAt = 0;
  private readonly onDidBecomeReadyEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires each time a (re)built webview has loaded its script and said `ready`. */
  readonly onDidBecomeReady = this.onDidBecomeReadyEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly logger: Logger,
    private readonly reloadDelaysMs: readonly number[] = CHAT_VIEW_RELOAD_DELAYS_MS,
  ) {
    super();
  }

  setHandler(handler: WebviewMessageHandler): void {
    this.handler = handler;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get isVisible(): boolean {
    return this.view?.visible ?? false;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.disposeView();
    this.view = webviewView;
    this.ready = false;
    // A new view (the old one was moved or disposed) starts without the notice.
    if (this.didNotLoadShown) void vscode.commands.executeCommand('setContext', DID_NOT_LOAD_CONTEXT, false);
    this.didNotLoadShown = false;
    webviewView.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webviewView.webview.html = renderChatHtml(webviewView.webview, this.extensionUri);
    this.loadStartedAt = Date.now();
    const watchdog = new WebviewLoadWatchdog({
      delaysMs: this.reloadDelaysMs,
      isVisible: () => webviewView.visible,
      isLoaded: () => this.ready,
      reload: (attempt) => {
        // A new frame, not new HTML: the HTML set again goes to the same host page, which can
        // be stuck for good waiting for its service worker (see webviewViewFrame.ts).
        this.logger.warn('Chat', `the chat view's script did not start; building the view's frame again (attempt ${attempt})`);
        this.ready = false;
        void rebuildWebviewViewFrame(webviewView, REBUILD_HIDDEN_MS * attempt).then((rebuilt) => {
          if (rebuilt || this.view !== webviewView || this.ready) return;
          this.logger.warn('Chat', 'the chat view could not be hidden to rebuild its frame; setting its HTML again');
          webviewView.webview.html = renderChatHtml(webviewView.webview, this.extensionUri);
          this.loadStartedAt = Date.now();
        });
      },
      giveUp: () => {
        this.logger.error('Chat', 'the chat view did not load after several attempts');
        // The notification can go unseen (it folds into the notification centre), so the view's
        // own title says it too, with the one action that fixes it.
        this.showDidNotLoad(webviewView, true);
        const reload = vscode.l10n.t('Reload Window');
        void vscode.window
          .showErrorMessage(vscode.l10n.t('CodeAct: the chat view did not load. Reloading the window fixes it; nothing in your chats is lost.'), reload)
          .then((choice) => (choice === reload ? vscode.commands.executeCommand('workbench.action.reloadWindow') : undefined));
      },
    });
    this.watchdog = watchdog;
    watchdog.arm();
    this.viewDisposables.push(
      { dispose: () => watchdog.dispose() },
      webviewView.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      webviewView.onDidChangeVisibility(() => {
        if (webviewView.visible) {
          if (!this.ready) this.loadStartedAt = Date.now();
          watchdog.arm();
        } else {
          // A hidden view's document is destroyed (no retainContextWhenHidden); the one built
          // when it shows again says `ready` and gets a fresh snapshot.
          this.ready = false;
          watchdog.pause();
        }
      }),
      webviewView.onDidDispose(() => {
        watchdog.dispose();
        if (this.view === webviewView) {
          this.view = undefined;
          this.ready = false;
        }
      }),
    );
    this.logger.debug('Chat', 'chat view resolved');
  }

  /** Posts a message if the webview is ready; otherwise drops it (the next `ready` resyncs). */
  post(message: HostToWebviewMessage): void {
    if (!this.view || !this.ready) return;
    this.view.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.logger.warn('Chat', `could not post ${message.type} to the webview: ${String(error)}`);
    });
  }

  /** Brings the chat view to the front. */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(false);
    } else {
      await vscode.commands.executeCommand(`${ChatViewProvider.viewType}.focus`);
    }
  }

  override dispose(): void {
    this.disposeView();
    super.dispose();
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw;
      this.logger.warn('Webview', `ignored a malformed message from the webview (type: ${type.slice(0, 40)})`);
      return;
    }
    if (message.type === 'ready') {
      const loadMs = Date.now() - this.loadStartedAt;
      if (loadMs > SLOW_LOAD_MS) this.logger.info('Chat', `the chat view took ${(loadMs / 1000).toFixed(1)} s to load`);
      this.ready = true;
      this.watchdog?.loaded();
      if (this.view) this.showDidNotLoad(this.view, false);
      this.onDidBecomeReadyEmitter.fire();
    }
    if (message.type === 'webviewProblem') {
      this.logger.error('Webview', `${message.kind === 'csp' ? 'CSP violation' : 'script error'}: ${message.detail.slice(0, 500)}`);
    }
    Promise.resolve(this.handler?.handleWebviewMessage(message)).catch((error: unknown) => {
      this.logger.error('Chat', `handling ${message.type} failed`, error);
    });
  }

  /**
   * The notice in the view's title: its name says it did not load, and the title bar gets the
   * "Reload Window" action. (The title, not the description: a view alone in its container
   * shows only its title, in the container's title bar.)
   */
  private showDidNotLoad(view: vscode.WebviewView, didNotLoad: boolean): void {
    if (this.didNotLoadShown === didNotLoad) return;
    this.didNotLoadShown = didNotLoad;
    view.title = didNotLoad ? vscode.l10n.t('Chat (did not load)') : undefined;
    void vscode.commands.executeCommand('setContext', DID_NOT_LOAD_CONTEXT, didNotLoad);
  }

  private disposeView(): void {
    this.watchdog = undefined;
    for (const disposable of this.viewDisposables.splice(0)) disposable.dispose();
  }
}
