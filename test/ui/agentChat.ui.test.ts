import * as assert from 'node:assert/strict';
import { messageText, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import {
  joined,
  openChatView,
  newChatOnSalesNotebook,
  readNotebookFile,
  replaceInUserSettings,
  runCommandFromPalette,
  saveScreenshot,
  sendChatMessage,
  session,
} from './session';

/** Everything the model was sent in its latest request, as one text. */
function lastRequestText(): string {
  const last = session().model.chatRequests().at(-1);
  return (last?.messages ?? []).map((m) => `${m.role}: ${messageText(m)}`).join('\n');
}

async function waitForRequests(count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (session().model.chatRequests().length < count) {
    if (Date.now() > deadline) throw new Error(`the model got ${session().model.chatRequests().length} requests, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('The CodeAct loop in the chat, clicked like a person', () => {
  before(async () => {
    await newChatOnSalesNotebook(session().page);
  });

  it('streams the reply, lets the user edit the code, runs the edit in the notebook and tells the model', async () => {
    const { page, model } = session();
    model.setScript([
      reply.text("I'll add up the units.\n<execute>\nprint('units', 1 + 1)\n</execute>", { chunkSize: 6, delayMs: 15 }),
      reply.text('The **total** is 42 units.'),
    ]);
    const before = model.chatRequests().length;
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'add up the units');
    await chat.locator('.entry-assistant', { hasText: "I'll add up the units." }).waitFor();
    const card = chat.getByRole('group', { name: 'Code action' }).last();
    const code = card.getByRole('textbox', { name: 'Code to run' });
    await code.waitFor();
    assert.equal(await code.inputValue(), "print('units', 1 + 1)");
    await code.fill("print('units', 40 + 2)");
    await card.getByRole('button', { name: 'Run' }).click();
    await chat.locator('.entry-assistant', { hasText: 'is 42 units' }).waitFor({ timeout: 60_000 });
    await waitForRequests(before + 2);
    const sent = lastRequestText();
    assert.match(sent, /40 \+ 2/, 'the model sees the code that actually ran');
    assert.match(sent, /units 42/, 'the model sees the real output');
    assert.match(sent, /edited/i, 'the model is told its action was edited');
    assert.match((await card.textContent()) ?? '', /edited/i, 'the card shows it was edited and ran');

    await runCommandFromPalette(page, 'File: Save All Files');
    await page.waitForTimeout(1_000);
    const cell = readNotebookFile('sales.ipynb').cells.find((c) => c.metadata['codeact'] !== undefined);
    assert.ok(cell, 'the action was written into the notebook as a marked cell');
    assert.equal(joined(cell.source), "print('units', 40 + 2)");
    assert.match(joined(cell.outputs?.[0]?.text), /units 42/);
    await saveScreenshot(page, 'chat-ran-action', 'sidebar');
  });

  it('sends a rejection with feedback to the model', async () => {
    const { page, model } = session();
    model.setScript([
      reply.text("<execute>\nimport os\nprint(os.listdir('.'))\n</execute>"),
      reply.text('Understood, I will use pandas instead.'),
    ]);
    const before = model.chatRequests().length;
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'what files are here?');
    const card = chat.getByRole('group', { name: 'Code action' }).last();
    await card.getByRole('button', { name: 'Reject' }).click();
    const feedback = card.getByRole('textbox', { name: 'Feedback for the model' });
    await feedback.fill('Do not list files; read sales.csv with pandas');
    await feedback.press('Enter');
    await chat.locator('.entry-assistant', { hasText: 'use pandas instead' }).waitFor({ timeout: 30_000 });
    await waitForRequests(before + 2);
    assert.match(lastRequestText(), /Do not list files; read sales\.csv with pandas/);
    assert.equal(await card.getByRole('button', { name: 'Run' }).count(), 0, 'a decided card has no Run button');
  });

  it('runs the next actions without asking after "Allow all in this chat", but risky code still asks', async () => {
    const { page, model } = session();
    model.setScript([
      reply.text("<execute>\nx = 20\nprint(x)\n</execute>"),
      reply.text("<execute>\nprint(x + 1)\n</execute>"),
      reply.text("<execute>\nimport shutil\nshutil.rmtree('data')\n</execute>"),
      reply.text('All done.'),
    ]);
    const before = model.chatRequests().length;
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'count to 21');
    const first = chat.getByRole('group', { name: 'Code action' }).last();
    await first.getByRole('button', { name: 'Allow all in this chat' }).click();
    // The second action runs by itself; the risky third one asks again.
    await waitForRequests(before + 3, 60_000);
    assert.match(lastRequestText(), /21/);
    const risky = chat.getByRole('group', { name: 'Code action' }).last();
    await risky.getByRole('button', { name: 'Run' }).waitFor({ timeout: 30_000 });
    assert.match((await risky.textContent()) ?? '', /rmtree|deletes/i, 'the card says why it asks');
    await risky.getByRole('button', { name: 'Skip' }).click();
    await chat.locator('.entry-assistant', { hasText: 'All done.' }).waitFor({ timeout: 30_000 });
    assert.match(lastRequestText(), /skip/i);
  });

  it('stops a streaming reply at once', async () => {
    const { page, model } = session();
    model.setScript([reply.text('word '.repeat(400), { chunkSize: 5, delayMs: 40 })]);
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'write a long essay');
    await chat.locator('.entry-assistant', { hasText: 'word word word' }).last().waitFor();
    await chat.getByRole('button', { name: 'Stop', exact: true }).click();
    await chat.locator('.composer-stop').waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(500);
    const last = model.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1);
    assert.equal(last?.clientDisconnected, true, 'the HTTP request was aborted');
    const shown = (await chat.locator('.entry-assistant').last().textContent()) ?? '';
    assert.ok(shown.length < 'word '.repeat(400).length, 'the reply stopped part-way');
  });

  it('renders a reply with an <img onerror> and a <script> as inert text', async () => {
    const { page, model } = session();
    model.setScript([reply.text('Look: <img src=x onerror="window.parent.postMessage(\'pwned\',\'*\');document.title=\'pwned\'"> and <script>window.pwned = 1</script> done.')]);
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'show me html');
    const entry = chat.locator('.entry-assistant', { hasText: 'done.' }).last();
    await entry.waitFor({ timeout: 30_000 });
    assert.equal(await entry.locator('script').count(), 0);
    assert.equal(await entry.locator('img[onerror]').count(), 0);
    const pwned = await chat.locator('body').evaluate(() => (window as unknown as { pwned?: number }).pwned);
    assert.equal(pwned, undefined, 'the script did not run');
    assert.notEqual(await chat.locator('body').evaluate(() => document.title), 'pwned');
  });

  it('keeps a pending approval across a window reload, and nothing runs by itself', async () => {
    const { page, model } = session();
    model.setScript([reply.text("<execute>\nprint('waiting for you')\n</execute>"), reply.text('Printed after the reload.')]);
    const chat = await openChatView(page);
    // "Allow all" from an earlier test is still on for this chat: turn it off, as a person would.
    const allowAll = chat.getByRole('button', { name: 'Stop allowing all in this chat' });
    if (await allowAll.isVisible()) {
      await allowAll.click();
      await allowAll.waitFor({ state: 'hidden' });
    }
    await sendChatMessage(chat, 'print a greeting');
    const card = chat.getByRole('group', { name: 'Code action' }).last();
    await card.getByRole('button', { name: 'Run' }).waitFor();
    const requestsBefore = model.chatRequests().length;

    await page.reload();
    await page.locator('.monaco-workbench .activitybar').waitFor({ timeout: 60_000 });
    const reloaded = await openChatView(page);
    // The header is right from its first frame, while the workbench still restores the notebook.
    const labels = await reloaded.locator('.chat-header .header-item-label').allTextContents();
    assert.deepEqual(labels.slice(0, 2), ['sales.ipynb', 'CodeAct Python'], `the header right after the reload: ${labels.join(' | ')}`);
    await reloaded.locator('.entry-user', { hasText: 'print a greeting' }).waitFor({ timeout: 30_000 });
    const pending = reloaded.getByRole('group', { name: 'Code action' }).last();
    await pending.getByRole('button', { name: 'Run' }).waitFor();
    assert.equal(await pending.getByRole('textbox', { name: 'Code to run' }).inputValue(), "print('waiting for you')");
    await page.waitForTimeout(2_000);
    assert.equal(model.chatRequests().length, requestsBefore, 'no model request after the reload');
    assert.ok((await reloaded.locator('.entry-user').count()) >= 1, 'the transcript is back');

    // Deciding now still works: Run runs the code on the card, and the model goes on.
    await pending.getByRole('button', { name: 'Run' }).click();
    await reloaded.locator('.entry-assistant', { hasText: 'Printed after the reload.' }).waitFor({ timeout: 60_000 });
    assert.match((await pending.locator('.card-status').textContent()) ?? '', /^Ran/);
    assert.match(lastRequestText(), /waiting for you/, 'the model saw the output');
  });

  it('a rejected key: "Set API Key" asks for the key of that server, Retry sends it, and another server never gets it', async () => {
    const { page, model } = session();
    model.setScript([reply.unauthorized(), reply.text('Now I can answer.')]);
    const chat = await openChatView(page);
    await sendChatMessage(chat, 'are you there?');
    const alert = chat.getByRole('alert').last();
    await alert.waitFor({ timeout: 30_000 });
    assert.match((await alert.textContent()) ?? '', /key was rejected/i);
    await alert.getByRole('button', { name: 'Set API Key' }).click();
    const prompt = page.locator('.quick-input-widget');
    await prompt.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await prompt.textContent()) ?? '', new RegExp(`API key for the OpenAI-compatible server at ${new URL(model.baseUrl).origin}`));
    await page.keyboard.type('sk-ui-test-key');
    await page.keyboard.press('Enter');
    await prompt.waitFor({ state: 'hidden', timeout: 10_000 });
    await chat.getByRole('button', { name: 'Retry' }).last().click();
    await chat.locator('.entry-assistant', { hasText: 'Now I can answer.' }).waitFor({ timeout: 30_000 });
    assert.equal(model.requests.at(-1)?.hadAuthorization, true, 'the saved key went to its server');

    // The user points CodeAct at another server in their settings.json: the key saved for the
    // first one stays home.
    const other = await startScriptedModelServer();
    try {
      other.setScript([reply.text('Hello from the other server.')]);
      await replaceInUserSettings(model.baseUrl, other.baseUrl);
      await sendChatMessage(chat, 'and now?');
      await chat.locator('.entry-assistant', { hasText: 'Hello from the other server.' }).waitFor({ timeout: 30_000 });
      assert.equal(other.requests.at(-1)?.hadAuthorization, false, 'no key was sent to the other server');
    } finally {
      await replaceInUserSettings(other.baseUrl, model.baseUrl);
      await other.close();
    }
  });
});
