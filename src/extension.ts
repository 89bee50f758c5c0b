import * as vscode from 'vscode';
import { ChatController } from './chat/chatController';
import { ChatStore } from './chat/chatStore';
import { ChatViewProvider } from './chat/chatViewProvider';
import { registerCommands } from './commands';
import { CodeActKernelController } from './kernel/notebook/codeActKernelController';
import { registerKernelCommands } from './kernel/notebook/kernelCommands';
import { JUPYTER_EXTENSION_ID, KernelSelector } from './kernel/notebook/kernelSelector';
import { NotebookCellRunner } from './kernel/notebook/notebookCellRunner';
import { PythonKernelSessions } from './kernel/notebook/pythonKernelSessions';
import { resolveInterpreter } from './kernel/notebook/pythonInterpreter';
import { RiskCheckProcess } from './kernel/riskCheckProcess';
import { Logger } from './platform/logger';

/** What the extension exports: used by our in-VS-Code tests and by other extensions. */
export interface CodeActApi {
  readonly chatView: ChatViewProvider;
  readonly chat: ChatController;
  /** The chats on disk (shared by every workspace). */
  readonly chats: ChatStore;
  readonly kernels: {
    readonly sessions: PythonKernelSessions;
    readonly controller: CodeActKernelController;
    readonly selector: KernelSelector;
    readonly cellRunner: NotebookCellRunner;
  };
}

/**
 * The composition root: builds the services in order and hands each its dependencies.
 * Activation happens only when the user opens the chat view, a notebook, or runs a command.
 */
export function activate(context: vscode.ExtensionContext): CodeActApi {
  // 1. Logging first, so everything after can report.
  const logger = new Logger();
  context.subscriptions.push(logger);
  const manifest = context.extension.packageJSON as { version: string };
  logger.info('Extension', `activating CodeAct ${manifest.version} in VS Code ${vscode.version}`);

  // 2. The kernel layer: our own ipykernel controller, and the runner that turns a code action
  //    into a notebook cell executed by whichever kernel the notebook has.
  const sessions = new PythonKernelSessions(context.asAbsolutePath('dist/python/codeact_kernel_bridge.py'), context.secrets, logger);
  const controller = new CodeActKernelController(sessions, logger, !vscode.extensions.getExtension(JUPYTER_EXTENSION_ID));
  const selector = new KernelSelector(controller, sessions, context.extension.id, logger);
  const cellRunner = new NotebookCellRunner(selector, logger);
  context.subscriptions.push(sessions, controller, cellRunner, ...registerKernelCommands(sessions, context.secrets, selector, logger));

  //    The risky-code check runs in the interpreter our own kernel uses, so IPython syntax is
  //    expanded by the IPython that will run it (for other kernels, the closest we can start
  //    locally: a remote kernel's interpreter is not ours to run); it starts on the first
  //    action and fails closed.
  const workspaceFolder = (): vscode.Uri | undefined => vscode.workspace.workspaceFolders?.[0]?.uri;
  const riskAnalyzer = new RiskCheckProcess({
    pythonPath: async () => (await resolveInterpreter(workspaceFolder())).path,
    scriptPath: context.asAbsolutePath('dist/python/codeact_risk_check.py'),
    log: (level, message) => (level === 'warn' || level === 'error' ? logger.warn('Kernel', message) : logger.debug('Kernel', message)),
  });
  context.subscriptions.push({ dispose: () => riskAnalyzer.dispose() });

  // 3. The chat: the webview view, the chats on disk, and the controller that runs the agent.
  const chatView = new ChatViewProvider(context.extensionUri, logger);
  context.subscriptions.push(
    chatView,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewType, chatView, {
      webviewOptions: { retainContextWhenHidden: false },
    }),
  );
  const store = new ChatStore(vscode.Uri.joinPath(context.globalStorageUri, 'chats').fsPath);
  const chat = new ChatController({ view: chatView, logger, store, secrets: context.secrets, cellRunner, kernels: selector, memento: context.workspaceState, riskAnalyzer });
  context.subscriptions.push(chat);

  // 4. Commands.
  registerCommands(context, { logger, chat, chatView });

  finishBeforeExit = () => Promise.all([store.flush(), sessions.disposeKernels()]);
  logger.info('Extension', 'CodeAct activated');
  return { chatView, chat, chats: store, kernels: { sessions, controller, selector, cellRunner } };
}

/** Work that must finish before the extension host stops: saves in flight, kernel shutdowns. */
let finishBeforeExit: (() => Promise<unknown>) | undefined;
/** VS Code gives deactivate a few seconds; a hung server must not make it wait for nothing. */
const DEACTIVATE_BUDGET_MS = 4_000;

export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions. Those disposals cannot be
  // awaited, so the chats still being written and the kernels (a remote one needs an HTTP
  // request to its server) are waited for here.
  const finishing = finishBeforeExit?.();
  finishBeforeExit = undefined;
  if (!finishing) return;
  await Promise.race([finishing.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, DEACTIVATE_BUDGET_MS))]);
}
