import * as vscode from 'vscode';

/**
 * Has the workbench build a webview view's frame anew, as hiding the view and showing it again
 * does.
 *
 * Why not just set `webview.html` again: in browser-hosted VS Code (code-server, vscode.dev,
 * Codespaces) each webview frame is the workbench's host page (webview/browser/pre/index.html),
 * which renders the extension's HTML only after its own service worker controls the frame. When
 * it finds another controller (code-server's own worker for "/", or the worker another webview
 * registered a moment later on the same origin) it logs "Found unexpected service worker
 * controller … Waiting for controllerchange" and waits for one `controllerchange`, with no
 * timeout and no retry. Every `webview.html` (and "Developer: Reload Webviews") posts a
 * 'content' message that awaits that same promise in that same frame, so it never renders.
 * Nothing in the webview API replaces the frame. What does is VS Code's own lifecycle: without
 * `retainContextWhenHidden` a view that is hidden loses its frame (the overlay webview's
 * `release` disposes it) and gets a new one when shown, which registers its worker afresh and
 * is given the last HTML.
 *
 * The API cannot hide a view or say where it is (primary or secondary sidebar, panel), so each
 * part that can hold it is closed in turn until the view reports itself hidden; a part that did
 * not hold it is toggled back at once, leaving the layout as it was. The view is then shown
 * without taking focus, which reopens its part.
 */
const PART_TOGGLES = ['workbench.action.toggleSidebarVisibility', 'workbench.action.toggleAuxiliaryBar', 'workbench.action.togglePanel'] as const;

/**
 * How long a closed part may take to tell the extension host that the view is hidden. Right
 * after a window reload the workbench is busy and the notice can take seconds.
 */
const HIDE_NOTICE_MS = 5_000;

/**
 * Rebuilds the frame of a visible view. Resolves true once the view was hidden and shown
 * again; false when no part held it (the caller then falls back to setting its HTML again).
 */
export async function rebuildWebviewViewFrame(view: vscode.WebviewView, hiddenForMs = 0): Promise<boolean> {
  const showAgain = async (): Promise<true> => {
    // A frame built at once can be claimed by the same stray worker: a registration that was
    // removed stays in force while a frame still uses it, and the old frame goes a moment
    // after the view reports itself hidden. The caller waits longer on each attempt.
    if (hiddenForMs > 0) await new Promise((resolve) => setTimeout(resolve, hiddenForMs));
    view.show(true);
    return true;
  };
  let toggled = false;
  for (const toggle of PART_TOGGLES) {
    // Hidden already: by the last toggle, whose notice came after we gave up on it (and
    // toggled it back), so show it; or by the user before we began, so leave it (it gets a
    // new frame when shown).
    if (!view.visible) return toggled ? showAgain() : true;
    const hidden = whenHidden(view, HIDE_NOTICE_MS);
    try {
      await vscode.commands.executeCommand(toggle);
    } catch {
      hidden.cancel();
      continue; // a host without this part
    }
    toggled = true;
    if (await hidden.promise) return showAgain();
    await vscode.commands.executeCommand(toggle).then(undefined, () => undefined);
  }
  return false;
}

function whenHidden(view: vscode.WebviewView, timeoutMs: number): { promise: Promise<boolean>; cancel(): void } {
  let finish: (hidden: boolean) => void = () => undefined;
  const promise = new Promise<boolean>((resolve) => {
    const listener = view.onDidChangeVisibility(() => {
      if (!view.visible) finish(true);
    });
    const timer = setTimeout(() => finish(!view.visible), timeoutMs);
    finish = (hidden) => {
      clearTimeout(timer);
      listener.dispose();
      resolve(hidden);
    };
  });
  return { promise, cancel: () => finish(false) };
}
