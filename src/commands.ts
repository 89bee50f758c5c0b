import * as vscode from 'vscode';
import { ChatController } from './chat/chatController';
import { ChatViewProvider } from './chat/chatViewProvider';
import { adoptLegacyApiKey, apiKeySecret } from './chat/apiKeys';
import { apiKeyOwner, resolveBaseUrl } from './llm/providerConfig';
import { askAboutCellMessage, debugScriptMessage } from './chat/contextMessages';
import { pickLocalServer } from './chat/localServerPicker';
import { pickModel } from './chat/modelPicker';
import { Logger } from './platform/logger';
import { readSettings } from './platform/settings';


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

  // Offered in the chat view's title when its webview did not load: a new window is the one
  // thing that always gives it a working frame.
  register('codeact.reloadWindow', () => vscode.commands.executeCommand('workbench.action.reloadWindow'));

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

  // The key is for the server codeact.baseUrl points at now, and is only ever sent there.
  register('codeact.setApiKey', async () => {
    const base = resolveBaseUrl(readSettings(), process.env);
    if (!base.ok) {
      void vscode.window.showErrorMessage(base.problem);
      return;
    }
    const server = apiKeyOwner(base.baseURL);
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('CodeAct: Set API Key'),
      prompt: vscode.l10n.t('API key for the OpenAI-compatible server at {0}. It is kept in VS Code\'s secret storage and sent only to that server. Leave empty to remove it.', server),
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    await adoptLegacyApiKey(context.secrets, base.baseURL);
    const secret = apiKeySecret(base.baseURL);
    if (key.trim() === '') {
      await context.secrets.delete(secret);
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct: API key for {0} removed.', server));
    } else {
      await context.secrets.store(secret, key.trim());
      logger.info('Model', `API key for ${server} stored in SecretStorage`);
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct: API key for {0} saved.', server));
    }
  });

  register('codeact.selectModel', () => pickModel(context.secrets, logger));

  register('codeact.useLocalServer', () => pickLocalServer());
}

function isNotebookCell(value: unknown): value is vscode.NotebookCell {
  return typeof value === 'object' && value !== null && 'notebook' in value && 'document' in value && 'index' in value;
}

function activeCell(): vscode.NotebookCell | undefined {
  const editor = vscode.window.activeNotebookEditor;
  const selection = editor?.selections[0];
  return editor && selection && !selection.isEmpty ? editor.notebook.cellAt(selection.start) : undefined;
}
