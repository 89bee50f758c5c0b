// Approval you can trust, in the real workbench: a keystroke meant for the message box never
// decides a card, and what a card shows is what runs.
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { messageText, reply } from '../model/scriptedModelServer';
import { newChatOnSalesNotebook, openChatView, saveScreenshot, sendChatMessage, session } from './session';

/** Everything the model was sent in its latest request, as one text. */
function lastRequestText(): string {
  const last = session().model.chatRequests().at(-1);
  return (last?.messages ?? []).map((m) => `${m.role}: ${messageText(m)}`).join('\n');
}

/** Whether focus is in the chat's message box (inside the webview's frame). */
async function composerHasFocus(chat: FrameLocator): Promise<boolean> {
  return chat.getByRole('textbox', { name: 'Message to CodeAct' }).evaluate((element) => element === document.activeElement);
}

describe('Approval you can trust, typed and clicked like a person', () => {
  before(async () => {
    // A chat of its own: "Allow all in this chat" from another test must not carry over.
    await newChatOnSalesNotebook(session().page);
  });

  it('keeps typing in the message box while cards appear, and nothing runs until Skip is clicked', async () => {
    const { page, model } = session();
    model.setScript([
      reply.text("<execute>\nprint('RAN-' + 'FIRST')\n</execute>"),
      // Streamed slowly, so the second card appears while the user is back in the message box.
      reply.text("One more.\n<execute>\nprint('RAN-' + 'SECOND')\n</execute>", { chunkSize: 4, delayMs: 80 }),
      reply.text('Nothing ran, understood.'),
    ]);
    const chat = await openChatView(page);
    const input = chat.getByRole('textbox', { name: 'Message to CodeAct' });
    // Sending leaves focus in the now empty message box: the case where focus used to jump to Run.
    await sendChatMessage(chat, 'print a marker');
    const first = chat.getByRole('group', { name: 'Code action' }).last();
    await first.getByRole('button', { name: 'Run' }).waitFor({ timeout: 30_000 });
    // Space and Enter are the keys that would click a focused Run button.
    await page.keyboard.type('ok then');
    await page.keyboard.press('Enter');
    assert.equal(await first.locator('.card-status').textContent(), 'Awaiting approval', 'no keystroke decided the card');
    assert.equal(await first.getByRole('button', { name: 'Run', exact: true }).isEnabled(), true, 'the card still waits');
    assert.equal(await input.inputValue(), 'ok then', 'every key went to the message box');
    assert.equal(await composerHasFocus(chat), true, 'focus stayed in the message box when the card appeared');

    // The host handles the webview's messages in order: had a keystroke posted approveAction, the
    // first action would have run before this Skip arrived, and the model would be told its output.
    const requestsBefore = model.chatRequests().length;
    await first.getByRole('button', { name: 'Skip' }).click();
    await input.click();
    await input.fill('');
    const second = chat.getByRole('group', { name: 'Code action' }).nth(1);
    await second.getByRole('button', { name: 'Run' }).waitFor({ timeout: 30_000 });
    assert.equal(await composerHasFocus(chat), true, 'focus stays in the message box when the second card appears');
    await page.keyboard.type('ok then');
    await page.keyboard.press('Enter');
    assert.equal(await input.inputValue(), 'ok then');
    await second.getByRole('button', { name: 'Skip' }).click();
    await chat.locator('.entry-assistant', { hasText: 'Nothing ran, understood.' }).waitFor({ timeout: 60_000 });
    assert.equal(model.chatRequests().length, requestsBefore + 2, 'one model request per skipped card');
    const sent = lastRequestText();
    assert.doesNotMatch(sent, /RAN-FIRST|RAN-SECOND/, 'neither action ran');
    assert.match(sent, /skip/i, 'the model was told the actions were skipped');
    for (const card of [first, second]) assert.match((await card.locator('.card-status').textContent()) ?? '', /skip/i);
    await input.fill('');
  });
  it('asks for code with a direction-changing character even after "Allow all in this chat", and shows the character', async () => {
    const { page, model } = session();
    model.setScript([
      reply.text("<execute>\nprint('allowed ' + 'first')\n</execute>"),
      // Written with escapes: on screen the override turns the end of the line around.
      reply.text("<execute>\nprint('ok')\nlabel = 'safe \u202E)(nur'\nprint('RAN-' + 'HIDDEN')\n</execute>"),
      reply.text('Skipped it.'),
    ]);
    const chat = await openChatView(page);
    const cards = chat.getByRole('group', { name: 'Code action' });
    const earlier = await cards.count();
    await sendChatMessage(chat, 'print two things');
    const first = cards.nth(earlier);
    await first.getByRole('button', { name: 'Allow all in this chat' }).click();
    await first.locator('.card-status', { hasText: /^Ran/ }).waitFor({ timeout: 60_000 });
    const second = cards.nth(earlier + 1);
    // Whichever comes first: the card asking, or the action having run without asking (the bug).
    const asked = second.getByRole('button', { name: 'Run', exact: true });
    await asked.or(second.locator('.card-status', { hasText: /^(Ran|Auto)/ })).waitFor({ timeout: 60_000 });
    assert.equal(await asked.isVisible(), true, 'the card asks although every action in this chat may run');
    const risks = (await second.getByRole('note', { name: 'Risks' }).textContent()) ?? '';
    assert.match(risks, /contains invisible or direction-changing characters \(U\+202E at line 2\)/);
    assert.equal(await second.locator('.code-view .invisible-char-label', { hasText: 'U+202E' }).isVisible(), true, 'the character is shown as a marker');
    await saveScreenshot(page, 'chat-invisible-characters', 'sidebar');
    await second.getByRole('button', { name: 'Skip' }).click();
    await chat.locator('.entry-assistant', { hasText: 'Skipped it.' }).waitFor({ timeout: 60_000 });
    assert.doesNotMatch(lastRequestText(), /RAN-HIDDEN/, 'the hidden action did not run');
    await chat.getByRole('button', { name: 'Stop allowing all in this chat' }).click();
  });
});
