import * as vscode from 'vscode';
import { ChatController } from './chat/chatController';
import { ChatViewProvider } from './chat/chatViewProvider';
import { Logger } from './platform/logger';
import { SettingKeys, readSettings } from './platform/settings';

/** The SecretStorage key of the OpenAI-compatible provider's API key. */
export const API_KEY_SECRET = 'codeact.apiKey';

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
    chat.newChat();
    await chatView.reveal();
  });

  register('codeact.stop', () => {
    void chat.handleWebviewMessage({ type: 'stop' });
  });

  register('codeact.showLog', () => logger.show());

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
