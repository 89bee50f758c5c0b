import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { Logger } from '../../platform/logger';
import { readSettings } from '../../platform/settings';
import type { KernelContext } from '../../agent/systemPrompt';
import type { ExecutionResult } from '../kernelOutputs';
import { KERNEL_FOLDER_PROBE_CODE, KERNEL_STATE_PROBE_CODE, type KernelState, isFolderHere, parseKernelStateProbe } from '../kernelStateProbe';
import { probeJupyterKernel } from './jupyterKernelProbe';
import { CodeActKernelController, type CellExecuteOptions } from './codeActKernelController';
import { PythonKernelSessions, localKernelFolder } from './pythonKernelSessions';

/** A probe that takes longer than this is not worth waiting for (a busy kernel, say). */
const PROBE_TIMEOUT_MS = 3_000;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';

/** Where an action's relative paths will land, or why that is not known (said on the card). */
export type KernelWorkingFolder = { readonly path: string; readonly unknown?: undefined } | { readonly path?: undefined; readonly unknown: string };

/**
 * Makes sure a notebook has a kernel before an action runs in it. A kernel the user chose is
 * always kept. When nothing can run the notebook otherwise (the Jupyter extension is absent),
 * CodeAct's own "CodeAct Python" kernel is selected for it.
 */
export class KernelSelector {
  constructor(
    private readonly controller: CodeActKernelController,
    private readonly sessions: PythonKernelSessions,
    private readonly extensionId: string,
    private readonly logger: Logger,
  ) {}

  /** Fires when a notebook's kernel is selected, starts, dies or restarts. */
  get onDidChange(): vscode.Event<unknown> {
    return (listener: (e: unknown) => unknown, thisArgs?: unknown, disposables?: vscode.Disposable[]) => {
      const subscriptions = [
        this.controller.onDidChangeSelectedNotebooks(listener, thisArgs),
        this.sessions.onDidChange(listener, thisArgs),
      ];
      const disposable = vscode.Disposable.from(...subscriptions);
      disposables?.push(disposable);
      return disposable;
    };
  }

  /**
   * What the model is told about the notebook's kernel: the user's variables and the folder
   * relative paths resolve in. From our own kernel with a silent probe (no execution count, no
   * history) when it is already running and idle; through the Jupyter extension when the user
   * opted in. Never starts a kernel. Without a probe the folder is where the kernel starts
   * (ours) or most likely is (others'), said as unchecked; for a kernel on a Jupyter Server,
   * whose folder is the server's, nothing is said.
   */
  async kernelContext(notebook: vscode.NotebookDocument, jupyterProbes: boolean, signal: AbortSignal): Promise<KernelContext> {
    if (this.controller.isSelectedFor(notebook)) {
      const probed = await this.probeOwn(notebook, KERNEL_STATE_PROBE_CODE, signal);
      if (probed.state) return fromProbe(probed.state);
      // A kernel not started yet starts in that folder, with no variables (after a reload or a
      // crash the model must not go on believing in the old ones); a busy one may have moved.
      return {
        ...(probed.started ? {} : { variables: [] }),
        ...(probed.folder ? { workingDirectory: { path: probed.folder, checked: !probed.started } } : {}),
      };
    }
    const state = jupyterProbes ? await probeJupyterKernel(notebook, signal) : undefined;
    if (state) return fromProbe(state);
    return notebook.uri.scheme === 'file' ? { workingDirectory: { path: dirname(notebook.uri.fsPath), checked: false } } : {};
  }

  /**
   * The kernel's working folder, read just before an action is checked for risks (its
   * relative paths land there), or why it is not known; then relative writes ask. Known only
   * when read from the kernel itself and naming the same folder on this machine, or for our
   * own kernel not started yet (it starts beside the notebook). A folder merely assumed is
   * not enough: the user's own cells, `jupyter.notebookFileRoot` or a kernel on another
   * machine put it elsewhere.
   */
  async workingFolder(notebook: vscode.NotebookDocument, jupyterProbes: boolean, signal: AbortSignal): Promise<KernelWorkingFolder> {
    // Without the Jupyter extension our own kernel runs the action (see ensureKernel).
    if (this.controller.isSelectedFor(notebook) || !vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) {
      const probed = await this.probeOwn(notebook, KERNEL_FOLDER_PROBE_CODE, signal);
      if (probed.state) return folderFromProbe(probed.state);
      if (probed.started) return { unknown: probed.alive ? 'the kernel was busy' : 'the kernel is not running' };
      return probed.folder ? { path: probed.folder } : { unknown: "the kernel starts in the Jupyter Server's folder" };
    }
    if (!jupyterProbes) return { unknown: "it reads a Jupyter kernel's folder only with the setting `codeact.jupyterKernelProbes` on" };
    const state = await probeJupyterKernel(notebook, signal, KERNEL_FOLDER_PROBE_CODE);
    return state ? folderFromProbe(state) : { unknown: 'the Jupyter kernel did not answer, or has not started' };
  }

  /** {@link workingFolder} for a notebook that is not open: the action opens it (or a new one, for undefined) and its kernel starts. */
  startFolder(notebook: vscode.Uri | undefined): KernelWorkingFolder {
    if (vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) return { unknown: 'its kernel has not started' };
    if (readSettings(notebook).jupyterServerUrl) return { unknown: "the kernel starts in the Jupyter Server's folder" };
    const folder = localKernelFolder(notebook);
    return folder ? { path: folder } : { unknown: 'the notebook has no folder' };
  }

  /**
   * Runs a silent probe in our own kernel when it runs and is idle (a busy kernel would make
   * the probe, and so the user, wait behind its work). Never starts a kernel. Without an
   * answer: whether a kernel was started and still lives, and the local folder one starts (or
   * started) in.
   */
  private async probeOwn(notebook: vscode.NotebookDocument, code: string, signal: AbortSignal): Promise<{ state?: KernelState; started: boolean; alive: boolean; folder?: string }> {
    const session = await this.sessions.peek(notebook)?.catch(() => undefined);
    if (session?.kernel.isAlive && !session.kernel.isBusy) {
      const result = await session.kernel.execute(code, { silent: true, timeoutMs: PROBE_TIMEOUT_MS, signal });
      const state = parseKernelStateProbe(result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join(''));
      if (state) return { state, started: true, alive: true };
    }
    const remote = session ? session.remote : Boolean(readSettings().jupyterServerUrl);
    const folder = remote ? undefined : localKernelFolder(notebook.uri);
    return { started: session !== undefined, alive: session?.kernel.isAlive ?? false, ...(folder ? { folder } : {}) };
  }

  /**
   * The name of the kernel the notebook's next action runs in (undefined: a new notebook),
   * as far as we can tell: ours when selected, and also before it is, when nothing else can run
   * the notebook (ensureKernel selects it then, as the notebook toolbar already suggests).
   */
  describe(notebook: vscode.NotebookDocument | undefined): string {
    if ((notebook && this.controller.isSelectedFor(notebook)) || !vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) {
      const server = readSettings(notebook?.uri).jupyterServerUrl;
      return server ? `CodeAct Python on ${hostOf(server)}` : 'CodeAct Python';
    }
    return 'Jupyter kernel';
  }

  async ensureKernel(notebook: vscode.NotebookDocument): Promise<void> {
    if (this.controller.isSelectedFor(notebook)) return;
    // With the Jupyter extension, its kernel (or its picker) runs the cell, as the user expects.
    if (vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) return;
    await this.selectOurs(notebook);
  }

  /**
   * Starts running a cell in the notebook's kernel; resolves when the kernel is done with it,
   * with its result when our own kernel ran it (what it wrote into the cell). Only our own
   * kernel applies `timeoutMs` (from when the code starts); for others the caller times it.
   * Our own kernel is driven directly (no round trip through the workbench, which could also
   * open the kernel picker while it catches up with the selection); any other kernel through
   * VS Code's execute command, exactly as if the user ran the cell.
   */
  async execute(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, options: CellExecuteOptions = {}): Promise<ExecutionResult | undefined> {
    if (this.controller.isSelectedFor(notebook)) {
      const [result] = await this.controller.executeCells([cell], notebook, options);
      return result;
    }
    await vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: cell.index, end: cell.index + 1 }],
      document: notebook.uri,
    });
    return undefined; // read back from the cell by the caller
  }

  /** Whether our own kernel for the notebook runs (or has queued) code right now. */
  async isBusy(notebook: vscode.NotebookDocument): Promise<boolean> {
    if (!this.controller.isSelectedFor(notebook)) return false;
    const session = await this.sessions.peek(notebook)?.catch(() => undefined);
    return session?.kernel.isBusy ?? false;
  }

  /** Whether CodeAct's own kernel runs the notebook (so `execute` applies timeouts itself). */
  runsOwnKernel(notebook: vscode.NotebookDocument): boolean {
    return this.controller.isSelectedFor(notebook);
  }

  /**
   * Stops an action's cell. In our kernel only that cell stops (cancelled while it waits,
   * interrupted while it runs). The Jupyter extension's kernel can only be interrupted as a
   * whole, through its command; any other through VS Code's cancel command for the cell.
   */
  async interrupt(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): Promise<void> {
    if (this.controller.isSelectedFor(notebook)) {
      await this.controller.interrupt(notebook, cell);
    } else if (vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) {
      await vscode.commands.executeCommand('jupyter.interruptkernel', notebook.uri);
    } else {
      await vscode.commands.executeCommand('notebook.cell.cancelExecution', {
        ranges: [{ start: cell.index, end: cell.index + 1 }],
        document: notebook.uri,
      });
    }
  }

  /**
   * Restarts the notebook's kernel (after it died, say): ours through our command, the
   * Jupyter extension's through its own; any other kernel only its toolbar can restart.
   */
  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    if (this.controller.isSelectedFor(notebook)) {
      await vscode.commands.executeCommand('codeact.restartKernel', notebook.uri);
    } else if (vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) {
      await vscode.commands.executeCommand('jupyter.restartkernel', notebook.uri);
    } else {
      void vscode.window.showInformationMessage(vscode.l10n.t("Restart this notebook's kernel from the notebook's toolbar."));
    }
  }

  /** Selects "CodeAct Python" for the notebook, as the kernel picker would. */
  async selectOurs(notebook: vscode.NotebookDocument): Promise<void> {
    const editor =
      vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook) ??
      (await vscode.window.showNotebookDocument(notebook, { preserveFocus: true, preview: false }));
    const selected = new Promise<void>((resolve) => {
      this.controller.register();
      const listener = this.controller.onDidChangeSelectedNotebooks((event) => {
        if (event.notebook === notebook && event.selected) {
          listener.dispose();
          resolve();
        }
      });
      setTimeout(() => {
        listener.dispose();
        resolve();
      }, 5_000);
    });
    await vscode.commands.executeCommand('notebook.selectKernel', { editor, id: CodeActKernelController.id, extension: this.extensionId });
    await selected;
    if (!this.controller.isSelectedFor(notebook)) throw new Error('Could not select the CodeAct Python kernel for this notebook.');
    this.logger.info('Kernel', `selected CodeAct Python for ${notebook.uri.path}`);
  }
}

function folderFromProbe(state: KernelState): KernelWorkingFolder {
  if (!state.workingDirectory) return { unknown: 'the kernel did not say' };
  return isFolderHere(state) ? { path: state.workingDirectory } : { unknown: 'the kernel runs on another machine, or sees another folder under that path' };
}

function fromProbe(state: KernelState): KernelContext {
  return {
    variables: state.variables,
    ...(state.workingDirectory ? { workingDirectory: { path: state.workingDirectory, checked: true } } : {}),
  };
}
