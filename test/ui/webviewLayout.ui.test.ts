// The chat webview's layout in a narrow side bar, in Chromium without VS Code: what must hold
// at 300 px whatever the conversation holds (issue 10). The same in the real workbench, with a
// real long session and real scrolling, is chatLayout.ui.test.ts.
import * as assert from 'node:assert/strict';
import type { TranscriptEntry } from '../../src/shared/protocol';
import { expectSteadyLayout, lineCount } from './chatLayout';
import { SAMPLE_REPLY, action, assistant, snapshot } from './webviewFixtures';
import { WebviewPage, useWebviewPage } from './webviewPage';

const NARROW = { width: 300, height: 700 };

/** `count` rounds of a question, a finished action with a cut preview, and a reply. */
function longConversation(count: number): TranscriptEntry[] {
  return Array.from({ length: count }, (_, i): TranscriptEntry[] => [
    { kind: 'user', id: `user-${i}`, text: `question ${i}` },
    action({ id: `act-${i}`, status: i % 2 ? 'autoRan' : 'ran', durationMs: 120, hasCell: true, preview: { text: 'row\n'.repeat(12), isError: false, images: [], truncated: true } }),
    assistant(`reply-${i}`, SAMPLE_REPLY),
  ]).flat();
}

describe('The chat webview renderer: layout in a narrow side bar', function () {
  const fixture = useWebviewPage();
  let view: WebviewPage;
  beforeEach(async () => {
    view = await fixture.reopen(NARROW);
  });

  it('a long conversation never makes the page taller than the view, whatever scrolls it', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: longConversation(14) }) });
    // The same checks as in the workbench, on the page itself.
    const chat = view.page;
    await expectSteadyLayout(chat, 'after the snapshot');
    await view.page.evaluate(() => window.scrollTo(0, 100_000));
    await expectSteadyLayout(chat, 'after window.scrollTo');
    await view.page.locator('.entry').last().evaluate((element) => element.scrollIntoView({ block: 'end' }));
    await expectSteadyLayout(chat, 'after the last entry scrolled into view');
  });

  it('"Show cell" stays on one line next to the truncation note', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: longConversation(1) }) });
    const showCell = view.page.getByRole('button', { name: 'Show cell' });
    await showCell.waitFor();
    assert.equal(await lineCount(showCell), 1, `"Show cell" is on one line: ${await showCell.evaluate((element) => element.getBoundingClientRect().height)} px tall`);
  });

  it('the copy button of a reply never covers its first line', async () => {
    // Short words, so the first line runs to within a word's width of the right edge.
    const text = 'So it is: as we go by units, it is up; by price, it is so so. '.repeat(4);
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [assistant('reply-1', text)] }) });
    const reply = view.page.locator('.entry-assistant');
    await reply.hover();
    const copy = reply.getByRole('button', { name: 'Copy reply' });
    await view.page.waitForFunction(() => getComputedStyle(document.querySelector('.reply-copy') ?? document.body).opacity === '1');
    const { lines, overlap } = await reply.evaluate((entry) => {
      const paragraph = entry.querySelector('.entry-body p') ?? entry.querySelector('.entry-body');
      const button = entry.querySelector('.reply-copy')?.getBoundingClientRect();
      if (!paragraph || !button) throw new Error('no reply text or no copy button');
      const range = document.createRange();
      range.selectNodeContents(paragraph);
      const rects = Array.from(range.getClientRects());
      const top = Math.min(...rects.map((rect) => rect.top));
      const first = rects.filter((rect) => Math.round(rect.top) === Math.round(top));
      const intersects = first.some((rect) => rect.left < button.right && rect.right > button.left && rect.top < button.bottom && rect.bottom > button.top);
      return { lines: new Set(rects.map((rect) => Math.round(rect.top))).size, overlap: intersects };
    });
    assert.ok(lines > 1, 'the reply wraps, so its first line runs to the right edge');
    assert.equal(overlap, false, 'the copy button is clear of the first line');
    assert.equal(await copy.isVisible(), true);
  });

  it('keeps the header in one row; names that do not fit end in an ellipsis', async () => {
    const header = { notebook: 'quarterly-sales-analysis-2025.ipynb', kernel: 'Python 3.12.4 (.venv: analysis)', model: 'gpt-4o-mini-2024-07-18' };
    await view.post({ type: 'snapshot', snapshot: snapshot({ header }) });
    const items = await view.page.locator('.header-item').evaluateAll((elements) => elements.map((element) => {
      const box = element.getBoundingClientRect();
      const label = element.querySelector('.header-item-label');
      return { top: box.top, height: box.height, right: box.right, cut: label ? label.scrollWidth > label.clientWidth : false, ellipsis: label ? getComputedStyle(label).textOverflow : '' };
    }));
    assert.equal(items.length, 3);
    assert.equal(new Set(items.map((item) => item.top)).size, 1, `one row: ${JSON.stringify(items)}`);
    assert.ok(items.every((item) => item.right <= NARROW.width), 'nothing runs past the edge');
    assert.ok(items.some((item) => item.cut) && items.every((item) => item.ellipsis === 'ellipsis'), 'long names are cut with an ellipsis');
    assert.match((await view.page.locator('.header-notebook').getAttribute('title')) ?? '', /quarterly-sales-analysis-2025\.ipynb/, 'the full name is in the tooltip');
  });
});
