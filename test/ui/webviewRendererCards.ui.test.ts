// The code action card of the chat webview, in Chromium without VS Code: the approval form
// (risks, editable highlighted code, Run / Skip / Reject / Allow all, keyboard), the states after
// a decision, the output preview, and edits surviving a rebuilt view.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import type { ActionStatus } from '../../src/shared/protocol';
import { action, barChartPng, snapshot } from './webviewFixtures';
import { WebviewPage, messagesOfType as ofType, useWebviewPage } from './webviewPage';

describe('The chat webview renderer: code action cards', function () {
  const fixture = useWebviewPage();
  let view: WebviewPage;
  beforeEach(() => {
    view = fixture.view;
  });
  const card = (): Locator => view.page.getByRole('group', { name: 'Code action' });
  const expectNoProblems = (): Promise<void> => fixture.expectNoProblems();

  const pending = action({ id: 'act-1', risks: ['deletes files (shutil.rmtree)', 'runs a shell command (rm -rf build)'], hasCell: true });

  it('shows risks and highlighted, editable code; Run posts the code as edited', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending], busy: 'awaitingApproval' }) });
    const run = card().getByRole('button', { name: 'Run', exact: true });
    await run.waitFor();
    assert.equal(await card().evaluate((element) => element === document.activeElement), true, 'a risky card takes focus itself, not its Run button');
    await view.page.keyboard.press('Enter');
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [], 'a stray Enter does not run risky code');
    const risks = card().getByRole('note', { name: 'Risks' });
    assert.match((await risks.textContent()) ?? '', /deletes files \(shutil\.rmtree\).*runs a shell command/s);
    const code = card().getByRole('textbox', { name: 'Code to run' });
    assert.equal(await code.inputValue(), pending.proposedCode);
    assert.equal(await card().locator('.code-editor-mirror .tok-keyword', { hasText: 'import' }).count(), 1);
    await code.click();
    await view.page.keyboard.press('Control+End');
    await view.page.keyboard.type('\nprint(df.shape)');
    const edited = `${pending.proposedCode}\nprint(df.shape)`;
    assert.equal(await code.inputValue(), edited);
    assert.equal(await card().locator('.code-editor-mirror').textContent(), edited, 'the highlighted copy follows the edit');
    assert.equal(await card().locator('.code-editor-mirror .tok-builtin', { hasText: 'print' }).count(), 1);
    assert.equal(await card().locator('.card-edited').isVisible(), true, 'the card says it was edited');
    await run.click();
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [{ type: 'approveAction', actionId: 'act-1', code: edited }]);
    assert.equal(await run.isDisabled(), true, 'no second decision while the host answers');
    await view.post({ type: 'entryUpdated', entry: { ...pending, code: edited, status: 'running' } });
    assert.equal(await card().locator('.codicon-modifier-spin').count(), 1, 'a spinner while it runs');
    await view.post({ type: 'entryUpdated', entry: { ...pending, code: edited, status: 'editedAndRan', durationMs: 1234 } });
    assert.match((await card().locator('.card-status').textContent()) ?? '', /Edited and ran in 1\.2 s/);
    assert.equal(await card().locator('.code-view').textContent(), edited);
    assert.equal(await card().getByRole('button', { name: 'Run', exact: true }).count(), 0);
    await expectNoProblems();
  });

  it('never puts focus on Run: a card that appears with focus nowhere takes it itself, where Enter and Space run nothing', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [action({ id: 'act-safe', risks: [] })], busy: 'awaitingApproval' }) });
    const run = card().getByRole('button', { name: 'Run', exact: true });
    await run.waitFor();
    assert.equal(await card().evaluate((element) => element === document.activeElement), true, 'the card has focus, not Run');
    // A card already waiting when the view is built (a reload) is said too.
    await view.page.waitForFunction(() => /needs your approval/.test(document.querySelector('[role="status"][aria-atomic="true"]')?.textContent ?? ''));
    await view.page.keyboard.press('Enter');
    await view.page.keyboard.press('Space');
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [], 'a stray key does not run the card');
    await view.page.keyboard.press('Control+Enter');
    assert.equal(ofType(await view.posted(), 'approveAction').length, 1, 'Ctrl+Enter in the card runs it');
  });

  it('leaves focus in the message box, empty or not, while cards appear; typing there decides nothing', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [] }) });
    const input = view.page.getByRole('textbox', { name: 'Message to CodeAct' });
    await input.click();
    await view.post({ type: 'entryAdded', entry: action({ id: 'act-typed-1', risks: [] }) });
    await card().getByRole('button', { name: 'Run', exact: true }).waitFor();
    await view.page.keyboard.type('ok ');
    await view.post({ type: 'entryAdded', entry: action({ id: 'act-typed-2', risks: [] }) });
    await view.page.keyboard.type('then');
    await view.page.keyboard.press('Enter');
    assert.equal(await input.evaluate((element) => element === document.activeElement), true, 'focus never left the message box');
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), []);
    assert.deepEqual(ofType(await view.posted(), 'skipAction'), []);
  });

  it('ignores a held Ctrl+Enter, whose repeats would run whatever card comes next', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [action({ id: 'act-held', risks: [] })] }) });
    await card().getByRole('textbox', { name: 'Code to run' }).click();
    await card().evaluate((element) => element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, repeat: true, bubbles: true })));
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), []);
  });

  it('tells a screen reader when an action needs approval and when it ran, not every change', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [] }) });
    const transcript = view.page.getByRole('log', { name: 'Conversation' });
    assert.equal(await transcript.getAttribute('aria-live'), 'off', 'the transcript itself is not read out as it changes');
    const announcer = view.page.locator('[role="status"][aria-atomic="true"]');
    await view.post({ type: 'entryAdded', entry: action({ id: 'act-said', risks: [] }) });
    // Focus stays where the user is, so the announcement says how to reach the card and run it.
    await view.page.waitForFunction(() => /^A code action needs your approval\. Shift\+Tab from the message box reaches it; Control\+Enter in it runs it\.$/.test(document.querySelector('[role="status"][aria-atomic="true"]')?.textContent ?? ''));
    await view.post({ type: 'entryUpdated', entry: action({ id: 'act-said', risks: [], status: 'ran', durationMs: 1_200 }) });
    await view.page.waitForFunction(() => document.querySelector('[role="status"][aria-atomic="true"]')?.textContent === 'The action ran.');
    assert.equal(await announcer.count(), 1);
  });

  it('runs with Ctrl+Enter from inside the card', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    await card().getByRole('textbox', { name: 'Code to run' }).click();
    await view.page.keyboard.press('Control+Enter');
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [{ type: 'approveAction', actionId: 'act-1', code: pending.proposedCode }]);
  });

  it('indents with Tab inside the code and leaves it with Escape then Tab', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [action({ id: 'act-tab', proposedCode: 'x = 1' })] }) });
    const code = card().getByRole('textbox', { name: 'Code to run' });
    await code.click();
    await view.page.keyboard.press('Home');
    await view.page.keyboard.press('Tab');
    assert.equal(await code.inputValue(), '    x = 1');
    await view.page.keyboard.press('Escape');
    await view.page.keyboard.press('Tab');
    assert.equal(await code.evaluate((element) => element === document.activeElement), false, 'focus moved on');
  });

  it('Reject opens a feedback box; Enter in it rejects with the feedback', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    await card().getByRole('button', { name: 'Reject' }).click();
    const feedback = card().getByRole('textbox', { name: 'Feedback for the model' });
    assert.equal(await feedback.evaluate((element) => element === document.activeElement), true);
    assert.deepEqual(ofType(await view.posted(), 'rejectAction'), [], 'the first click only asks why');
    await feedback.pressSequentially('use polars instead');
    await feedback.press('Enter');
    assert.deepEqual(ofType(await view.posted(), 'rejectAction'), [{ type: 'rejectAction', actionId: 'act-1', feedback: 'use polars instead' }]);
    await view.post({ type: 'entryUpdated', entry: { ...pending, status: 'rejected', feedback: 'use polars instead' } });
    assert.match((await card().textContent()) ?? '', /Rejected.*Your feedback: use polars instead/s);
  });

  it('says on the card that a shell action is a shell command, and on a Python one says nothing more', async () => {
    const shell = action({ id: 'act-sh', code: '%%bash\nls -la', proposedCode: '%%bash\nls -la', language: 'bash', risks: ['runs a shell command (ls -la)'] });
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [shell] }) });
    await card().getByText('Shell command', { exact: true }).waitFor();
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    await card().getByRole('button', { name: 'Skip' }).waitFor();
    assert.equal(await card().getByText('Shell command', { exact: true }).count(), 0);
    await expectNoProblems();
  });

  it('Skip posts skipAction', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    await card().getByRole('button', { name: 'Skip' }).click();
    assert.deepEqual(ofType(await view.posted(), 'skipAction'), [{ type: 'skipAction', actionId: 'act-1' }]);
  });

  it('Allow all in this chat turns on auto-run and approves this action', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    await view.clearPosted();
    await card().getByRole('button', { name: 'Allow all in this chat' }).click();
    assert.deepEqual(await view.posted(), [
      { type: 'setAllowAllInChat', enabled: true },
      { type: 'approveAction', actionId: 'act-1', code: pending.proposedCode },
    ]);
    const s = snapshot();
    await view.post({ type: 'status', busy: 'running', header: s.header, usage: s.usage, allowAllInChat: true });
    await view.clearPosted();
    await view.page.getByRole('button', { name: 'Stop allowing all in this chat' }).click();
    assert.deepEqual(await view.posted(), [{ type: 'setAllowAllInChat', enabled: false }]);
  });

  it('a running action counts its seconds and has its own Stop', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [action({ id: 'act-run', status: 'running' })], busy: 'running' }) });
    const status = card().locator('.card-status');
    assert.equal(await status.textContent(), 'Running…');
    await view.page.waitForFunction(() => /^Running… [12] s$/.test(document.querySelector('.card-status')?.textContent ?? ''), undefined, { timeout: 5_000 });
    await card().getByRole('button', { name: 'Stop this action' }).click();
    assert.equal(ofType(await view.posted(), 'stop').length, 1);
    await view.post({ type: 'entryUpdated', entry: action({ id: 'act-run', status: 'ran', durationMs: 2_000 }) });
    assert.equal(await card().getByRole('button', { name: 'Stop this action' }).count(), 0);
    assert.equal(await status.textContent(), 'Ran in 2.0 s');
  });

  it('a decided action never shows Run, Skip or Reject', async () => {
    const statuses: ActionStatus[] = ['waiting', 'awaitingKernel', 'running', 'ran', 'editedAndRan', 'autoRan', 'skipped', 'rejected', 'cancelled'];
    const entries = statuses.map((status, i) => action({ id: `done-${i}`, status, durationMs: 1200 + i }));
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries }) });
    assert.equal(await card().count(), statuses.length);
    for (const name of ['Run', 'Skip', 'Reject', 'Allow all in this chat']) {
      assert.equal(await view.page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
    }
    assert.equal(await view.page.getByRole('textbox', { name: 'Code to run' }).count(), 0);
    const labels = await view.page.locator('.card-status').allTextContents();
    assert.deepEqual(labels, ['Waiting for the kernel… (Approved; waits until the code already running in the kernel finishes)', 'Waiting for a kernel… (Choose a kernel for this notebook if VS Code asks; the time limit starts when the code runs)', 'Running…', 'Ran in 1.2 s', 'Edited and ran in 1.2 s', 'Auto-ran in 1.2 s', 'Skipped, not run', 'Rejected, not run', 'Cancelled']);
  });

  it('shows the output preview: text, plot thumbnails, truncation; Reveal cell posts revealCell', async () => {
    const image = barChartPng();
    const ran = action({ id: 'act-2', status: 'ran', durationMs: 800, hasCell: true, preview: { text: 'shape: (1204, 5)', isError: false, images: [image], truncated: true } });
    const failed = action({ id: 'act-3', status: 'ran', durationMs: 40, preview: { text: "KeyError: 'revenue'", isError: true, images: [], truncated: false } });
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [ran, failed] }) });
    const thumbnail = view.page.getByRole('img', { name: 'Output image 1' });
    await view.page.waitForFunction(() => document.querySelector<HTMLImageElement>('.action-output-image')?.complete === true);
    assert.ok((await thumbnail.evaluate((element) => (element as HTMLImageElement).naturalWidth)) > 0, 'the plot loaded');
    await view.page.getByRole('button', { name: 'Output image 1' }).click();
    assert.equal(await view.page.getByRole('button', { name: 'Output image 1' }).getAttribute('aria-pressed'), 'true');
    assert.match((await card().first().textContent()) ?? '', /shape: \(1204, 5\).*Output truncated/s);
    const errorText = card().nth(1).locator('.action-output-text');
    assert.equal(await errorText.evaluate((element) => getComputedStyle(element).color), 'rgb(248, 81, 73)', 'errors use errorForeground');
    assert.match((await card().nth(1).locator('.card-status').textContent()) ?? '', /Error after 40 ms \(Ran in 40 ms, with an error\)/);
    await card().first().getByRole('button', { name: 'Reveal cell' }).click();
    assert.deepEqual(ofType(await view.posted(), 'revealCell'), [{ type: 'revealCell', actionId: 'act-2' }]);
    await expectNoProblems();
  });

  it("a failed action's card shows the exception and the user's line first, the traceback one click away", async () => {
    const traceback = `KeyError                                  Traceback (most recent call last)\n${'File site-packages/pandas/core/frame.py:3761, in DataFrame.__getitem__\n'.repeat(12)}KeyError: 'revenue'`;
    const failed = action({
      id: 'act-9',
      status: 'ran',
      durationMs: 40,
      preview: { text: traceback, isError: true, error: { exception: "KeyError: 'revenue'", userFrame: "Cell In[3], line 2: total = sales['revenue'].sum()" }, images: [], truncated: false },
    });
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [failed] }) });
    const exception = card().locator('.action-error-exception');
    await exception.waitFor();
    assert.equal(await exception.textContent(), "KeyError: 'revenue'");
    assert.equal(await card().locator('.action-error-frame').textContent(), "Cell In[3], line 2: total = sales['revenue'].sum()");
    assert.ok(await exception.isVisible(), 'the exception is in view without a click');
    const full = card().locator('.action-error-traceback pre');
    assert.equal(await full.isVisible(), false, 'the traceback is folded');
    await card().getByText('Traceback', { exact: true }).click();
    assert.ok(await full.isVisible(), 'one click shows it');
    assert.match((await full.textContent()) ?? '', /DataFrame\.__getitem__/);
    await expectNoProblems();
  });

  it('keeps an unsent edit, open feedback and the draft when the view is rebuilt', async () => {
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    const code = card().getByRole('textbox', { name: 'Code to run' });
    await code.fill('print("mine")');
    await card().getByRole('button', { name: 'Reject' }).click();
    await card().getByRole('textbox', { name: 'Feedback for the model' }).fill('not yet');
    await view.page.getByRole('textbox', { name: 'Message to CodeAct' }).fill('half a thought');
    await view.reload();
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [pending] }) });
    assert.equal(await card().getByRole('textbox', { name: 'Code to run' }).inputValue(), 'print("mine")');
    assert.equal(await card().getByRole('textbox', { name: 'Feedback for the model' }).inputValue(), 'not yet');
    assert.equal(await view.page.getByRole('textbox', { name: 'Message to CodeAct' }).inputValue(), 'half a thought');
    await card().getByRole('button', { name: 'Run', exact: true }).click();
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [{ type: 'approveAction', actionId: 'act-1', code: 'print("mine")' }]);
  });
  it('shows invisible and direction-changing characters as markers, and runs the code exactly as proposed', async () => {
    // Trojan Source: the override makes the comment's end read as code on screen.
    const trojan = "access = 'user'\nif access != 'none':\n    print('ok') # \u202E \u2066print('hidden')\u2069\nname = 'a\u200Bb'";
    const reason = 'contains invisible or direction-changing characters (U+202E at line 3; U+2066 at line 3; U+2069 at line 3; and 1 more)';
    const hidden = action({ id: 'act-hidden', proposedCode: trojan, risks: [reason] });
    await view.post({ type: 'snapshot', snapshot: snapshot({ entries: [hidden], busy: 'awaitingApproval' }) });
    assert.match((await card().getByRole('note', { name: 'Risks' }).textContent()) ?? '', /invisible or direction-changing characters \(U\+202E at line 3/);
    const shown = card().locator('.card-code .code-view');
    const labels = await shown.locator('.invisible-char-label').allTextContents();
    assert.deepEqual(labels, ['\u27EAU+202E\u27EB', '\u27EAU+2066\u27EB', '\u27EAU+2069\u27EB', '\u27EAU+200B\u27EB']);
    const text = (await shown.textContent()) ?? '';
    assert.doesNotMatch(text, /[\u202E\u2066\u2069\u200B]/u, 'none of the characters reaches the page as itself');
    assert.equal(await card().getByRole('textbox', { name: 'Code to run' }).isVisible(), false, 'the editor, where they would still act, waits for Edit');
    await card().getByRole('button', { name: 'Edit the code' }).click();
    const code = card().getByRole('textbox', { name: 'Code to run' });
    assert.equal(await code.evaluate((element) => element === document.activeElement), true);
    assert.equal(await code.inputValue(), trojan);
    assert.equal(await card().locator('.code-editor-mirror .invisible-char-mark').count(), 4, 'the editor marks them too');
    await card().getByRole('button', { name: 'Run', exact: true }).click();
    assert.deepEqual(ofType(await view.posted(), 'approveAction'), [{ type: 'approveAction', actionId: 'act-hidden', code: trojan }]);
    await view.post({ type: 'entryUpdated', entry: { ...hidden, status: 'ran', durationMs: 10 } });
    assert.equal(await card().locator('.code-view .invisible-char-label').count(), 4, 'the code that ran shows them as well');
    await expectNoProblems();
  });
});
