import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { agentCellMarker } from '../../src/kernel/notebook/notebookCellRunner';
import { ScriptedModelServer, reply } from '../model/scriptedModelServer';
import { activateCodeAct, cellText, chatEntries, createNotebook, useScriptedModel } from './helpers';

async function exists(name: string): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders![0].uri;
  return vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, name)).then(
    () => true,
    () => false,
  );
}


/**
 * Runs in a second VS Code whose folder is not trusted (the runner turns workspace trust on
 * and never grants it). CodeAct still chats, but nothing it or the user asks of it runs code.
 */
describe('In an untrusted folder (Restricted Mode) CodeAct runs no code', function () {
  this.timeout(60_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  const codeact = () => vscode.workspace.getConfiguration('codeact');
  const global = vscode.ConfigurationTarget.Global;

  before(async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the runner opened this folder untrusted');
    api = await activateCodeAct();
    model = await useScriptedModel();
    // Even the user's explicit "run everything" does not open Restricted Mode.
    await codeact().update('autoApprove', true, global);
  });

  after(async () => {
    await codeact().update('autoApprove', undefined, global);
    await model.close();
  });

  it('still answers in words', async () => {
    await api.chat.newChat();
    model.setScript([reply.text('Hello from Restricted Mode.')]);
    await api.chat.send('hello');
    const last = chatEntries(api).at(-1);
    assert.equal(last?.kind === 'assistant' ? last.text : '', 'Hello from Restricted Mode.');
  });

  it('runs no action, even with auto-approve on: the turn ends saying why, without a cell or a kernel', async () => {
    await api.chat.newChat();
    model.reset();
    const notebook = await createNotebook('untrusted-action.ipynb', []);
    model.setScript([reply.text("<execute>\nopen('written-by-action.txt', 'w').write('x')\n</execute>"), reply.text('never asked')]);
    await api.chat.send('write a file');
    assert.equal(model.chatRequests().length, 1, 'the model is not asked again');
    const notices = chatEntries(api).filter((entry) => entry.kind === 'notice' || entry.kind === 'action');
    assert.match(JSON.stringify(notices), /trust/i, 'the user is told to trust the folder');
    assert.equal(notebook.getCells().filter((cell) => agentCellMarker(cell) !== undefined).length, 0, 'no cell was written');
    assert.equal(api.kernels.sessions.peek(notebook), undefined, 'no kernel was started');
    assert.equal(await exists('written-by-action.txt'), false);
  });

  it("refuses to run a cell in the CodeAct Python kernel, and starts none", async () => {
    const notebook = await createNotebook('untrusted-cell.ipynb', ["open('written-by-cell.txt', 'w').write('x')"]);
    await api.kernels.selector.selectOurs(notebook);
    const result = await api.kernels.selector.execute(notebook, notebook.cellAt(0));
    assert.equal(result, undefined, 'nothing ran');
    assert.match(cellText(notebook.cellAt(0)), /untrusted workspace/i, 'the cell says why');
    assert.equal(api.kernels.sessions.peek(notebook), undefined, 'no kernel was started');
    assert.equal(await exists('written-by-cell.txt'), false);
  });

  it('"CodeAct: Restart Kernel" starts no kernel', async () => {
    const notebook = await createNotebook('untrusted-restart.ipynb', ['1 + 1']);
    await vscode.commands.executeCommand('codeact.restartKernel');
    assert.equal(api.kernels.sessions.peek(notebook), undefined);
  });
});
