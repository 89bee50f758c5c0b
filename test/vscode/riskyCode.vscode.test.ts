import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { ScriptedModelServer, reply, startScriptedModelServer } from '../model/scriptedModelServer';
import { activateCodeAct, chatActions, createNotebook, waitFor } from './helpers';

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
