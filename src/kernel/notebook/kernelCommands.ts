import * as vscode from 'vscode';
import type { Logger } from '../../platform/logger';
import { SettingKeys } from '../../platform/settings';
import { activatedEnvironment } from '../interpreterEnvironment';
import { LEGACY_JUPYTER_TOKEN_SECRET, jupyterTokenSecret, parseJupyterServerUrl } from '../remote/jupyterServerUrl';
import { PythonKernelSessions } from './pythonKernelSessions';
import { isResolvedInterpreter } from './pythonInterpreter';
import type { KernelSelector } from './kernelSelector';

/** The notebook a kernel command applies to: the argument from a toolbar, else the active one. */
function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  // A notebook's URI (from another extension or a script), or the notebook toolbar's context.
  if (arg instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === arg.toString());
  if (arg && typeof arg === 'object' && 'notebookEditor' in arg) {
    const editor = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } }).notebookEditor;
    const uri = editor?.notebookUri;
    if (uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString());
  }
  return vscode.window.activeNotebookEditor?.notebook;
}

/** The task type of "Install ipykernel" (contributed in package.json's taskDefinitions). */
const INSTALL_TASK_TYPE = 'codeact';

/** An environment without unset variables, as ProcessExecution takes it. */
function stringValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** "Restart Kernel", "Interrupt Kernel" and "Install ipykernel" for the CodeAct Python kernel. */
export function registerKernelCommands(sessions: PythonKernelSessions, secrets: vscode.SecretStorage, selector: KernelSelector, logger: Logger): vscode.Disposable[] {
  return [
    // Beside the Jupyter extension "CodeAct Python" is not offered until asked for (see
    // CodeActKernelController): this asks for it, for the notebook at hand.
    vscode.commands.registerCommand('codeact.useOwnKernel', async (arg?: unknown) => {
      const notebook = targetNotebook(arg);
      if (!notebook) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a notebook to run it in CodeAct Python.'));
        return;
      }
      await selector.selectOurs(notebook);
    }),
    // The URL goes to the settings without its token; the token goes to SecretStorage only,
    // under its server. An argument (a URL, from a script or a link) only fills the input box:
    // sending the user's code to a server takes the user's Enter. An empty argument switches
    // back to local kernels, which needs no confirmation.
    vscode.commands.registerCommand('codeact.connectJupyterServer', async (arg?: unknown) => {
      const given = typeof arg === 'string' ? arg : undefined;
      const input =
        given?.trim() === ''
          ? ''
          : await vscode.window.showInputBox({
              title: vscode.l10n.t('CodeAct: Connect to Jupyter Server'),
              prompt: given
                ? vscode.l10n.t('Press Enter to run CodeAct\'s kernels, and so the code of every approved action, on this server.')
                : vscode.l10n.t('The server\'s URL with its token, e.g. http://gpu-box:8888/?token=…  Leave empty to run kernels locally again.'),
              ...(given ? { value: given } : {}),
              ignoreFocusOut: true,
            });
      if (input === undefined) return;
      const config = vscode.workspace.getConfiguration('codeact');
      await secrets.delete(LEGACY_JUPYTER_TOKEN_SECRET);
      if (input.trim() === '') {
        const current = config.inspect<string>(SettingKeys.jupyterServerUrl)?.globalValue;
        await config.update(SettingKeys.jupyterServerUrl, undefined, vscode.ConfigurationTarget.Global);
        if (current) await secrets.delete(jupyterTokenSecret(current));
        await sessions.shutdownAll();
        return;
      }
      const parsed = parseJupyterServerUrl(input.trim());
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(parsed.error);
        return;
      }
      await secrets.store(jupyterTokenSecret(parsed.address.baseUrl), parsed.address.token);
      await config.update(SettingKeys.jupyterServerUrl, parsed.address.baseUrl, vscode.ConfigurationTarget.Global);
      // Kernels started before run where they were; new ones start on the server.
      await sessions.shutdownAll();
      void vscode.window.showInformationMessage(vscode.l10n.t('CodeAct runs new kernels on {0}.', parsed.address.baseUrl));
    }),
    vscode.commands.registerCommand('codeact.restartKernel', async (arg?: unknown) => {
      const notebook = targetNotebook(arg);
      if (!notebook) return;
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Restarting the CodeAct Python kernel…') },
          () => sessions.restart(notebook),
        );
      } catch (error) {
        void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      }
    }),
    vscode.commands.registerCommand('codeact.interruptKernel', async (arg?: unknown) => {
      const notebook = targetNotebook(arg);
      if (notebook) await sessions.interrupt(notebook);
    }),
    // Installing runs pip in a terminal the user can watch, and only after they agreed.
    vscode.commands.registerCommand('codeact.installIpykernel', async (pythonPath?: unknown, message?: unknown) => {
      if (typeof pythonPath !== 'string') return;
      // pip runs the interpreter named here: only in a trusted folder (a folder's own python
      // could be anything), and only one CodeAct resolved for a kernel, never an argument's.
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage(vscode.l10n.t('CodeAct does not install packages in an untrusted workspace. Trust the folder first.'));
        return;
      }
      if (!isResolvedInterpreter(pythonPath)) {
        logger.warn('Kernel', 'ignored "Install ipykernel" for an interpreter CodeAct did not choose');
        return;
      }
      const install = vscode.l10n.t('Install ipykernel');
      const text = typeof message === 'string' ? message : vscode.l10n.t('ipykernel is missing in {0}.', pythonPath);
      const choice = await vscode.window.showErrorMessage(text, install, vscode.l10n.t('Choose Python'));
      if (choice === install) {
        // A task runs pip as its own process, with no shell between (no quoting to get wrong in
        // PowerShell, cmd or bash) and the environment activated as for the kernel; its terminal
        // stays open when pip ends, so its output (an error, or "Successfully installed") stays.
        const execution = new vscode.ProcessExecution(pythonPath, ['-m', 'pip', 'install', 'ipykernel'], { env: stringValues(activatedEnvironment(pythonPath, process.env)) });
        const task = new vscode.Task({ type: INSTALL_TASK_TYPE }, vscode.TaskScope.Workspace, vscode.l10n.t('Install ipykernel'), 'CodeAct', execution);
        task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, focus: true, clear: true };
        await vscode.tasks.executeTask(task);
      } else if (choice) {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'codeact.pythonPath');
      }
    }),
  ];
}

