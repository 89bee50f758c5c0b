import * as assert from 'node:assert/strict';
import type { ConsoleMessage, Page } from 'playwright-core';
import { reply } from '../model/scriptedModelServer';
import { EXTENSION_ID, activityBarIcon, chatFrame, extensionLog, openChatView, runCommandFromPalette, saveScreenshot, sendChatMessage, session } from './session';

/**
 * In browser-hosted VS Code every webview frame is a copy of the workbench's webview host page
 * (webview/browser/pre/index.html), which renders the extension's HTML only once its own
 * service worker controls the frame: when it finds another controller it logs "Found unexpected
 * service worker controller … Waiting for controllerchange" and waits for that event, with no
 * timeout and no retry; every later `webview.html` (a 'content' message) waits behind the same
 * promise. In code-server the workbench's own service worker (scope "/") and the workers of
 * other webviews (same origin, same scope) race for the frame, and a frame that loses the race
 * stays blank for good.
 *
 * Here the race is lost for real: a copy of the host page's own service worker, registered under
 * another script URL for a scope that holds only the host page (…/pre/index.html), controls the
 * next frame, so that frame logs the same message and waits forever (the webview's worker claims
 * only frames of its own, wider scope). Unregistering it leaves that frame stuck, as after the
 * real race, while a frame built afterwards loads.
 */
const INTRUDER_ID = 'codeact-test-intruder';

/** The folder of the webview host page, read from the chat view's frame. */
async function webviewHostFolder(page: Page): Promise<string> {
  const src = await page.locator(`iframe.webview[src*="extensionId=${EXTENSION_ID}"]`).first().getAttribute('src');
  if (!src?.includes("/pre/index.html")) assert.fail(`the chat view's frame is the webview host page: ${String(src)}`);
  return new URL('.', new URL(src, page.url())).href;
}

/** Registers the intruding worker and waits until it is active. */
async function registerIntruder(page: Page, hostFolder: string): Promise<void> {
  await page.evaluate(
    async ({ folder, id }) => {
      const registration = await navigator.serviceWorker.register(`${folder}service-worker.js?v=4&vscode-resource-base-authority=vscode-resource.vscode-cdn.net&id=${id}`, {
        scope: `${folder}index.html`,
      });
      const worker = registration.installing ?? registration.waiting ?? registration.active;
      if (!worker || worker.state === 'activated') return;
      await new Promise<void>((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    },
    { folder: hostFolder, id: INTRUDER_ID },
  );
}

async function unregisterIntruder(page: Page, hostFolder: string): Promise<void> {
  await page.evaluate(async (folder) => {
    const registration = await navigator.serviceWorker.getRegistration(`${folder}index.html`);
    if (registration?.scope === `${folder}index.html`) await registration.unregister();
  }, hostFolder);
}

/** Resolves when a webview host page logs that the intruder holds it and it waits. */
function hostPageWaitsForController(page: Page): Promise<ConsoleMessage> {
  return page.waitForEvent('console', {
    predicate: (message) => /Found unexpected service worker controller\. Found: .*id=codeact-test-intruder.*Waiting for controllerchange/.test(message.text()),
    timeout: 60_000,
  });
}

/** Hides the chat view (its frame is disposed) and waits until the frame is gone. */
async function hideChatView(page: Page): Promise<void> {
  await runCommandFromPalette(page, 'View: Show Explorer');
  await chatFrame(page).locator('#app').waitFor({ state: 'detached' });
}

describe('A chat view whose webview never loaded', () => {
  it('builds its frame again by itself when the host page waits for a service worker that never comes, and keeps the chat', async function () {
    this.timeout(240_000);
    const { page, model } = session();
    model.setScript([reply.text('Noted.')]);
    await openChatView(page);
    await runCommandFromPalette(page, 'CodeAct: New Chat');
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'a line to keep');
    await chat.locator('.entry-assistant', { hasText: 'Noted.' }).waitFor({ timeout: 20_000 });
    const hostFolder = await webviewHostFolder(page);
    await hideChatView(page);
    await registerIntruder(page, hostFolder);
    try {
      const stuck = hostPageWaitsForController(page);
      await activityBarIcon(page).click();
      await stuck;
    } finally {
      await unregisterIntruder(page, hostFolder);
    }
    // Nobody touches anything now. Setting the HTML again cannot help (it waits in the same
    // host page); the extension has to have the workbench build a new frame.
    await chatFrame(page).locator('#app[data-state="ready"]').waitFor({ timeout: 60_000 });
    await chatFrame(page).locator('.entry-user', { hasText: 'a line to keep' }).waitFor({ timeout: 10_000 });
    assert.match(extensionLog(), /did not start; building the view's frame again/);
  });

  it('when no new frame loads either, says so in the view title and a notification, whose Reload Window brings the chat back', async function () {
    this.timeout(300_000);
    const { page } = session();
    await openChatView(page);
    const hostFolder = await webviewHostFolder(page);
    await hideChatView(page);
    // The intruder stays this time: every frame built for the view is held as the first was.
    await registerIntruder(page, hostFolder);
    const sidebar = page.locator('.part.sidebar');
    const titleAction = sidebar.getByRole('button', { name: 'Reload Window' });
    try {
      const stuck = hostPageWaitsForController(page);
      await activityBarIcon(page).click();
      await stuck;
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'the chat view did not load' });
      await toast.waitFor({ timeout: 180_000 });
      assert.equal(await toast.getByRole('button', { name: 'Reload Window' }).isVisible(), true, 'the notification offers Reload Window');
      await titleAction.waitFor({ timeout: 10_000 });
      assert.match((await sidebar.locator('.composite.title').textContent()) ?? '', /did not load/i, 'the view\'s title says it');
      assert.match(extensionLog(), /did not load after several attempts/);
      await saveScreenshot(page, 'chat-view-did-not-load', 'sidebar');
    } finally {
      await unregisterIntruder(page, hostFolder);
    }
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), titleAction.click()]);
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    const chat = await openChatView(page);
    await chat.getByRole('textbox', { name: 'Message to CodeAct' }).waitFor();
    assert.equal(await sidebar.getByRole('button', { name: 'Reload Window' }).count(), 0, 'a loaded view offers no reload');
    assert.doesNotMatch((await sidebar.locator('.composite.title').textContent()) ?? '', /did not load/i);
  });
});
