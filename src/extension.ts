import * as vscode from 'vscode';
import { ChatController, ChatResponder } from './chat/chatController';
import { ChatViewProvider } from './chat/chatViewProvider';
import { registerCommands } from './commands';
import { Logger } from './platform/logger';
import { readSettings } from './platform/settings';

/** What the extension exports: used by our in-VS-Code tests and by other extensions. */
export interface CodeActApi {
  readonly chatView: ChatViewProvider;
  readonly chat: ChatController;
}

/**
 * The composition root: builds the services in order and hands each its dependencies.
 * Activation happens only when the user opens the chat view or runs a CodeAct command.
 */
export function activate(context: vscode.ExtensionContext): CodeActApi {
  // 1. Logging first, so everything after can report.
  const logger = new Logger();
  context.subscriptions.push(logger);
  const manifest = context.extension.packageJSON as { version: string };
  logger.info('Extension', `activating CodeAct ${manifest.version} in VS Code ${vscode.version}`);

  // 2. The chat view and the controller that owns its state.
  const chatView = new ChatViewProvider(context.extensionUri, logger);
  context.subscriptions.push(
    chatView,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, chatView, {
      webviewOptions: { retainContextWhenHidden: false },
    }),
  );
  const placeholderResponder: ChatResponder = {
    // Replaced by the CodeAct agent; until then the chat acknowledges what reached the host.
    respond(text, chat) {
      chat.addEntry({
        kind: 'assistant',
        id: chat.newEntryId('assistant'),
        text: `Received: ${text}`,
        streaming: false,
      });
      return Promise.resolve();
    },
  };
  const chat = new ChatController(
    chatView,
    logger,
    () => ({ notebook: vscode.window.activeNotebookEditor?.notebook.uri.path.split('/').pop(), kernel: undefined, model: readSettings().model }),
    () => vscode.workspace.isTrusted,
    placeholderResponder,
  );
  context.subscriptions.push(chat);

  // 3. Commands.
  registerCommands(context, { logger, chat, chatView });

  logger.info('Extension', 'CodeAct activated');
  return { chatView, chat };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
