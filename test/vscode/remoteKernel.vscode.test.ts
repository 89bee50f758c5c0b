import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { JupyterServerFixture, startJupyterServer } from '../unit/kernel/jupyterServerFixture';
import { realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { messageText, reply } from '../model/scriptedModelServer';
import { activateCodeAct, createNotebook, marker, streamText, useScriptedModel, waitFor } from './helpers';

/**
 * Runs "Connect to Jupyter Server" with a URL, as a script or a link would: the URL only fills
 * the input box, and the user's Enter (here: accepting the box) connects.
 */
async function connectWithEnter(url: string): Promise<void> {
  let settled = false;
  const command = Promise.resolve(vscode.commands.executeCommand('codeact.connectJupyterServer', url)).finally(() => (settled = true));
  await waitFor('the Connect to Jupyter Server box to be accepted', async () => {
    if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    return settled || undefined;
  });
  await command;
}

describe('The CodeAct Python kernel on a Jupyter Server (real jupyter-server on 127.0.0.1)', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let server: JupyterServerFixture;

  before(async () => {
    api = await activateCodeAct();
    server = await startJupyterServer();
  });

  after(async () => {
    await vscode.commands.executeCommand('codeact.connectJupyterServer', '');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await server.stop();
  });

  it('runs actions on the server after "Connect to Jupyter Server", and keeps the token out of settings', async () => {
    await connectWithEnter(`${server.baseUrl}?token=${server.token}`);
    const setting = vscode.workspace.getConfiguration('codeact').get<string>('jupyterServerUrl') ?? '';
    assert.ok(setting.startsWith(server.baseUrl.replace(/\/$/, '')), setting);
    assert.ok(!setting.includes(server.token), 'the token is not in the settings');

    const notebook = await createNotebook('remote.ipynb', []);
    const { result } = await api.kernels.cellRunner.run(notebook, 'import os\nprint("pid", os.getpid())\n21 * 2', { marker: marker() });
    assert.equal(result.status, 'ok');
    assert.match(streamText(result.outputs), /^pid \d+/);
    assert.equal((await server.kernelIds()).length, 1, 'the kernel runs on the Jupyter Server');
    assert.match(api.kernels.selector.describe(notebook) ?? '', /CodeAct Python on 127\.0\.0\.1/);

    await vscode.commands.executeCommand('codeact.connectJupyterServer', '');
    assert.deepEqual(await server.kernelIds(), [], 'disconnecting shuts the remote kernel down');
  });

  it('connects only after the user confirms a URL given to the command (a link or a script cannot do it alone)', async () => {
    let settled = false;
    const command = Promise.resolve(vscode.commands.executeCommand('codeact.connectJupyterServer', `${server.baseUrl}?token=${server.token}`)).finally(() => (settled = true));
    await waitFor('the box to be dismissed', async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled || undefined;
    });
    await command;
    assert.equal(vscode.workspace.getConfiguration('codeact').get<string>('jupyterServerUrl'), '', 'not connected');
  });

  it("never sends a server's token to another server, even when the URL in the settings is edited by hand", async () => {
    await connectWithEnter(`${server.baseUrl}?token=${server.token}`);
    const seen: string[] = [];
    const other = createServer((request, response) => {
      seen.push(`${request.url ?? ''} ${request.headers.authorization ?? ''}`);
      response.writeHead(403, { 'Content-Type': 'application/json' }).end('{"message": "Forbidden"}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
      await vscode.workspace.getConfiguration('codeact').update('jupyterServerUrl', otherUrl, vscode.ConfigurationTarget.Global);
      const notebook = await createNotebook('other-server.ipynb', []);
      const { result } = await api.kernels.cellRunner.run(notebook, 'print(1)', { marker: marker(), timeoutMs: 20_000 });
      assert.notEqual(result.status, 'ok');
      assert.ok(seen.length > 0, 'CodeAct did try the other server');
      assert.ok(seen.every((line) => !line.includes(server.token)), seen.join('\n'));
    } finally {
      other.close();
      await vscode.commands.executeCommand('codeact.connectJupyterServer', '');
    }
  });

  it("tells the model the remote kernel's own working directory (the server's folder), not the notebook's", async () => {
    await connectWithEnter(`${server.baseUrl}?token=${server.token}`);
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await createNotebook('remote-cwd.ipynb', []);
      const { result } = await api.kernels.cellRunner.run(notebook, 'import os\nprint(os.getcwd())', { marker: marker() });
      const kernelFolder = streamText(result.outputs).trim();
      assert.equal(realpathSync(kernelFolder), realpathSync(server.rootDir), 'the kernel runs in the server root');
      assert.notEqual(kernelFolder, dirname(notebook.uri.fsPath));
      model.setScript([reply.text('Your files are in the server folder.')]);
      await api.chat.send('where are my files?');
      const prompt = messageText(model.chatRequests()[0].messages.at(-1)!);
      assert.ok(prompt.includes(`- Working directory: ${kernelFolder}\n`), prompt);
      assert.ok(!prompt.includes(dirname(notebook.uri.fsPath)), "the notebook's folder is not claimed");
    } finally {
      await vscode.workspace.getConfiguration('codeact').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await model.close();
      await vscode.commands.executeCommand('codeact.connectJupyterServer', '');
    }
  });
});
