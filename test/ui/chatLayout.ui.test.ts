// A long chat in a narrow side bar, in the real workbench: the chat view's page never scrolls
// (only its transcript does), whatever the user scrolls with, at 300 and at 500 px. Issue 10.
import * as assert from 'node:assert/strict';
import type { FrameLocator, Locator } from 'playwright-core';
import { afterTranscriptScroll, expectSteadyLayout, lineCount, pointAtTranscript, transcriptPosition } from './chatLayout';
import { ACTION_COUNT, FIRST_CODE, FIRST_EDIT, REPORT_END, TABLE_REPLY_END, firstTask, secondTask } from './longSession';
import { colorThemeKind, newChatOnSalesNotebook, openChatView, saveScreenshot, sendChatMessage, session, setColorTheme, type ThemeKind } from './session';
import { setSidebarWidth, sidebarWidth } from './sidebarWidth';

const THEMES: Record<ThemeKind, string> = { dark: 'Dark Modern', light: 'Light Modern' };

function cards(chat: FrameLocator): Locator {
  return chat.getByRole('group', { name: 'Code action' });
}

/**
 * Waits for the reply ending in `text`, failing at once with the card's reasons when a card
 * stops to ask instead (the risky-code check did not let its code through).
 */
async function replyWithoutAsking(chat: FrameLocator, text: string): Promise<void> {
  const reply = chat.locator('.entry-assistant:not(.streaming)', { hasText: text });
  const asking = cards(chat).filter({ has: chat.getByRole('button', { name: 'Run', exact: true }) });
  await reply.or(asking).first().waitFor({ timeout: 90_000 });
  if ((await asking.count()) > 0) assert.fail(`a card asks for approval: ${(await asking.first().textContent()) ?? ''}`);
  // The turn ends a moment after its last reply: until then Enter in the message box sends nothing.
  await chat.locator('.composer-stop').waitFor({ state: 'hidden', timeout: 30_000 });
}

describe('A long chat in a narrow side bar, scrolled like a person', function () {
  let widthBefore = 0;
  let themeBefore: ThemeKind = 'dark';
  let theme: ThemeKind = 'dark';

  before(async () => {
    const { page } = session();
    await newChatOnSalesNotebook(page);
    widthBefore = await sidebarWidth(page);
    themeBefore = await colorThemeKind(page);
    theme = themeBefore;
    if (theme !== 'dark') await switchTheme('dark');
    const chat = await openChatView(page);
    if (widthBefore !== 300) await setSidebarWidth(page, chat, 300);
  });

  after(async () => {
    const { page } = session();
    const chat = await openChatView(page);
    if ((await sidebarWidth(page)) !== widthBefore) await setSidebarWidth(page, chat, widthBefore);
    if (theme !== themeBefore) await switchTheme(themeBefore);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await saveScreenshot(session().page, `chat-layout-failed-${Date.now()}`, 'sidebar');
  });

  async function switchTheme(kind: ThemeKind): Promise<void> {
    await setColorTheme(THEMES[kind], kind);
    theme = kind;
  }

  it(`runs a long session: ${ACTION_COUNT} actions, a long traceback, a plot, a table and a 3,000-token report`, async () => {
    const { page, model } = session();
    model.setScript([...firstTask.replies, ...secondTask.replies]);
    const chat = await openChatView(page);
    await sendChatMessage(chat, firstTask.message);

    // The first action is edited before it runs, the second approved with "Allow all in this chat".
    const first = cards(chat).first();
    const code = first.getByRole('textbox', { name: 'Code to run' });
    await code.waitFor({ timeout: 30_000 });
    assert.equal(await code.inputValue(), FIRST_CODE);
    await code.fill(FIRST_CODE + FIRST_EDIT);
    await first.getByRole('button', { name: 'Run', exact: true }).click();
    const second = cards(chat).nth(1);
    const allowAll = second.getByRole('button', { name: 'Allow all in this chat' });
    await allowAll.waitFor({ timeout: 60_000 });
    await first.locator('.card-status', { hasText: /^Edited and ran/ }).waitFor();
    // The README's first picture (docs/chat-view.png): an approval card, under the card whose edited code ran.
    await saveScreenshot(page, 'chat-view', 'sidebar');
    await allowAll.click();
    await replyWithoutAsking(chat, TABLE_REPLY_END);

    await sendChatMessage(chat, secondTask.message);
    await replyWithoutAsking(chat, REPORT_END);

    assert.equal(await cards(chat).count(), ACTION_COUNT);
    const statuses = await cards(chat).locator('.card-status').allTextContents();
    assert.equal(statuses.filter((status) => /Auto-ran/.test(status)).length, ACTION_COUNT - 2, `all but the first two ran by themselves: ${statuses.join(' | ')}`);
    assert.equal(await chat.locator('.action-error-exception', { hasText: "KeyError: 'profit'" }).count(), 1, 'the failed action says why');
    assert.equal(await chat.locator('.entry-assistant table tbody tr').count(), 4, 'the table rendered');
  });

  it('shows a plot as its thumbnail, without a line of text describing it above', async () => {
    const chat = await openChatView(session().page);
    const plotCard = cards(chat).filter({ hasText: 'monthly.plot' });
    const thumbnail = plotCard.getByRole('img', { name: 'Output image 1' });
    await thumbnail.waitFor();
    await thumbnail.evaluate((image: HTMLImageElement) => (image.complete ? undefined : new Promise((resolve) => image.addEventListener('load', resolve, { once: true }))));
    assert.ok((await thumbnail.evaluate((image: HTMLImageElement) => image.naturalWidth)) > 0, 'the plot loaded');
    const output = (await plotCard.locator('.action-output').textContent()) ?? '';
    // Neither "[image/png 790x390]" nor the note for a model that is not sent images.
    assert.doesNotMatch(output, /image\/png/, `the card shows the picture, not a description of it: ${output}`);
  });

  for (const width of [300, 500]) {
    it(`at ${width} px the page never scrolls, only the transcript: wheel, keys and scripts; one header row, the message box at the bottom`, async () => {
      const { page } = session();
      const chat = await openChatView(page);
      await setSidebarWidth(page, chat, width);
      const { transcriptScrollHeight, transcriptClientHeight } = await expectSteadyLayout(chat, 'after the resize');
      assert.ok(transcriptScrollHeight > 3 * transcriptClientHeight, 'the chat is long enough to scroll');
      const transcript = chat.locator('.transcript');

      // The mouse wheel, down from the top, to the end, past the end, and back up.
      await transcript.evaluate((element) => element.scrollTo({ top: 0 }));
      await pointAtTranscript(page, chat);
      await afterTranscriptScroll(chat, 'a wheel turn down', () => page.mouse.wheel(0, 400));
      await expectSteadyLayout(chat, 'after a wheel turn down');
      for (let turn = 0; turn < 50; turn++) {
        const { top, max } = await transcriptPosition(chat);
        if (top >= max - 1) break;
        await afterTranscriptScroll(chat, 'a wheel turn towards the end', () => page.mouse.wheel(0, 4_000));
      }
      await page.mouse.wheel(0, 2_000); // past the end: nothing may move
      await afterTranscriptScroll(chat, 'a wheel turn up', () => page.mouse.wheel(0, -300));
      await expectSteadyLayout(chat, 'after wheel turns past the end and back');

      // The keyboard, after a click in the transcript (where keyboard scrolling then goes).
      await transcript.click({ position: { x: 4, y: 4 } });
      await afterTranscriptScroll(chat, 'Home', () => page.keyboard.press('Home'));
      await afterTranscriptScroll(chat, 'PageDown', () => page.keyboard.press('PageDown'));
      await expectSteadyLayout(chat, 'after PageDown');
      await afterTranscriptScroll(chat, 'End', () => page.keyboard.press('End'));
      await expectSteadyLayout(chat, 'after End');
      await page.keyboard.press('PageDown'); // past the end: nothing may move
      await afterTranscriptScroll(chat, 'PageUp', () => page.keyboard.press('PageUp'));
      await expectSteadyLayout(chat, 'after PageDown past the end and PageUp');

      // Scripts: the page's own scroll, an entry brought into view, focus moving.
      await chat.locator('body').evaluate(() => {
        (document.scrollingElement ?? document.documentElement).scrollTop = 100_000;
        window.scrollBy(0, 100_000);
      });
      await expectSteadyLayout(chat, "after setting the page's scroll position");
      await chat.locator('.entry').last().evaluate((element) => element.scrollIntoView({ block: 'end' }));
      await expectSteadyLayout(chat, 'after the last entry scrolled into view');
      await chat.locator('.entry').first().evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await expectSteadyLayout(chat, 'after the first entry scrolled into view');
      await chat.getByRole('textbox', { name: 'Message to CodeAct' }).focus();
      await expectSteadyLayout(chat, 'after focus moved to the message box');

      for (const showCell of await chat.getByRole('button', { name: 'Show cell' }).all()) {
        assert.equal(await lineCount(showCell), 1, '"Show cell" stays on one line');
      }

      // Pictures at this width in both themes, with the plot and the table in view; those at
      // 300 px are the README's docs/chat-dark.png and docs/chat-light.png.
      await cards(chat).filter({ hasText: 'monthly.plot' }).evaluate((element) => element.scrollIntoView({ block: 'start' }));
      await expectSteadyLayout(chat, 'after the plot scrolled into view');
      const order: ThemeKind[] = theme === 'dark' ? ['dark', 'light'] : ['light', 'dark'];
      for (const kind of order) {
        if (theme !== kind) await switchTheme(kind);
        await saveScreenshot(page, width === 300 ? `chat-${kind}` : `chat-${kind}-${width}`, 'sidebar');
      }
    });
  }
});
