import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { ScriptedModelServer, reply } from '../model/scriptedModelServer';
import { activateCodeAct, agentCells, chatActions, createNotebook, useScriptedModel, waitFor } from './helpers';

/** An action that prints, then waits until the test lets it end (no timing in the test). */
function waitingAction(flag: string, printed: string): string {
  return `<execute>\nimport os, time\nprint(${JSON.stringify(printed)}, flush=True)\nwhile not os.path.exists(${JSON.stringify(flag)}): time.sleep(0.02)\nprint('done')\n</execute>`;
}

describe('A running action, as the user watches it', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  let folder: string;
  const config = () => vscode.workspace.getConfiguration('codeact');

  before(async () => {
    api = await activateCodeAct();
    model = await useScriptedModel();
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await config().update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await model.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'codeact-live-'));
    await api.chat.newChat();
    model.reset();
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('shows what the action prints on its card while it runs', async () => {
    const notebook = await createNotebook('live-output.ipynb', []);
    const flag = join(folder, 'release');
    model.setScript([reply.text(waitingAction(flag, 'step 1 of 3 loaded')), reply.text('Done.')]);
    const turn = api.chat.sendWithNotebook('load it', notebook.uri);
    const running = await waitFor('the printed line on the running card', () => chatActions(api).find((a) => a.status === 'running' && a.preview?.text.includes('step 1 of 3 loaded')), 30_000);
    assert.equal(running.preview?.isError, false);
    writeFileSync(flag, '');
    await turn;
    assert.match(chatActions(api)[0]?.preview?.text ?? '', /step 1 of 3 loaded[\s\S]*done/, 'the result replaces the live output');
  });

  it('brings the new cell into view when the user follows the notebook, and leaves a user reading elsewhere alone', async () => {
    const notebook = await createNotebook('live-reveal.ipynb', Array.from({ length: 60 }, (_, i) => `# cell ${i}\nx_${i} = ${i}`));
    const editor = await waitFor('the notebook editor', () => vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook));
    const top = new vscode.NotebookRange(0, 1);
    editor.revealRange(top, vscode.NotebookEditorRevealType.AtTop);
    await waitFor('the top of the notebook on screen', () => editor.visibleRanges.some((r) => r.start === 0) || undefined);
    const flag = join(folder, 'release');
    model.setScript([reply.text(waitingAction(flag, 'reading')), reply.text('Done.')]);
    let turn: Promise<unknown> = api.chat.sendWithNotebook('first', notebook.uri);
    await waitFor('the first action to run', () => chatActions(api).find((a) => a.status === 'running'), 30_000);
    assert.ok(editor.visibleRanges.some((r) => r.start === 0), 'the user reading the top is not moved');
    writeFileSync(flag, '');
    await turn;

    // A long output (taller than the window), its cell shown at the top: the user follows the
    // chat's cells, and the next one, below that output, is brought into view.
    model.setScript([reply.text("<execute>\nfor part in range(6):\n    print('\\n'.join('line %d' % i for i in range(30)), flush=True)\n    display(part)\n</execute>"), reply.text('Done.')]);
    await api.chat.send('print a lot');
    const long = agentCells(notebook).at(-1);
    assert.ok(long);
    editor.revealRange(new vscode.NotebookRange(long.index, long.index + 1), vscode.NotebookEditorRevealType.AtTop);
    await waitFor('the long cell at the top of the screen', () => editor.visibleRanges.some((r) => r.start <= long.index && long.index < r.end && r.end <= long.index + 1) || undefined);
    rmSync(flag);
    model.setScript([reply.text(waitingAction(flag, 'following')), reply.text('Done.')]);
    turn = api.chat.send('second');
    await waitFor('the second action to run', () => chatActions(api).find((a) => a.status === 'running'), 30_000);
    const cell = agentCells(notebook).at(-1);
    assert.ok(cell, 'the second action has a cell');
    await waitFor('the new cell on screen', () => editor.visibleRanges.some((r) => r.start <= cell.index && cell.index < r.end) || undefined);
    writeFileSync(flag, '');
    await turn;
  });
});
