import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { ScriptedModelServer, messageText, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import { activateCodeAct, agentCells, cellText, chatActions, createNotebook, waitFor } from './helpers';

/**
 * The action forms other agents' models write (OpenHands, smolagents), through the chat with a
 * scripted model over HTTP, run in the real kernel and written into the notebook. Each action
 * is approved on its card, as a user would.
 */
describe('Action forms real models write, run in VS Code (scripted model, real ipykernel)', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  const config = () => vscode.workspace.getConfiguration('codeact');

  before(async () => {
    api = await activateCodeAct();
    model = await startScriptedModelServer();
    await config().update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    await config().update('model', 'scripted-model', vscode.ConfigurationTarget.Global);
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await model.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    await api.chat.newChat();
    model.reset();
  });

  /** Sends `request`, approves each proposed action as it comes, and waits for the turn to end. */
  async function sendApproving(notebook: vscode.NotebookDocument, request: string, actions: number): Promise<void> {
    const turn = api.chat.sendWithNotebook(request, notebook.uri);
    for (let i = 0; i < actions; i++) {
      const pending = await waitFor(`pending action ${i + 1}`, () => chatActions(api).filter((a) => a.status === 'pending').at(0), 60_000);
      await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
      await waitFor(`action ${i + 1} to finish`, () => chatActions(api).find((a) => a.id === pending.id && a.status === 'ran'), 60_000);
    }
    await turn;
  }

  it('OpenHands <execute_ipython>: the Python runs in the kernel and lands in a cell', async () => {
    const notebook = await createNotebook('openhands-ipython.ipynb', []);
    model.setScript([
      reply.text(
        "I'll start by checking the data file is there and how big it is, then read the header so I know the columns.\n\n" +
          "<execute_ipython>\nimport os\nprint('size', os.path.getsize('sales.csv') > 0)\nprint(open('sales.csv').readline().strip())\n</execute_ipython>",
      ),
      reply.text('The file is there; its header lists the columns.'),
    ]);
    await sendApproving(notebook, 'what columns does sales.csv have?', 1);
    const [cell] = agentCells(notebook);
    assert.ok(cell, 'the action was written into the notebook');
    assert.equal(cell.document.getText(), "import os\nprint('size', os.path.getsize('sales.csv') > 0)\nprint(open('sales.csv').readline().strip())");
    await waitFor('the output in the cell', () => /size True/.test(cellText(cell)) || undefined);
    assert.match(messageText(model.chatRequests()[1].messages.at(-1)!), /size True/, 'the model saw the output');
  });

  it('OpenHands <execute_bash>: the shell command runs as a %%bash cell, marked as shell on its card', async () => {
    const notebook = await createNotebook('openhands-bash.ipynb', []);
    model.setScript([
      reply.text('Let me check which CSV files are in the workspace before loading anything.\n<execute_bash>\nls *.csv\necho "shell says $((6 * 7))"\n</execute_bash>'),
      reply.text('There is sales.csv, and the shell works.'),
    ]);
    const turn = api.chat.sendWithNotebook('which csv files are here?', notebook.uri);
    const pending = await waitFor('a pending shell action', () => chatActions(api).find((a) => a.status === 'pending'), 60_000);
    assert.equal(pending.language, 'bash', 'the card knows it is a shell command');
    assert.ok(pending.risks.length > 0, 'it is checked like any shell command');
    assert.equal(pending.code, '%%bash\nls *.csv\necho "shell says $((6 * 7))"');
    await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
    await turn;
    const [cell] = agentCells(notebook);
    assert.ok(cell, 'the shell action was written into the notebook');
    assert.equal(cell.document.getText(), '%%bash\nls *.csv\necho "shell says $((6 * 7))"');
    await waitFor('the shell output in the cell', () => (/sales\.csv/.test(cellText(cell)) && /shell says 42/.test(cellText(cell))) || undefined);
    const second = model.chatRequests()[1];
    assert.match(messageText(second.messages.at(-1)!), /shell says 42/, 'the model saw the output');
    assert.match(messageText(second.messages.at(-2)!), /<execute_bash>\nls \*\.csv/, 'the history keeps the action as the model wrote it');
  });

  it("OpenHands' execute_bash tool call {\"command\"}: runs as a %%bash cell, answered as the execute_python call that ran it", async () => {
    await config().update('actionFormat', 'tools', vscode.ConfigurationTarget.Global);
    try {
      const notebook = await createNotebook('openhands-bash-tool.ipynb', []);
      model.setScript([
        { type: 'completion', text: 'Listing the data files first.', toolCalls: [{ id: 'call_bash_1', name: 'execute_bash', arguments: { command: 'ls *.csv\necho "tool shell $((6 * 7))"' } }] },
        reply.text('There is sales.csv.'),
      ]);
      const turn = api.chat.sendWithNotebook('which csv files are here?', notebook.uri);
      const pending = await waitFor('a pending shell action', () => chatActions(api).find((a) => a.status === 'pending'), 60_000);
      assert.equal(pending.language, 'bash', 'the card knows it is a shell command');
      await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
      await turn;
      const [cell] = agentCells(notebook);
      assert.equal(cell?.document.getText(), '%%bash\nls *.csv\necho "tool shell $((6 * 7))"');
      await waitFor('the shell output in the cell', () => (cell && /tool shell 42/.test(cellText(cell))) || undefined);
      const second = model.chatRequests()[1].messages;
      const answer = second.at(-1)!;
      assert.equal(answer.role, 'tool', 'the call got its tool answer');
      assert.match(messageText(answer), /no tool named "execute_bash".*%%bash cell[\s\S]*tool shell 42/);
      const call = second.at(-2) as { tool_calls?: { function: { name: string } }[] };
      assert.equal(call.tool_calls?.[0]?.function.name, 'execute_python', 'the history holds the call that ran');
    } finally {
      await config().update('actionFormat', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('smolagents: Thought, Code, ```py … ```<end_code>, streamed a character at a time, runs without the markers', async () => {
    const notebook = await createNotebook('smolagents.ipynb', []);
    model.setScript([
      reply.text(
        'Thought: I need the number of rows in sales.csv. I will read it with the csv module and count the data rows.\n' +
          "Code:\n```py\nimport csv\nwith open('sales.csv') as f:\n    rows = list(csv.reader(f))\nprint('rows:', len(rows) - 1)\n```<end_code>\n",
        { chunkSize: 1 },
      ),
      reply.text('Thought: I have the count.\nThe file has the number of rows printed above.'),
    ]);
    await sendApproving(notebook, 'how many rows does sales.csv have?', 1);
    const [cell] = agentCells(notebook);
    assert.ok(cell, 'the action was written into the notebook');
    assert.equal(cell.document.getText(), "import csv\nwith open('sales.csv') as f:\n    rows = list(csv.reader(f))\nprint('rows:', len(rows) - 1)");
    await waitFor('the row count in the cell', () => /rows: \d+/.test(cellText(cell)) || undefined);
    assert.doesNotMatch(cellText(cell), /SyntaxError/);
    assert.match(messageText(model.chatRequests()[1].messages.at(-1)!), /rows: \d+/);
  });
});
