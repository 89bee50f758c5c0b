/**
 * Acts on a webview whose script never started.
 *
 * In browser-hosted VS Code (code-server, vscode.dev, Codespaces) every webview frame is the
 * workbench's host page, which loads the extension's HTML only under its own service worker.
 * When several workers race (code-server's own, other webviews' on the same origin), a frame
 * can lose: its script and stylesheet requests go to the network and fail
 * (net::ERR_NAME_NOT_RESOLVED), or the host page waits for good for a `controllerchange`
 * ("Found unexpected service worker controller … Waiting for controllerchange") and renders
 * nothing. We cannot see either from the host, only the symptom: no `ready` from the script.
 * So while the view is visible and not ready, `reload` is called after a delay that grows with
 * each attempt (the chat view builds a new frame then: webviewViewFrame.ts), and `giveUp` once
 * when every attempt is used.
 *
 * `reload` may hide and show the view (pause, then arm): attempts still count until the script
 * says `ready`, so a view that never loads ends in `giveUp`, not in a loop.
 */
export interface WebviewLoadWatchdogOptions {
  /** Delay before each reload, in order; its length is the number of attempts. */
  readonly delaysMs: readonly number[];
  /** Whether the view is showing (a hidden view is not loading and needs no help). */
  isVisible(): boolean;
  /** Whether the webview's script said it is running. */
  isLoaded(): boolean;
  /** Builds the webview again (a new frame, or at least its HTML). */
  reload(attempt: number): void;
  /** Called once when every attempt is used and the script still did not start. */
  giveUp(): void;
}

/** Production delays: a healthy view says `ready` in 1–3 s, 10+ s on a loaded machine. */
export const CHAT_VIEW_RELOAD_DELAYS_MS: readonly number[] = [10_000, 20_000, 40_000];

export class WebviewLoadWatchdog {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;
  private gaveUp = false;
  private stopped = false;

  constructor(private readonly options: WebviewLoadWatchdogOptions) {}

  /** Starts the wait for `ready` (the view was built, or showed again). */
  arm(): void {
    if (this.stopped || this.gaveUp || this.timer !== undefined) return;
    const { delaysMs } = this.options;
    const delay = delaysMs[Math.min(this.attempts, delaysMs.length - 1)];
    if (delay === undefined) return;
    this.timer = setTimeout(() => this.check(), delay);
  }

  /** The script said `ready`: stop waiting, and give a later rebuild its full attempts. */
  loaded(): void {
    this.clearTimer();
    this.attempts = 0;
    this.gaveUp = false;
  }

  /** The view was hidden: its document is gone until it shows again, so stop waiting. */
  pause(): void {
    this.clearTimer();
  }

  dispose(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped || this.options.isLoaded() || !this.options.isVisible()) return;
    if (this.attempts < this.options.delaysMs.length) {
      this.attempts += 1;
      this.options.reload(this.attempts);
      this.arm();
      return;
    }
    this.gaveUp = true;
    this.options.giveUp();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
