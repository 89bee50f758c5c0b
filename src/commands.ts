import * as vscode from 'vscode';
import { ChatController } from './chat/chatController';
import { ChatViewProvider } from './chat/chatViewProvider';
import { API_KEY_SECRET } from './chat/modelFactory';
import { askAboutCellMessage, debugScriptMessage } from './chat/contextMessages';
import { Logger } from './platform/logger';
import { SettingKeys, readSettings } from './platform/settings';


export interface CommandServices {
  readonly logger: Logger;
  readonly chat: ChatController;
  readonly chatView: ChatViewProvider;
}

/** Registers the "CodeAct: …" commands declared in package.json. */
export function registerCommands(context: vscode.ExtensionContext, services: CommandServices): void {
  const { logger, chat, chatView } = services;
  const register = (id: string, run: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, run));
  };

  register('codeact.newChat', async () => {
    await chat.newChat();
    await chatView.reveal();
  });

  register('codeact.stop', () => chat.stop());

  register('codeact.showLog', () => logger.show());

  register('codeact.askAboutCell', async (arg?: unknown) => {
    const cell = isNotebookCell(arg) ? arg : activeCell();
    if (!cell) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select a notebook cell to ask about.'));
      return;
    }
    await chatView.reveal();
    await chat.sendWithNotebook(askAboutCellMessage(cell), cell.notebook.uri);
  });

  register('codeact.debugScript', async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri) return;
    const document = await vscode.workspace.openTextDocument(uri);
    await chatView.reveal();
    await chat.send(debugScriptMessage(uri, document.getText()));
  });

  register('codeact.setApiKey', async () => {
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('CodeAct: Set API Key'),
      prompt: vscode.l10n.t('API key for the OpenAI-compatible server. It is kept in VS Code\'s secret storage. Leave empty to remove it.'),
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim() === '') {
      await context.secrets.delete(API_KEY_SECRET);
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct: API key removed.'));
    } else {
      await context.secrets.store(API_KEY_SECRET, key.trim());
      logger.info('Model', 'API key stored in SecretStorage');
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct: API key saved.'));
    }
  });

  register('codeact.selectModel', async () => {
    const current = readSettings().model;
    const model = await vscode.window.showInputBox({
      title: vscode.l10n.t('CodeAct: Select Model'),
      prompt: vscode.l10n.t('Model name to send to the provider'),
      value: current,
      ignoreFocusOut: true,
    });
    if (model === undefined || model.trim() === '' || model.trim() === current) return;
    await vscode.workspace.getConfiguration('codeact').update(SettingKeys.model, model.trim(), vscode.ConfigurationTarget.Global);
  });
}

function isNotebookCell(value: unknown): value is vscode.NotebookCell {
  return typeof value === 'object' && value !== null && 'notebook' in value && 'document' in value && 'index' in value;
}

function activeCell(): vscode.NotebookCell | undefined {
  const editor = vscode.window.activeNotebookEditor;
  const selection = editor?.selections[0];
  return editor && selection && !selection.isEmpty ? editor.notebook.cellAt(selection.start) : undefined;
}
