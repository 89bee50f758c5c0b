// Opens the chat webview (dist/webview.js + dist/webview.css) in a plain Chromium page, under the
// same strict CSP shape as VS Code's, with a stub `acquireVsCodeApi` that records what the
// webview posts. Tests and `npm run bench` drive it with the host's messages. Needs `npm run build`.
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../src/shared/protocol';
import { launchBrowser } from '../harness/browser';
import { repoRoot } from '../harness/codeServer';
import { ThemeKind, themeBodyClass, themeStylesheet } from './webviewThemes';
import { chatDocument } from '../../src/chat/chatDocument';
import { chatContentSecurityPolicy } from '../../src/shared/csp';

export interface WebviewPageOptions {
  readonly theme?: ThemeKind;
  readonly width?: number;
  readonly height?: number;
}

export interface WebviewPage {
  readonly page: Page;
  readonly url: string;
  /** Delivers a host message synchronously, as the webview's message event. */
  post(message: HostToWebviewMessage): Promise<void>;
  /** Everything the webview posted to the host so far. */
  posted(): Promise<WebviewToHostMessage[]>;
  clearPosted(): Promise<void>;
  /** Console lines about CSP or script errors, plus `webviewProblem` messages the webview posted. */
  problems(): Promise<string[]>;
  /** Reloads the page, keeping the webview's saved UI state, as when VS Code rebuilds a hidden view. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css', ttf: 'font/ttf', map: 'application/json' };

function pageHtml(origin: string, nonce: string, theme: ThemeKind): string {
  // The same policy the extension gives the real view.
  const csp = chatContentSecurityPolicy(origin, nonce);
  // The stub keeps setState in sessionStorage so a reload sees it, like VS Code's getState.
  const stub = `
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => JSON.parse(sessionStorage.getItem('codeact-ui-state') || 'null') ?? undefined,
      setState: (state) => sessionStorage.setItem('codeact-ui-state', JSON.stringify(state)),
    });`;
  return chatDocument({
    csp,
    nonce,
    stylesheets: [`${origin}/theme.css?kind=${theme}`, `${origin}/dist/webview.css`],
    script: `${origin}/dist/webview.js`,
    bodyAttributes: `class="${themeBodyClass(theme)}" data-vscode-theme-kind="${themeBodyClass(theme)}"`,
    prelude: stub,
  });
}

async function serve(theme: ThemeKind): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const origin = `http://${request.headers.host ?? ''}`;
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(pageHtml(origin, randomBytes(16).toString('base64'), theme));
      return;
    }
    if (url.pathname === '/theme.css') {
      response.writeHead(200, { 'content-type': 'text/css' });
      response.end(themeStylesheet((url.searchParams.get('kind') as ThemeKind | null) ?? theme));
      return;
    }
    const match = /^\/dist\/(webview\.(?:js|css)(?:\.map)?|codicon\.ttf)$/.exec(url.pathname);
    if (!match?.[1]) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(repoRoot, 'dist', match[1]));
      response.writeHead(200, { 'content-type': CONTENT_TYPES[match[1].split('.').pop() ?? ''] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Opens the chat webview in a new page of `browser`; waits until it has posted `ready`. */
export async function openWebviewPage(browser: Browser, options: WebviewPageOptions = {}): Promise<WebviewPage> {
  const theme = options.theme ?? 'dark';
  const { server, origin } = await serve(theme);
  const context = await browser.newContext({ viewport: { width: options.width ?? 420, height: options.height ?? 900 }, colorScheme: theme === 'light' ? 'light' : 'dark' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  const consoleProblems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (/Content Security Policy|Refused to|Uncaught/i.test(message.text())) consoleProblems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
  const load = async (): Promise<void> => {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  };
  await load();
  const posted = (): Promise<WebviewToHostMessage[]> => page.evaluate(() => (window as unknown as { __posted: WebviewToHostMessage[] }).__posted);
  return {
    page,
    url: origin,
    post: (message) =>
      page.evaluate((data) => {
        window.dispatchEvent(new MessageEvent('message', { data }));
      }, message),
    posted,
    clearPosted: () =>
      page.evaluate(() => {
        (window as unknown as { __posted: unknown[] }).__posted = [];
      }),
    problems: async () => [...consoleProblems, ...(await posted()).filter((m) => m.type === 'webviewProblem').map((m) => JSON.stringify(m))],
    reload: load,
    close: async () => {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Only the messages of one type, typed. */
export function messagesOfType<T extends WebviewToHostMessage['type']>(messages: readonly WebviewToHostMessage[], type: T): Extract<WebviewToHostMessage, { type: T }>[] {
  return messages.filter((m): m is Extract<WebviewToHostMessage, { type: T }> => m.type === type);
}

/** What a mocha suite gets from {@link useWebviewPage}: the current page, and a way to reopen it. */
export interface WebviewPageFixture {
  readonly view: WebviewPage;
  reopen(options: WebviewPageOptions): Promise<WebviewPage>;
  /** Fails when the page logged a CSP violation or script error, or the webview reported one. */
  expectNoProblems(): Promise<void>;
}

/** Registers mocha hooks: one browser for the suite, a fresh webview page for each test. */
export function useWebviewPage(): WebviewPageFixture {
  let browser: Browser | undefined;
  let current: WebviewPage | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    current = await openWebviewPage(browser!);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get view(): WebviewPage {
      if (!current) throw new Error('no webview page outside a test');
      return current;
    },
    async reopen(options) {
      await current?.close();
      current = await openWebviewPage(browser!, options);
      return current;
    },
    async expectNoProblems() {
      const problems = current ? await current.problems() : [];
      if (problems.length > 0) throw new Error(`the webview reported problems:\n${problems.join('\n')}`);
    },
  };
}

/**
 * Streams `deltas` into the assistant entry `entryId` inside the page, each delivered
 * synchronously as the host's `assistantDelta` message; with `finalText`, then the host's final
 * `entryUpdated` (streaming: false). Returns the milliseconds the page spent rendering them
 * (for `npm run bench`).
 */
export async function streamDeltas(page: Page, entryId: string, deltas: readonly string[], finalText?: string): Promise<number> {
  return page.evaluate(
    ({ id, chunks, text }) => {
      const deliver = (data: unknown): void => {
        window.dispatchEvent(new MessageEvent('message', { data }));
      };
      const started = performance.now();
      for (const delta of chunks) deliver({ type: 'assistantDelta', entryId: id, delta });
      if (text !== undefined) deliver({ type: 'entryUpdated', entry: { kind: 'assistant', id, text, streaming: false } });
      return performance.now() - started;
    },
    { id: entryId, chunks: deltas, text: finalText },
  );
}
