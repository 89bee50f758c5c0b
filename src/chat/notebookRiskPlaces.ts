import * as vscode from 'vscode';
import type { RiskCheckPlace } from '../agent/riskAnalyzer';
import type { KernelSelector, KernelWorkingFolder } from '../kernel/notebook/kernelSelector';
import { readSettings } from '../platform/settings';
import type { NotebookTarget } from './notebookTarget';
import type { RiskPlaceSource } from './webviewApprovalGate';

/**
 * Where the risky-code check judges a notebook action's paths: writes must stay in the
 * notebook's workspace folder, and relative paths resolve in the kernel's working folder as
 * it is right before the action (an earlier action, or the user's own cell, may have run
 * `%cd` or `os.chdir`; judging against the workspace folder would then let a relative write
 * land outside it without asking).
 *
 * The notebook is the one the action will run in (which may still have to be opened), and
 * the kernel's folder is read from the kernel each time; a folder that cannot be read is
 * unknown, never assumed, so relative writes ask, saying why.
 */
export class NotebookRiskPlaces implements RiskPlaceSource {
  constructor(
    private readonly kernels: Pick<KernelSelector, 'workingFolder' | 'startFolder'>,
    private readonly target: Pick<NotebookTarget, 'next'>,
  ) {}

  async placeFor(signal: AbortSignal): Promise<RiskCheckPlace> {
    const { document, uri } = this.target.next();
    // An untitled notebook's kernel starts in the first workspace folder; so do its writes.
    const folder = uri?.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const kernelFolder: KernelWorkingFolder = document
      ? await this.kernels.workingFolder(document, readSettings(document.uri).jupyterKernelProbes, signal).catch(() => ({ unknown: 'the kernel could not be asked' }))
      : this.kernels.startFolder(uri);
    return {
      ...(folder ? { folder } : {}),
      ...(kernelFolder.path !== undefined ? { workingFolder: kernelFolder.path } : { workingFolderUnknown: kernelFolder.unknown }),
    };
  }
}
