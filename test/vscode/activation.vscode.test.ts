import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, activateCodeAct, waitFor } from './helpers';

describe('CodeAct in a real VS Code', () => {
  it('is not active before the user does anything (no * activation)', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, 'the extension is loaded');
    const events = (extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(!events.includes('*'), 'activation events must not include *');
    assert.equal(extension.isActive, false, 'nothing should have activated CodeAct yet');
  });

  it('activates on a command and registers every CodeAct command', async () => {
    await vscode.commands.executeCommand('codeact.showLog');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
    const commands = await vscode.commands.getCommands(true);
    const declared = (extension?.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.ok(declared.includes('codeact.reloadWindow'));
    for (const id of declared) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });

  it('opens the chat view and its webview loads and says ready', async () => {
    const api = await activateCodeAct();
    await vscode.commands.executeCommand('workbench.view.extension.codeact');
    await waitFor('the chat webview to load', () => api.chatView.isReady || undefined, 30_000);
    assert.equal(api.chatView.isVisible, true);
  });

  it('starts a new chat from the command', async () => {
    const api = await activateCodeAct();
    const before = api.chat.currentSession.id;
    await vscode.commands.executeCommand('codeact.newChat');
    assert.notEqual(api.chat.currentSession.id, before);
    assert.equal(api.chat.currentSession.isEmpty, true);
  });
});
