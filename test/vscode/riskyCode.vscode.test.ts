import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { ScriptedModelServer, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import { activateCodeAct, chatActions, createNotebook, marker, runUserCell, waitFor } from './helpers';

/** One attempt to get past the risky-code check per kind: each must wait for approval. */
const BYPASSES: readonly (readonly [string, string])[] = [
  ['a module by another name', "import posix\nposix.system('echo hi')"],
  ['a name the check cannot resolve', "m.system('echo hi')"],
  ['an IPython escape', '/exec code'],
  ['dynamic code', "import pickle\npickle.loads(b'')"],
  ['deleting files', "import os\nos.remove('nothing-here.txt')"],
  ['a write outside the folder', "open('/tmp/codeact-outside.txt', 'w').write('x')"],
  ['the network', "import socket\nsocket.gethostbyname('example.com')"],
  ['a shell command', '!rm -f nothing-here.txt'],
  ['the working folder', '%cd ~'],
];

describe('The risky-code check in VS Code (auto-approve on, the real helper and kernel path)', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let model: ScriptedModelServer;
  const config = () => vscode.workspace.getConfiguration('codeact');

  before(async () => {
    api = await activateCodeAct();
    model = await startScriptedModelServer();
    await config().update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
    await config().update('model', 'scripted-model', vscode.ConfigurationTarget.Global);
    await config().update('autoApprove', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await config().update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await model.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  beforeEach(async () => {
    await api.chat.newChat();
    model.reset();
  });

  it('runs an ordinary data-science action without asking', async () => {
    const notebook = await createNotebook('risk-ordinary.ipynb', []);
    model.setScript([reply.text("<execute>\nimport pandas as pd\nsales = pd.read_csv('sales.csv')\nprint(sales.shape)\n</execute>"), reply.text('Done.')]);
    await api.chat.sendWithNotebook('how big is sales.csv?', notebook.uri);
    assert.deepEqual(chatActions(api).map((a) => a.status), ['autoRan']);
  });

  it('judges a relative write where the kernel is: after an approved os.chdir out of the folder, it asks', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'codeact-moved-kernel-'));
    try {
      const notebook = await createNotebook('risk-moved-kernel.ipynb', []);
      const write = "<execute>\nopen('written-here.txt', 'w').write('x')\n</execute>";
      model.setScript([reply.text(write), reply.text(`<execute>\nimport os\nos.chdir(${JSON.stringify(outside)})\n</execute>`), reply.text(write), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('write a file', notebook.uri);
      const moving = await waitFor('the chdir to wait for approval', () => chatActions(api).find((a) => a.status === 'pending'), 30_000);
      assert.deepEqual(chatActions(api)[0]?.status, 'autoRan', 'the first write, with the kernel in the folder, ran by itself');
      await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: moving.id, code: moving.code });
      const held = await waitFor('the second write to wait for approval', () => chatActions(api).find((a) => a.status === 'pending' && a.id !== moving.id), 30_000);
      assert.deepEqual(held.risks, ['writes with `open` outside the folder: `written-here.txt`']);
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: held.id });
      await turn;
      assert.ok(!existsSync(join(outside, 'written-here.txt')), 'nothing was written outside the folder');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('judges a notebook that is not open where it will run: outside the folder, a relative write asks', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'codeact-closed-notebook-'));
    try {
      // The chat is bound to a notebook that is not open: the action opens it, and its kernel starts beside it.
      const uri = vscode.Uri.file(join(outside, 'elsewhere.ipynb'));
      writeFileSync(uri.fsPath, JSON.stringify({ cells: [], metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }));
      model.setScript([reply.text("<execute>\nopen('written-here.txt', 'w').write('x')\n</execute>"), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('write a file', uri);
      const held = await waitFor('the write to wait for approval', () => chatActions(api).find((a) => a.status === 'pending') ?? chatActions(api).find((a) => a.status === 'autoRan'), 30_000);
      assert.equal(held.status, 'pending', `the write ran by itself: ${held.risks.join('; ')}`);
      assert.ok(held.risks.some((risk) => risk.includes('`written-here.txt`')), held.risks.join('; '));
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: held.id });
      await turn;
      assert.ok(!existsSync(join(outside, 'written-here.txt')), 'nothing was written outside the folder');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("asks when the kernel was busy with the user's own cell, which may move it", async () => {
    const outside = mkdtempSync(join(tmpdir(), 'codeact-busy-kernel-'));
    const release = join(outside, 'release');
    try {
      const notebook = await createNotebook('risk-busy-kernel.ipynb', []);
      await api.kernels.cellRunner.run(notebook, '1', { marker: marker() }); // the kernel runs
      // The user's cell moves the kernel and keeps it busy until the write has been judged.
      const user = await runUserCell(notebook, `import os, time\nos.chdir(${JSON.stringify(outside)})\nprint('moved', flush=True)\nwhile not os.path.exists('release'): time.sleep(0.02)`);
      model.setScript([reply.text("<execute>\nopen('written-here.txt', 'w').write('x')\n</execute>"), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('write a file', notebook.uri);
      const held = await waitFor('the write to be judged', () => chatActions(api).find((a) => a.status === 'pending' || a.status === 'autoRan' || a.status === 'waiting'), 30_000);
      writeFileSync(release, '');
      await user.done;
      const judged = await waitFor('the write to wait for approval', () => chatActions(api).find((a) => a.id === held.id && a.status !== 'waiting'), 30_000);
      assert.equal(judged.status, 'pending', 'the write did not run by itself');
      assert.deepEqual(judged.risks, ["writes with `open` to `written-here.txt`, relative to the kernel's working folder, which the check could not read (the kernel was busy)"]);
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: judged.id });
      await turn;
      assert.ok(!existsSync(join(outside, 'written-here.txt')), 'nothing was written outside the folder');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  for (const [kind, code] of BYPASSES) {
    it(`holds ${kind} for approval, with the reason on the card`, async () => {
      const notebook = await createNotebook(`risk-${kind.replace(/\W+/g, '-')}.ipynb`, []);
      model.setScript([reply.text(`<execute>\n${code}\n</execute>`), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('go', notebook.uri);
      const pending = await waitFor('the action to wait for approval', () => chatActions(api).find((a) => a.status === 'pending'), 30_000);
      assert.ok(pending.risks.length > 0, 'the card says why it asks');
      assert.ok(!pending.risks.some((risk) => /could not be checked/.test(risk)), `the check itself ran: ${pending.risks.join('; ')}`);
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: pending.id });
      await turn;
      assert.equal(chatActions(api).find((a) => a.id === pending.id)?.status, 'skipped');
    });
  }
});
