// One real VS Code (code-server) and one Chromium page shared by all UI tests, started by
// hooks.entry.ts. Each test file is bundled on its own, so the session is kept on globalThis
// rather than in module state.
import type { Browser, ConsoleMessage, FrameLocator, Page } from 'playwright-core';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser } from '../harness/browser';
import { CodeServer, quietWorkbenchSettings, repoRoot, startCodeServer, workbenchUrl } from '../harness/codeServer';
import { createTestWorkspace, removeTestWorkspace } from '../harness/workspace';
import { ScriptedModelServer, startScriptedModelServer } from '../model/scriptedModelServer';

export const artifactsDir = join(repoRoot, 'test-artifacts');
export const screenshotsDir = join(artifactsDir, 'screenshots');
export const EXTENSION_ID = 'codeact-dev.codeact';

export interface UiSession {
  readonly server: CodeServer;
  /** The model stand-in the extension talks to over real HTTP. */
  readonly model: ScriptedModelServer;
  readonly browser: Browser;
  readonly page: Page;
  readonly workspace: string;
  /** Every console message of the page and its frames (webviews included). */
  readonly consoleMessages: string[];
}

const KEY = '__codeactUiSession';
type GlobalWithSession = typeof globalThis & { [KEY]?: UiSession };

export function session(): UiSession {
  const current = (globalThis as GlobalWithSession)[KEY];
  if (!current) throw new Error('the UI session is not started (hooks.entry.ts runs first)');
  return current;
}

export async function startSession(userSettings: Record<string, unknown> = {}): Promise<UiSession> {
  const workspace = createTestWorkspace('ui');
  const model = await startScriptedModelServer();
  const server = await startCodeServer({
    workspace,
    keepLogsIn: join(artifactsDir, 'logs', 'ui'),
    userSettings: quietWorkbenchSettings({ 'codeact.baseUrl': model.baseUrl, 'codeact.model': 'scripted-model', ...userSettings }),
  });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleMessages: string[] = [];
  page.on('console', (message: ConsoleMessage) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  await page.goto(workbenchUrl(server, workspace));
  await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
  const created: UiSession = { server, model, browser, page, workspace, consoleMessages };
  (globalThis as GlobalWithSession)[KEY] = created;
  return created;
}

export async function stopSession(): Promise<void> {
  const current = (globalThis as GlobalWithSession)[KEY];
  if (!current) return;
  delete (globalThis as GlobalWithSession)[KEY];
  await current.browser.close().catch(() => undefined);
  await current.server.stop();
  await current.model.close();
  removeTestWorkspace(current.workspace);
}

/** The CodeAct icon in the activity bar. */
export function activityBarIcon(page: Page) {
  return page.locator('.activitybar a[aria-label^="CodeAct"], .activitybar .action-label[aria-label^="CodeAct"]').first();
}

/** The inside of the chat webview (not notebook output webviews, which share the class). */
export function chatFrame(page: Page): FrameLocator {
  return page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`).frameLocator('iframe#active-frame');
}

/**
 * Opens the CodeAct view as a person would: a click on its activity bar icon (unless it is
 * already showing: a click would hide it), else "CodeAct: Focus on Chat View".
 */
export async function openChatView(page: Page): Promise<FrameLocator> {
  const frame = chatFrame(page);
  const ready = frame.locator('#app[data-state="ready"]');
  if (await ready.isVisible().catch(() => false)) return frame;
  const sidebarShowsCodeAct = await page
    .locator('.part.sidebar .composite.title', { hasText: /CodeAct/i })
    .isVisible()
    .catch(() => false);
  if (!sidebarShowsCodeAct) await activityBarIcon(page).click();
  try {
    await ready.waitFor({ timeout: 15_000 });
  } catch {
    await runCommandFromPalette(page, 'CodeAct: Focus on Chat View');
    try {
      await ready.waitFor({ timeout: 60_000 });
    } catch (error) {
      await saveScreenshot(page, `open-chat-view-failed-${Date.now()}`);
      console.error(`the chat view did not load; recent console:\n${session().consoleMessages.slice(-25).join('\n')}`);
      throw error;
    }
  }
  return frame;
}

/**
 * Runs a command from the command palette, as a person would. F1 pressed while focus is in a
 * webview is not always passed on to the workbench, and the palette can close again while it
 * opens (focus moving after a reload): then focus is taken out of the webview's frame, as a
 * click elsewhere would, and the palette opened again.
 */
export async function runCommandFromPalette(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 5_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    }
  }
  // Click the row whose label is exactly the command (fuzzy matching ranks others first);
  // a keybinding, if any, follows the title after a comma.
  const escaped = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exact = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escaped}$`) }) })
    .first();
  await exact.waitFor();
  await exact.click();
}

export async function saveScreenshot(page: Page, name: string, clip?: 'sidebar'): Promise<string> {
  mkdirSync(screenshotsDir, { recursive: true });
  const path = join(screenshotsDir, `${name}.png`);
  if (clip === 'sidebar') {
    await page.locator('.part.sidebar').screenshot({ path });
  } else {
    await page.screenshot({ path });
  }
  return path;
}

/** Everything our extension wrote to its "CodeAct" log channel so far. */
export function extensionLog(): string {
  const logsRoot = join(session().server.userDataDir, 'logs');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'CodeAct.log' || path.includes(EXTENSION_ID)) found.push(readFileSync(path, 'utf8'));
    }
  };
  try {
    walk(logsRoot);
  } catch {
    return '';
  }
  return found.join('\n');
}

/** Opens a workspace file in the editor through Quick Open, as a person would. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Reads a notebook of the test workspace from disk, as Jupyter would. */
export function readNotebookFile(name: string): { cells: { source: string | string[]; metadata: Record<string, unknown>; outputs?: { output_type: string; text?: string | string[] }[] }[] } {
  return JSON.parse(readFileSync(join(session().workspace, name), 'utf8')) as ReturnType<typeof readNotebookFile>;
}

export function joined(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('') : (value ?? '');
}

/**
 * Opens the demo notebook and a new, empty chat beside it: a test's own chat, so that "Allow
 * all in this chat" or the transcript of another test does not carry over.
 */
export async function newChatOnSalesNotebook(page: Page): Promise<FrameLocator> {
  await quickOpen(page, 'sales.ipynb');
  await page.locator('.tabs-container .tab', { hasText: 'sales.ipynb' }).first().waitFor({ timeout: 30_000 });
  await page.locator('.notebook-editor >> visible=true').first().waitFor({ timeout: 30_000 });
  await openChatView(page);
  await runCommandFromPalette(page, 'CodeAct: New Chat');
  return openChatView(page);
}

/** Types a message into the chat and presses Enter. */
export async function sendChatMessage(chat: FrameLocator, text: string): Promise<void> {
  const input = chat.getByRole('textbox', { name: 'Message to CodeAct' });
  await input.click();
  await input.fill(text);
  await input.press('Enter');
}

export type ThemeKind = 'light' | 'dark';

/** Whether the workbench shows a light or a dark theme now (its theme-type class). */
export async function colorThemeKind(page: Page): Promise<ThemeKind> {
  const light = await page.locator('.monaco-workbench').first().evaluate((element) => element.classList.contains('vs') || element.classList.contains('hc-light'));
  return light ? 'light' : 'dark';
}

/**
 * Switches the workbench colour theme through "Preferences: Color Theme", as a person would,
 * and waits until the workbench and (when it shows) the chat view have taken it: each webview
 * gets the new theme by a message of its own, after the workbench.
 */
export async function setColorTheme(theme: string, kind: ThemeKind): Promise<void> {
  const { page } = session();
  await runCommandFromPalette(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(theme);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  await page.waitForFunction((light) => {
    const classes = document.querySelector('.monaco-workbench')?.classList;
    return light ? classes?.contains('vs') : classes?.contains('vs-dark');
  }, kind === 'light');
  const chat = chatFrame(page);
  if (await chat.locator('#app[data-state="ready"]').isVisible().catch(() => false)) await chat.locator(`body.vscode-${kind}`).waitFor();
}

/**
 * Replaces `from` with `to` in the user's settings.json, in VS Code's own editor ("Preferences:
 * Open User Settings (JSON)", then Replace All), as a person would, and saves it. (code-server
 * does not notice a change made on disk to application-wide settings such as codeact.baseUrl.)
 */
export async function replaceInUserSettings(from: string, to: string): Promise<void> {
  const { page, server } = session();
  const file = join(server.userDataDir, 'User', 'settings.json');
  await runCommandFromPalette(page, 'Preferences: Open User Settings (JSON)');
  const editor = page.locator('.editor-instance .monaco-editor').first();
  await editor.waitFor({ timeout: 15_000 });
  await editor.click();
  await page.keyboard.press('Control+H');
  const find = page.getByRole('textbox', { name: 'Find' });
  const replace = page.getByRole('textbox', { name: 'Replace' });
  await find.fill(from);
  await replace.fill(to);
  await page.getByRole('button', { name: /^Replace All/ }).click();
  await editor.click();
  await page.keyboard.press('Control+S');
  const deadline = Date.now() + 15_000;
  while (!readFileSync(file, 'utf8').includes(to) || readFileSync(file, 'utf8').includes(from)) {
    if (Date.now() > deadline) throw new Error(`settings.json was not saved with ${to}`);
    await page.waitForTimeout(100);
  }
  await runCommandFromPalette(page, 'View: Close Editor');
}
