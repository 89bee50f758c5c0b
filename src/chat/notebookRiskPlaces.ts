import * as vscode from 'vscode';
import type { RiskCheckPlace, RiskFinding } from '../agent/riskAnalyzer';
import type { KernelSelector } from '../kernel/notebook/kernelSelector';
import { readSettings } from '../platform/settings';
import type { RiskPlaceSource } from './webviewApprovalGate';

/**
 * Where the risky-code check judges a notebook action's paths: writes must stay in the
 * notebook's workspace folder, and relative paths resolve in the kernel's working folder as
 * it is right before the action (an action approved earlier may have run `%cd` or
 * `os.chdir`; judging against the workspace folder would then let a relative write land
 * outside it without asking).
 *
 * Our own kernel is asked each time (a silent probe). A kernel that cannot be asked (the
 * Jupyter extension's without the user's opt-in to probes) is assumed to be in the notebook's
 * folder, where Jupyter starts it, until an action that may move it runs in this window;
 * after that its folder is unknown, and relative writes ask.
 */
export class NotebookRiskPlaces {
  /** Notebooks (by URI) whose kernel an action may have moved. */
  private readonly mayHaveMoved = new Set<string>();

  constructor(
    private readonly kernels: Pick<KernelSelector, 'workingFolder'>,
    private readonly notebook: () => vscode.NotebookDocument | undefined,
  ) {}

  /** The source the approval gate of one turn reads; it follows the chat's current notebook. */
  readonly source: RiskPlaceSource = {
    placeFor: (signal) => this.placeFor(signal),
    noteRun: (risks, unreadable) => this.noteRun(risks, unreadable),
  };

  async placeFor(signal: AbortSignal): Promise<RiskCheckPlace> {
    const notebook = this.notebook();
    if (!notebook) {
      // The action will open (or create) a notebook there: a new kernel starts in its folder.
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      return folder ? { folder, workingFolder: folder } : {};
    }
    const folder = vscode.workspace.getWorkspaceFolder(notebook.uri)?.uri.fsPath;
    const kernelFolder = await this.kernels.workingFolder(notebook, readSettings().jupyterKernelProbes, signal).catch(() => undefined);
    const trusted = kernelFolder && (kernelFolder.checked || !this.mayHaveMoved.has(notebook.uri.toString()));
    return { ...(folder ? { folder } : {}), ...(trusted ? { workingFolder: kernelFolder.path } : {}) };
  }

  /**
   * An action ran in the current notebook. Any the check did not find harmless (a function
   * defined earlier may call os.chdir, `%run` may), or code it did not read (edited on the
   * card, or approved after a reload), may have moved the kernel.
   */
  noteRun(risks: readonly RiskFinding[], unreadable: boolean): void {
    const notebook = this.notebook();
    if (notebook && (unreadable || risks.length > 0)) {
      this.mayHaveMoved.add(notebook.uri.toString());
    }
  }
}
