// The chat webview on its own, in Chromium, driven with the host's messages: no VS Code needed.
// Asserts what a person would notice: what renders, what runs (nothing from a reply), and what
// the buttons and keys post to the host. The code action cards are in webviewRendererCards.
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Marked } from 'marked';
import type { Locator, Page } from 'playwright-core';
import { screenshotsDir } from './session';
import { SAMPLE_REPLY, TRICKY_REPLY, action, assistant, barChartPng, chunkDeterministically, sampleReplyTokens, snapshot } from './webviewFixtures';
import { WebviewPage, messagesOfType, streamDeltas, useWebviewPage } from './webviewPage';

const MARKDOWN_TAGS = ['h2', 'p', 'ol', 'ul', 'li', 'strong', 'em', 'a', 'code', 'pre', 'table', 'tr', 'th', 'td', 'blockquote'];

/** How many of each markdown tag marked's own full rendering of `text` has, parsed by the page's (inert) HTML parser. */
async function referenceTagCounts(page: Page, text: string): Promise<Record<string, number>> {
  const html = new Marked({ gfm: true }).parse(text, { async: false });
  return page.evaluate(
    ({ source, tags }) => {
      const parsed = new DOMParser().parseFromString(source, 'text/html');
      return Object.fromEntries(tags.map((tag) => [tag, parsed.body.querySelectorAll(tag).length]));
    },
    { source: html, tags: MARKDOWN_TAGS },
  );
}

async function renderedTagCounts(body: Locator): Promise<Record<string, number>> {
  return body.evaluate(
    (element, tags) => Object.fromEntries(tags.map((tag) => [tag, element.querySelectorAll(tag).length])),
    MARKDOWN_TAGS,
  );
}

const ofType = messagesOfType;

describe('The chat webview renderer: replies, header and composer', function () {
  const fixture = useWebviewPage();
  let view: WebviewPage;
  beforeEach(() => {
    view = fixture.view;
  });
  const expectNoProblems = (): Promise<void> => fixture.expectNoProblems();

  describe('markdown replies', () => {
    it('streams markdown that renders like marked does and like a one-shot rendering', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      for (const [index, max] of [1, 4, 40].entries()) {
        const streamed = `streamed-${index}`;
        await view.post({ type: 'entryAdded', entry: assistant(streamed, '', true) });
        const chunks = chunkDeterministically(SAMPLE_REPLY, index + 7, max);
        // Stop part-way, inside the python block.
        const cut = chunks.findIndex((_, i) => chunks.slice(0, i).join('').includes('# Monthly totals'));
        await streamDeltas(view.page, streamed, chunks.slice(0, cut));
        const heading = await view.page.locator(`[data-entry-id="${streamed}"] h2`).elementHandle();
        const openBlock = view.page.locator(`[data-entry-id="${streamed}"] .code-block`);
        assert.match((await openBlock.textContent()) ?? '', /import pandas as pd\s+# Monthly totals/, 'the open code block shows what arrived');
        assert.equal(await openBlock.locator('.tok-keyword', { hasText: 'import' }).count(), 1, 'and is highlighted already');
        await streamDeltas(view.page, streamed, chunks.slice(cut), SAMPLE_REPLY);
        assert.equal(await heading?.evaluate((element) => element.isConnected), true, 'finished blocks are rendered once, not per token');
        const whole = `whole-${index}`;
        await view.post({ type: 'entryAdded', entry: assistant(whole, SAMPLE_REPLY) });
        const streamedBody = view.page.locator(`[data-entry-id="${streamed}"] .entry-body`);
        const wholeBody = view.page.locator(`[data-entry-id="${whole}"] .entry-body`);
        assert.equal(await streamedBody.innerHTML(), await wholeBody.innerHTML(), `chunks of up to ${max} characters render like the whole text`);
        assert.deepEqual(await renderedTagCounts(streamedBody), await referenceTagCounts(view.page, SAMPLE_REPLY));
        assert.equal(await view.page.locator(`[data-entry-id="${streamed}"]`).getAttribute('aria-busy'), 'false');
      }
      const body = view.page.locator('[data-entry-id="streamed-0"] .entry-body');
      assert.equal(await body.locator('h2').first().textContent(), 'Revenue by month');
      assert.equal(await body.locator('ol > li > p').count(), 3, 'a loose ordered list stays one list');
      assert.equal(await body.locator('ul ul > li').count(), 2, 'nested list');
      assert.equal(await body.locator('.code-block').count(), 2);
      assert.equal(await body.locator('.code-block-language').first().textContent(), 'python');
      assert.equal(await body.locator('.tok-keyword', { hasText: 'import' }).count(), 1, 'python is highlighted');
      assert.equal(await body.locator('.tok-comment').first().textContent(), '# Monthly totals, newest last');
      assert.equal(await body.locator('a').getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await body.locator('h2', { hasText: 'Setext heading' }).count(), 1);
      await expectNoProblems();
    });

    it('streams tricky markdown (lists, fences, link definitions, tables) like a one-shot rendering', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      await view.post({ type: 'entryAdded', entry: assistant('whole', TRICKY_REPLY) });
      const whole = await view.page.locator('[data-entry-id="whole"] .entry-body').innerHTML();
      for (const [index, max] of [1, 2, 5, 13, 64].entries()) {
        const id = `streamed-${index}`;
        await view.post({ type: 'entryAdded', entry: assistant(id, '', true) });
        await streamDeltas(view.page, id, chunkDeterministically(TRICKY_REPLY, index + 3, max), TRICKY_REPLY);
        assert.equal(await view.page.locator(`[data-entry-id="${id}"] .entry-body`).innerHTML(), whole, `chunks of up to ${max} characters`);
      }
      const body = view.page.locator('[data-entry-id="whole"] .entry-body');
      assert.deepEqual(await body.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))), ['https://example.com/guide', 'https://example.com/docs']);
      assert.equal(await body.locator('ol').count(), 1, 'one ordered list');
      assert.equal(await body.locator('input').count(), 0, 'task boxes are text, not inputs');
      assert.deepEqual(await renderedTagCounts(body), await referenceTagCounts(view.page, TRICKY_REPLY));
      await expectNoProblems();
    });

    it('copies a code block with its copy button', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [assistant('a1', 'Try:\n\n```python\nprint("hi")\n```')] }) });
      const copy = view.page.locator('.code-block').getByRole('button', { name: 'Copy code' });
      await copy.click();
      await view.page.locator('.code-block').getByRole('button', { name: 'Copied' }).waitFor();
      assert.equal(await view.page.evaluate(() => navigator.clipboard.readText()), 'print("hi")');
    });

    it('copies a whole finished reply as the model wrote it', async () => {
      const text = 'Revenue peaked in **March**:\n\n- 42 units\n- `sales.csv`';
      await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [assistant('a-copy', text)] }) });
      const reply = view.page.locator('[data-entry-id="a-copy"]');
      await reply.hover();
      await reply.getByRole('button', { name: 'Copy reply' }).click();
      await reply.getByRole('button', { name: 'Copied' }).waitFor();
      assert.equal(await view.page.evaluate(() => navigator.clipboard.readText()), text);
      await view.post({ type: 'entryAdded', entry: assistant('a-live', 'Still typ', true) });
      assert.equal(await view.page.locator('[data-entry-id="a-live"]').getByRole('button', { name: 'Copy reply' }).isVisible(), false, 'not while it streams');
    });

    it('shows a reply whose first words are still arriving and finishes it on entryUpdated', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot({ busy: 'streaming' }) });
      await view.post({ type: 'entryAdded', entry: assistant('a1', '', true) });
      const entry = view.page.locator('[data-entry-id="a1"]');
      assert.equal(await entry.getAttribute('aria-busy'), 'true');
      await view.post({ type: 'assistantDelta', entryId: 'a1', delta: 'Loading the ```python\nimport pandas' });
      await view.post({ type: 'assistantDelta', entryId: 'a1', delta: ' as pd\n' });
      await view.post({ type: 'entryUpdated', entry: assistant('a1', 'Loading the ```python\nimport pandas as pd\n') });
      assert.equal(await entry.getAttribute('aria-busy'), 'false');
      assert.match((await entry.textContent()) ?? '', /import pandas as pd/);
    });

    it('renders HTML, scripts and javascript: links in a reply as inert text', async () => {
      const hostile = [
        'Here: <img src=x onerror="window.__pwned=\'img\'"> and <script>window.__pwned=\'script\'</script>',
        '',
        '<iframe src="javascript:window.__pwned=\'iframe\'"></iframe>',
        '',
        '[click me](javascript:window.__pwned=\'link\') <a href="javascript:window.__pwned=\'a\'" onclick="window.__pwned=\'onclick\'">raw link</a>',
        '',
        '<div style="color:red" onmouseover="window.__pwned=\'hover\'">styled</div>',
        '',
        '![remote](https://example.com/x.png) <svg onload="window.__pwned=\'svg\'"></svg> <b>bold</b>',
      ].join('\n');
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      await view.post({ type: 'entryAdded', entry: assistant('evil', '', true) });
      await streamDeltas(view.page, 'evil', chunkDeterministically(hostile, 3, 6), hostile);
      const entry = view.page.locator('[data-entry-id="evil"]');
      for (const link of await entry.locator('a').all()) await link.click();
      await entry.getByText('styled').hover();
      await view.page.waitForTimeout(300);
      assert.equal(await view.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined, 'nothing from the reply ran');
      const dangerous = await entry.evaluate((element) =>
        Array.from(element.querySelectorAll('*'))
          .filter((node) => ['IMG', 'SCRIPT', 'IFRAME', 'SVG', 'svg'].includes(node.tagName) || node.hasAttribute('style') || Array.from(node.attributes).some((a) => a.name.startsWith('on') || /javascript:/i.test(a.value)))
          .map((node) => node.outerHTML),
      );
      assert.deepEqual(dangerous, []);
      const text = (await entry.textContent()) ?? '';
      assert.match(text, /<img src=x onerror=/, 'the HTML is shown as text');
      assert.match(text, /<script>window.__pwned='script'<\/script>/);
      assert.match(text, /\[image: remote\]/);
      assert.equal(await entry.locator('b', { hasText: 'bold' }).count(), 1, 'plain formatting tags still render');
      await expectNoProblems();
    });
  });

  describe('header and composer', () => {
    it('Enter sends, Shift+Enter inserts a new line', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      const input = view.page.getByRole('textbox', { name: 'Message to CodeAct' });
      await input.click();
      await view.page.keyboard.type('line one');
      await view.page.keyboard.press('Shift+Enter');
      await view.page.keyboard.type('line two');
      assert.equal(await input.inputValue(), 'line one\nline two');
      assert.deepEqual(ofType(await view.posted(), 'sendMessage'), []);
      await view.page.keyboard.press('Enter');
      assert.deepEqual(ofType(await view.posted(), 'sendMessage'), [{ type: 'sendMessage', text: 'line one\nline two' }]);
      assert.equal(await input.inputValue(), '');
    });

    it('Stop shows while busy; the button and Escape post stop', async () => {
      const s = snapshot();
      await view.post({ type: 'snapshot', snapshot: s });
      const stop = view.page.getByRole('button', { name: 'Stop', exact: true });
      assert.equal(await stop.isVisible(), false);
      await view.post({ type: 'status', busy: 'streaming', header: s.header, usage: { inputTokens: 12_000, outputTokens: 345, costUsd: 0.0123 }, allowAllInChat: false });
      assert.equal(await stop.isVisible(), true);
      assert.equal(await view.page.getByRole('status').filter({ hasText: 'Thinking' }).count(), 1);
      assert.equal(await view.page.locator('.usage-meter').textContent(), '12.3k tokens · $0.012');
      await stop.click();
      await view.page.getByRole('textbox', { name: 'Message to CodeAct' }).press('Escape');
      assert.equal(ofType(await view.posted(), 'stop').length, 2);
      await view.post({ type: 'status', busy: 'idle', header: s.header, usage: { inputTokens: 12_000, outputTokens: 345, costUsd: 0.0123, estimated: true }, allowAllInChat: false });
      assert.equal(await stop.isVisible(), false);
      assert.equal(await view.page.locator('.usage-meter').textContent(), '≈12.3k tokens · $0.012', 'estimated usage says so');
      assert.match((await view.page.locator('.usage-meter').getAttribute('title')) ?? '', /Some of these are estimates/);
      await view.page.getByRole('textbox', { name: 'Message to CodeAct' }).press('Escape');
      assert.equal(ofType(await view.posted(), 'stop').length, 2, 'Escape does nothing when idle');
    });

    it('Enter while CodeAct works keeps the draft and says why it was not sent', async () => {
      const s = snapshot();
      await view.post({ type: 'snapshot', snapshot: s });
      await view.post({ type: 'status', busy: 'awaitingApproval', header: s.header, usage: s.usage, allowAllInChat: false });
      const input = view.page.getByRole('textbox', { name: 'Message to CodeAct' });
      await input.fill('use polars instead');
      await input.press('Enter');
      assert.deepEqual(ofType(await view.posted(), 'sendMessage'), []);
      assert.equal(await input.inputValue(), 'use polars instead', 'the draft is kept');
      assert.match((await view.page.locator('.composer-status').textContent()) ?? '', /Decide on the action above first/);
    });

    it('header buttons change the notebook, kernel and model', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      await view.page.getByRole('button', { name: /^notebook: sales\.ipynb/ }).click();
      await view.page.getByRole('button', { name: /^kernel: Python 3\.12/ }).click();
      await view.page.getByRole('button', { name: /^model: gpt-4o-mini/ }).click();
      assert.deepEqual(await view.posted().then((all) => all.filter((m) => m.type !== 'ready')), [
        { type: 'changeHeader', target: 'notebook' },
        { type: 'changeHeader', target: 'kernel' },
        { type: 'changeHeader', target: 'model' },
      ]);
      assert.equal(await view.page.getByRole('button', { name: 'New chat' }).count(), 0, 'New chat is the view title action, not repeated');
    });

    it('Past chats lists earlier chats and opens the one clicked', async () => {
      const now = Date.now();
      const pastChats = [
        { id: 'chat-1', title: 'Sales analysis', updatedAt: now },
        { id: 'chat-0', title: 'Churn model', updatedAt: now - 3 * 3600_000 },
      ];
      await view.post({ type: 'snapshot', snapshot: snapshot({ pastChats }) });
      const toggle = view.page.getByRole('button', { name: 'Past chats' });
      await toggle.click();
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      const list = view.page.getByRole('navigation', { name: 'Past chats' });
      assert.match((await list.textContent()) ?? '', /Sales analysis.*Churn model.*3 hours ago/s);
      await list.getByRole('button', { name: /^Churn model/ }).click();
      assert.deepEqual(ofType(await view.posted(), 'openChat'), [{ type: 'openChat', chatId: 'chat-0' }]);
      assert.equal(await list.isVisible(), false);
      await toggle.click();
      await list.getByRole('button', { name: 'Delete chat: Sales analysis' }).click();
      assert.deepEqual(ofType(await view.posted(), 'deleteChat'), [{ type: 'deleteChat', chatId: 'chat-1' }], 'the host asks, then deletes');
      await view.page.keyboard.press('Escape');
      assert.equal(await list.isVisible(), false, 'Escape closes the list');
    });

    it('shows notices and the untrusted-workspace banner', async () => {
      const entries = [
        { kind: 'notice', id: 'n1', level: 'info', text: 'Kernel restarted.' },
        { kind: 'notice', id: 'n2', level: 'error', text: 'The model server did not answer.' },
      ] as const;
      await view.post({ type: 'snapshot', snapshot: snapshot({ canRunCode: false, entries }) });
      assert.match((await view.page.locator('.trust-banner').textContent()) ?? '', /not trusted/);
      assert.equal(await view.page.getByRole('alert').textContent(), 'The model server did not answer.');
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      assert.equal(await view.page.locator('.trust-banner').isVisible(), false);
    });

    it('a notice offers the fix it names: the button asks the host for it by name', async () => {
      const missingKey = { kind: 'notice', id: 'n-key', level: 'error', text: 'No API key for OpenAI.', fix: 'setApiKey' } as const;
      await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [missingKey] }) });
      await view.page.getByRole('alert').getByRole('button', { name: 'Set API Key' }).click();
      assert.deepEqual(ofType(await view.posted(), 'applyNoticeFix'), [{ type: 'applyNoticeFix', fix: 'setApiKey' }]);
    });

    it('a failed request offers Retry, which asks the host once', async () => {
      const failed = { kind: 'notice', id: 'n-failed', level: 'error', text: 'The model server answered 502.', retry: true } as const;
      await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [failed] }) });
      const retry = view.page.getByRole('alert').getByRole('button', { name: 'Retry' });
      await retry.click();
      assert.deepEqual(ofType(await view.posted(), 'retryTurn'), [{ type: 'retryTurn' }]);
      assert.equal(await retry.isDisabled(), true, 'a second click cannot send it again');
    });
  });

  describe('scrolling', () => {
    const longChat = (): ReturnType<typeof snapshot> =>
      snapshot({ entries: Array.from({ length: 30 }, (_, i) => assistant(`a${i}`, `Paragraph ${i}\n\n${'Some words to fill the line. '.repeat(8)}`)) });
    const scrollTop = (): Promise<number> => view.page.locator('.transcript').evaluate((element) => element.scrollTop);

    it('follows new output at the bottom, but not while the user reads further up', async () => {
      await view.post({ type: 'snapshot', snapshot: longChat() });
      const transcript = view.page.locator('.transcript');
      await view.page.waitForFunction(() => {
        const t = document.querySelector('.transcript');
        return t !== null && t.scrollHeight - t.scrollTop - t.clientHeight < 2;
      }, undefined, { timeout: 5_000 }).catch(async (error: unknown) => {
        console.log('SCROLL', await transcript.evaluate((t) => [t.scrollHeight, t.scrollTop, t.clientHeight, document.documentElement.scrollHeight, window.innerHeight]));
        throw error;
      });
      await transcript.evaluate((element) => element.scrollTo({ top: 100 }));
      await view.page.waitForTimeout(50);
      await view.post({ type: 'entryAdded', entry: assistant('late', 'A late reply') });
      await view.page.waitForTimeout(100);
      assert.equal(await scrollTop(), 100, 'reading position kept');
      await view.page.getByRole('button', { name: 'Scroll to latest' }).click();
      assert.ok((await scrollTop()) > 100);
    });

    it('returns to where the transcript was scrolled after the view is rebuilt', async () => {
      await view.post({ type: 'snapshot', snapshot: longChat() });
      await view.page.locator('.transcript').evaluate((element) => element.scrollTo({ top: 240 }));
      await view.page.waitForTimeout(400);
      await view.reload();
      await view.post({ type: 'snapshot', snapshot: longChat() });
      assert.equal(await scrollTop(), 240);
    });
  });

  describe('measurement', () => {
    it('streams 2 000 tokens through the page (time is logged, not asserted)', async () => {
      await view.post({ type: 'snapshot', snapshot: snapshot() });
      await view.post({ type: 'entryAdded', entry: assistant('bench', '', true) });
      const tokens = sampleReplyTokens(2000);
      const ms = await streamDeltas(view.page, 'bench', tokens, tokens.join(''));
      console.log(`      streamed 2000 tokens in ${ms.toFixed(0)} ms`);
      assert.ok((await view.page.locator('[data-entry-id="bench"] h2').count()) > 1);
    });
  });

  describe('screenshots', () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      it(`renders a chat with a reply and an approval card (${theme})`, async () => {
        view = await fixture.reopen({ theme, width: 420, height: 1350 });
        const reply = SAMPLE_REPLY.split('| Month')[0]?.trim() ?? '';
        const entries = [
          { kind: 'user', id: 'u1', text: 'Load sales.csv and show revenue by month' } as const,
          assistant('a1', reply),
          action({ id: 'done', status: 'ran', durationMs: 1240, hasCell: true, proposedCode: "monthly.plot(kind='bar')", preview: { text: '<Axes: xlabel="date">', isError: false, images: [barChartPng()], truncated: false } }),
          assistant('a2', 'The plot is in the notebook. I can clean up the **build** folder too:'),
          action({ id: 'act', hasCell: true, proposedCode: "import shutil\n\n# Remove old exports before writing new ones\nshutil.rmtree('build/exports')\nmonthly.to_csv('build/monthly.csv')", risks: ['deletes files (shutil.rmtree)'] }),
        ];
        const pastChats = [{ id: 'chat-1', title: 'Sales analysis', updatedAt: Date.now() }];
        await view.post({ type: 'snapshot', snapshot: snapshot({ entries, busy: 'awaitingApproval', usage: { inputTokens: 18_400, outputTokens: 1_250, costUsd: 0.0042 }, pastChats }) });
        await view.page.evaluate(() => document.fonts.ready);
        mkdirSync(screenshotsDir, { recursive: true });
        await view.page.screenshot({ path: join(screenshotsDir, `webview-chat-${theme}.png`) });
        await expectNoProblems();
      });
    }

    it('renders decided cards, notices and the past chats list (dark)', async () => {
      view = await fixture.reopen({ theme: 'dark', width: 420, height: 1000 });
      const now = Date.now();
      const entries = [
        { kind: 'notice', id: 'n1', level: 'warning', text: 'The kernel restarted; variables from earlier actions are gone.' } as const,
        action({ id: 'r', status: 'rejected', feedback: 'Use polars instead of pandas.' }),
        action({ id: 's', status: 'skipped' }),
        action({ id: 'e', status: 'editedAndRan', durationMs: 2310, code: "df = pd.read_csv('sales.csv', parse_dates=['date'])", preview: { text: "Traceback (most recent call last):\n  ...\nKeyError: 'revenue'", isError: true, images: [], truncated: true }, hasCell: true }),
        action({ id: 'run', status: 'running', hasCell: true }),
        { kind: 'notice', id: 'n2', level: 'error', text: 'The model server did not answer (HTTP 502).', retry: true } as const,
      ];
      const pastChats = [
        { id: 'chat-1', title: 'Sales analysis', updatedAt: now - 60_000 },
        { id: 'chat-0', title: 'Churn model features', updatedAt: now - 26 * 3600_000 },
        { id: 'chat-2', title: 'Clean the survey export and merge it with the CRM table', updatedAt: now - 9 * 86_400_000 },
      ];
      await view.post({ type: 'snapshot', snapshot: snapshot({ entries, busy: 'running', canRunCode: false, allowAllInChat: true, pastChats, usage: { inputTokens: 5120, outputTokens: 800, costUsd: undefined } }) });
      await view.page.getByRole('button', { name: 'Past chats' }).click();
      await view.page.evaluate(() => document.fonts.ready);
      mkdirSync(screenshotsDir, { recursive: true });
      await view.page.screenshot({ path: join(screenshotsDir, 'webview-states-dark.png') });
      await expectNoProblems();
    });
  });
});
