import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { agentCellMarker } from '../../src/kernel/notebook/notebookCellRunner';
import { ScriptedModelServer, messageText, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import { activateCodeAct, agentCells, cellText, chatActions, chatEntries, createNotebook, runUserCell, waitFor } from './helpers';



describe('The CodeAct loop in VS Code (scripted model over HTTP, real ipykernel)', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  const config = () => vscode.workspace.getConfiguration('codeact');

  before(async () => {
    api = await activateCodeAct();
    model = await startScriptedModelServer();
    await config().update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    await config().update('model', 'scripted-model', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await model.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await api.chat.newChat();
    model.reset();
  });

  it('debugs itself: buggy code, the real NameError goes back, fixed code, the answer', async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('self-debug.ipynb', ['import pandas as pd']);
    model.setScript([
      reply.text("Let me load the data.\n<execute>\nimport pandas as pd\nsales = pd.read_csv('sales.csv')\nprint(revenue.sum())\n</execute>"),
      reply.text("I forgot to compute revenue.\n<execute>\nsales['revenue'] = sales.units * sales.unit_price\nprint(round(sales.revenue.sum(), 2))\n</execute>"),
      reply.text('Total revenue is in the output above.'),
    ]);
    await api.chat.send('what is the total revenue in sales.csv?');
    const requests = model.chatRequests();
    assert.equal(requests.length, 3);
    const observation = requests[1].messages.at(-1)!;
    assert.match(messageText(observation), /NameError: name 'revenue' is not defined/);
    const cells = agentCells(notebook);
    assert.equal(cells.length, 2, 'both actions were written into the notebook');
    await waitFor('the traceback in the first cell', () => /NameError/.test(cellText(cells[0])) || undefined);
    await waitFor('the answer in the second cell', () => /^\d+\.\d+/m.test(cellText(cells[1])) || undefined);
    assert.match(messageText(requests[2].messages.at(-1)!), /\d+\.\d+/, 'the model saw the fixed output');
    assert.deepEqual(chatActions(api).map((a) => a.status), ['autoRan', 'autoRan']);
    assert.ok(chatActions(api).every((a) => a.hasCell && a.preview !== undefined), 'each card has a preview and a cell to reveal');
    const failedPreview = chatActions(api)[0]?.preview;
    assert.equal(failedPreview?.error?.exception, "NameError: name 'revenue' is not defined", "the failed card leads with the exception");
    assert.match(failedPreview?.error?.userFrame ?? '', /^Cell In\s*\[\d+\], line 3: print\(revenue\.sum\(\)\)$/, "and the user's line that raised it");

    // "Reveal cell" on the first card selects that cell in the notebook.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await api.chat.handleWebviewMessage({ type: 'revealCell', actionId: chatActions(api)[0].id });
    const editor = vscode.window.activeNotebookEditor;
    assert.equal(editor?.notebook.uri.toString(), notebook.uri.toString());
    assert.equal(editor?.selection.start, cells[0].index);
    const last = chatEntries(api).at(-1);
    assert.equal(last?.kind === 'assistant' ? last.text : '', 'Total revenue is in the output above.');
  });

  it('tells the model which variables the notebook\'s kernel already has', async () => {
    const notebook = await createNotebook('variables.ipynb', []);
    await api.kernels.cellRunner.run(notebook, "import pandas as pd\nsales = pd.read_csv('sales.csv')", {
      marker: { conversationId: 'setup', actionId: `setup-${Date.now()}` },
    });
    model.setScript([reply.text('You have the sales table loaded.')]);
    await api.chat.send('what data do I have?');
    const asked = messageText(model.chatRequests()[0].messages.at(-1)!);
    assert.match(asked, /Variables in the kernel:\n.*sales.*DataFrame.*rows x 5 columns/s, 'the message goes with the variables');
    assert.match(asked, /The user's message:\nwhat data do I have\?$/);
  });

  it('tells the model in each observation the variables its action made, with the same system prompt in every request', async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    await createNotebook('fresh-variables.ipynb', []);
    model.setScript([
      reply.text("<execute>\nimport pandas as pd\nsales = pd.read_csv('sales.csv')\n</execute>"),
      reply.text("<execute>\nsales['revenue'] = sales.units * sales.unit_price\n</execute>"),
      reply.text('Done.'),
      reply.text('Still here.'),
    ]);
    await api.chat.send('load the sales');
    await api.chat.send('anything else?');
    const requests = model.chatRequests();
    assert.equal(requests.length, 4);
    const afterLoad = messageText(requests[1].messages.at(-1)!);
    assert.match(afterLoad, /Variables this action created or changed:\n- sales: DataFrame — \d+ rows x 5 columns/);
    const afterRevenue = messageText(requests[2].messages.at(-1)!);
    assert.match(afterRevenue, /- sales: DataFrame — \d+ rows x 6 columns: .*revenue/, 'the change is told when it happens');
    const systems = new Set(requests.map((request) => messageText(request.messages.find((m) => m.role === 'system')!)));
    assert.equal(systems.size, 1, 'the system prompt (the cached prefix) never changes');
    const secondMessage = messageText(requests[3].messages.at(-1)!);
    assert.doesNotMatch(secondMessage, /sales: DataFrame/, 'the next message does not repeat variables already told');
  });

  it('answers at once while the kernel is busy (the variables probe does not wait behind running code)', async () => {
    const notebook = await createNotebook('busy.ipynb', []);
    const busy = api.kernels.cellRunner.run(notebook, 'import time\ntime.sleep(30)', { marker: { conversationId: 'busy', actionId: `busy-${Date.now()}` } });
    await waitFor('the kernel to be busy', async () => (await api.kernels.sessions.peek(notebook))?.kernel.isBusy || undefined, 30_000);
    model.setScript([reply.text('Your kernel is busy; here is my answer anyway.')]);
    const started = Date.now();
    await api.chat.send('are you there?');
    assert.ok(Date.now() - started < 10_000, `the turn took ${Date.now() - started} ms`);
    assert.equal(model.chatRequests().length, 1);
    await api.kernels.selector.interrupt(notebook, notebook.cellAt(0));
    await busy;
  });

  it('runs nothing without approval, and ignores decisions for actions that are not pending', async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('approval.ipynb', []);
    model.setScript([reply.text("<execute>\nprint('approved once')\n</execute>"), reply.text('Done.')]);
    const turn = api.chat.send('say it once');
    const pending = await waitFor('a pending action', () => chatActions(api).find((a) => a.status === 'pending'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(agentCells(notebook).length, 0, 'nothing ran while the action waits');
    await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: 'forged-id', code: 'print("forged")' });
    assert.equal(agentCells(notebook).length, 0, 'a decision for an unknown action is ignored');
    await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
    await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: 'print("twice")' });
    await turn;
    const cells = agentCells(notebook);
    assert.equal(cells.length, 1, 'the action ran exactly once');
    assert.equal(cells[0].document.getText(), "print('approved once')");
  });

  it('refuses a message sent while a turn runs, and New chat is not held up by it', async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await createNotebook('busy-send.ipynb', []);
    model.setScript([reply.text("<execute>\nprint('waiting')\n</execute>"), reply.text('a reply to the refused message')]);
    const turn = api.chat.send('first request');
    await waitFor('a pending action', () => chatActions(api).find((a) => a.status === 'pending'));
    const refused = await Promise.race([api.chat.send('second request').then((accepted) => (accepted ? 'accepted' : 'refused')), new Promise((resolve) => setTimeout(() => resolve('blocked'), 3_000))]);
    assert.equal(refused, 'refused', 'the second message is refused at once (its text goes back to the input box), not queued behind the turn');
    const started = Date.now();
    await api.chat.newChat();
    assert.ok(Date.now() - started < 5_000, `New chat took ${Date.now() - started} ms`);
    await turn;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(model.chatRequests().length, 1, 'the refused message never reached the model');
    assert.deepEqual(chatEntries(api), [], 'the new chat is empty');
  });

  it("shows an approved action as waiting while the user's own cell runs, then running", async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('waiting.ipynb', []);
    await api.kernels.selector.ensureKernel(notebook);
    const user = await runUserCell(notebook, "import time\nprint('user cell started', flush=True)\ntime.sleep(3)\nprint('user cell done')");
    model.setScript([reply.text("<execute>\nprint('after the user')\n</execute>"), reply.text('Done.')]);
    const seen: string[] = [];
    const watch = setInterval(() => {
      const status = chatActions(api).at(-1)?.status;
      if (status && seen.at(-1) !== status) seen.push(status);
    }, 50);
    try {
      await api.chat.sendWithNotebook('print something', notebook.uri);
    } finally {
      clearInterval(watch);
    }
    await user.done;
    // The poll can miss a short run between two looks: the status after the turn is the last one.
    const final = chatActions(api).at(-1)?.status;
    if (final && seen.at(-1) !== final) seen.push(final);
    assert.ok(seen.includes('waiting'), `statuses seen: ${seen.join(' → ')}`);
    assert.equal(seen.at(-1), 'autoRan', `it ran once the user cell was done; statuses seen: ${seen.join(' → ')}`);
    assert.match(cellText(user.cell), /user cell done/);
    const [agentCell] = agentCells(notebook);
    assert.match(cellText(agentCell), /after the user/);
    const agentOrder = await waitFor('the action cell to be counted', () => agentCell.executionSummary?.executionOrder);
    assert.ok(agentOrder > (user.cell.executionSummary?.executionOrder ?? Infinity), 'the kernel ran the action after the user cell, not beside it');
  });

  /**
   * A chat as a window reload leaves it: an action waiting for approval, its turn gone. The
   * reload is played by ending the turn and putting back the file saved while it waited
   * (a reload saves nothing at the end), then opening the chat again.
   */
  async function chatLeftPendingByReload(notebookName: string, replies: ReturnType<typeof reply.text>[]) {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook(notebookName, []);
    model.setScript(replies);
    const turn = api.chat.sendWithNotebook('print it', notebook.uri);
    const pending = await waitFor('a pending action', () => chatActions(api).find((a) => a.status === 'pending'));
    const id = api.chat.currentSession.id;
    const savedWhilePending = await api.chats.load(id);
    await api.chat.newChat();
    await turn;
    await api.chats.save(savedWhilePending);
    await api.chat.openChat(id);
    assert.equal(chatActions(api).find((a) => a.id === pending.id)?.status, 'pending');
    return { notebook, pending };
  }

  it('after a reload, Run on the pending card runs that code once and the model goes on', async () => {
    const { notebook, pending } = await chatLeftPendingByReload('after-reload.ipynb', [
      reply.text("<execute>\nprint('approved after reload')\n</execute>"),
      reply.text('It printed.'),
    ]);
    await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
    await api.chat.idle();
    assert.equal(chatActions(api).find((a) => a.id === pending.id)?.status, 'ran', 'the card that was approved ran');
    const cells = notebook.getCells().filter((cell) => agentCellMarker(cell)?.actionId === pending.id);
    assert.equal(cells.length, 1, 'the code ran once, in the chat\'s notebook');
    assert.match(cellText(cells[0]), /approved after reload/);
    const requests = model.chatRequests();
    assert.equal(requests.length, 2, 'the model was not asked to propose it again');
    assert.match(messageText(requests[1].messages.at(-1)!), /approved after reload/);
  });

  it('after a reload, writing again instead of deciding closes the old card and tells the model it did not run', async () => {
    const { notebook, pending } = await chatLeftPendingByReload('moved-on.ipynb', [
      reply.text("<execute>\nprint('never decided')\n</execute>"),
      reply.text('Something else, then.'),
    ]);
    await api.chat.send('forget that, do something else');
    assert.equal(chatActions(api).find((a) => a.id === pending.id)?.status, 'cancelled', 'the old card no longer offers Run');
    assert.match(messageText(model.chatRequests().at(-1)!.messages.at(-2)!), /did not decide on this action/);
    assert.equal(notebook.getCells().filter((cell) => agentCellMarker(cell)?.actionId === pending.id).length, 0, 'nothing ran');
  });

  it('stops an action before it starts: nothing runs later', async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('stop-early.ipynb', []);
    model.setScript([reply.text("<execute>\nopen('ran-after-stop.txt', 'w').write('oops')\n</execute>"), reply.text('never asked')]);
    const turn = api.chat.send('write a file');
    // Stop as soon as the action is approved, while the kernel is still starting.
    await waitFor('the action to be approved', () => chatActions(api).find((a) => a.status === 'running'), 30_000);
    api.chat.stop();
    await turn;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const written = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, 'ran-after-stop.txt')).then(() => true, () => false);
    assert.equal(written, false, 'the stopped action never ran');
    assert.deepEqual(chatActions(api).map((a) => a.status), ['cancelled']);
    void notebook;
  });

  it('stops a running action: the kernel is interrupted and the turn ends', async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('stop.ipynb', []);
    model.setScript([reply.text("<execute>\nimport time\nprint('started', flush=True)\ntime.sleep(60)\n</execute>"), reply.text('never asked')]);
    const started = Date.now();
    const turn = api.chat.send('wait a minute');
    await waitFor('the action to start running', () => agentCells(notebook).find((cell) => cellText(cell).includes('started')), 30_000);
    api.chat.stop();
    await turn;
    assert.ok(Date.now() - started < 30_000, 'Stop ended the turn long before the code would have');
    assert.deepEqual(chatActions(api).map((a) => a.status), ['cancelled']);
    assert.equal(model.chatRequests().length, 1, 'the model is not asked again after Stop');
    await waitFor('the interrupt to show in the cell', () => agentCells(notebook).find((cell) => /KeyboardInterrupt/.test(cellText(cell))));
  });

  it('"Ask CodeAct about this cell" sends the cell\'s code and its error, bound to that notebook', async () => {
    const notebook = await createNotebook('ask.ipynb', ['ratio = 10 / 0']);
    await api.kernels.selector.ensureKernel(notebook);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    await waitFor('the cell to fail', () => notebook.cellAt(0).executionSummary?.success === false || undefined);
    model.setScript([reply.text('You divide by zero on line 1.')]);
    await vscode.commands.executeCommand('codeact.askAboutCell', notebook.cellAt(0));
    await api.chat.idle();
    const asked = messageText(model.chatRequests()[0].messages.at(-1)!);
    assert.match(asked, /ratio = 10 \/ 0/);
    assert.match(asked, /ZeroDivisionError/);
    assert.equal(api.chat.currentSession.notebookUri, notebook.uri.toString());
  });

  it('"Debug this script with CodeAct" sends the script and asks to run and fix it', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    model.setScript([reply.text('Let me run it.')]);
    await vscode.commands.executeCommand('codeact.debugScript', vscode.Uri.joinPath(folder, 'buggy_script.py'));
    await api.chat.idle();
    const asked = messageText(model.chatRequests()[0].messages.at(-1)!);
    assert.match(asked, /buggy_script\.py/);
    assert.match(asked, /def monthly_revenue/);
  });

  it("does not send an action's output twice (in the history and again among the notebook's cells), and says a plot was not sent", async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    await createNotebook('sent-once.ipynb', ["print('user cell output')"]);
    model.setScript([
      reply.text("<execute>\nimport matplotlib.pyplot as plt\nprint('action output', 7700 + 81)\nplt.plot([1, 2])\nplt.show()\n</execute>"),
      reply.text('Printed it.'),
      reply.text('Still here.'),
    ]);
    await api.chat.send('print something');
    await api.chat.send('and now?');
    const requests = model.chatRequests();
    assert.equal(requests.length, 3);
    const last = requests[2].messages;
    const history = last.map(messageText).join('\n');
    assert.equal(history.split('action output 7781').length - 1, 1, "the output is in the request once (the action's cell is not repeated among the notebook's cells)");
    assert.equal(history.split('user cell output').length - 1, 1, "the user's own cell is described, once");
    // The scripted model is not known to take images: the observation says so in words.
    assert.match(history, /an image \(image\/png \d+x\d+, a plot or picture the code showed\) was made; it is not sent to you/);
  });

  it('tells the model and the chat, with the next action, that the kernel was restarted in between', async () => {
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
    const notebook = await createNotebook('restarted-between.ipynb', []);
    model.setScript([
      reply.text("<execute>\nloaded = 'yes'\n</execute>"),
      reply.text('Loaded.'),
      reply.text("<execute>\nprint('still', 'here')\n</execute>"),
      reply.text('Done.'),
    ]);
    await api.chat.send('load it');
    assert.equal(chatEntries(api).filter((entry) => entry.kind === 'notice' && /restarted/.test(entry.text)).length, 0);
    await vscode.commands.executeCommand('codeact.restartKernel', notebook.uri);
    await api.chat.send('go on');
    const requests = model.chatRequests();
    assert.equal(requests.length, 4);
    assert.match(messageText(requests[3].messages.at(-1)!), /kernel was restarted since your previous action/);
    assert.doesNotMatch(messageText(requests[1].messages.at(-1)!), /restarted/, 'not said when it was not');
    assert.ok(chatEntries(api).some((entry) => entry.kind === 'notice' && /kernel was restarted/.test(entry.text)), 'the chat shows it');
  });

  it('offers Retry on a failed request: the model is asked again, the message is not repeated, and only once', async () => {
    model.setScript([reply.modelNotFound('scripted-model'), reply.text('Back again.'), reply.text('never asked')]);
    await api.chat.send('are you there?');
    const failed = chatEntries(api).at(-1);
    assert.equal(failed?.kind === 'notice' && failed.retry, true, 'the error offers Retry');
    assert.equal(failed?.kind === 'notice' ? failed.fix : undefined, 'selectModel', 'and a button to choose another model');
    await api.chat.handleWebviewMessage({ type: 'retryTurn' });
    await api.chat.handleWebviewMessage({ type: 'retryTurn' });
    const requests = model.chatRequests();
    assert.equal(requests.length, 2, 'one retry, however many clicks');
    const asked = requests[1].messages.filter((m) => m.role === 'user').map(messageText);
    assert.equal(asked.length, 1, 'the message is not repeated');
    assert.match(asked[0] ?? '', /The user's message:\nare you there\?$/);
    const entries = chatEntries(api);
    const answer = entries.at(-1);
    assert.equal(answer?.kind === 'assistant' ? answer.text : '', 'Back again.');
    assert.equal(entries.filter((e) => e.kind === 'notice' && e.retry).length, 0, 'the used Retry is gone');
  });

  it('says a key is missing with "Set API Key" and "Use a Local Server…" buttons, before sending anything', async () => {
    await config().update('baseUrl', 'https://api.openai.com/v1', vscode.ConfigurationTarget.Global);
    try {
      await api.chat.send('hello OpenAI');
      const notice = chatEntries(api).at(-1);
      assert.match(notice?.kind === 'notice' ? notice.text : '', /No API key for OpenAI/);
      assert.equal(notice?.kind === 'notice' ? notice.fix : undefined, 'setApiKey');
      assert.equal(notice?.kind === 'notice' ? notice.alternativeFix : undefined, 'useLocalServer', 'and one to use a local server, which needs no key');
      assert.equal(model.chatRequests().length, 0);
    } finally {
      await config().update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    }
  });

  it('says clearly when the model server cannot be reached, and loses nothing', async () => {
    await config().update('baseUrl', 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
    try {
      await api.chat.send('hello?');
      const entries = chatEntries(api);
      assert.equal(entries[0]?.kind === 'user' ? entries[0].text : '', 'hello?', 'the message is kept');
      const notice = entries.find((entry) => entry.kind === 'notice' && entry.level === 'error');
      assert.match(notice?.kind === 'notice' ? notice.text : '', /reach|connect/i);
    } finally {
      await config().update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    }
  });
});
