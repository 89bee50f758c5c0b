import * as vscode from 'vscode';
import type { KernelContext, NotebookCellSummary, SystemPromptContext } from '../agent/systemPrompt';
import { fromCellOutputs } from '../kernel/notebook/cellOutputs';
import { toObservation } from '../kernel/observation';
import { CodeActSettings } from '../platform/settings';

const RECENT_CELLS = 8;

/**
 * What the model is told about the user's environment: the notebook, its recent cells with
 * short outputs, the kernel, the working directory, and the user's instructions. Workspace
 * instructions are read only in a trusted workspace (an untrusted folder could plant them).
 */
export async function buildPromptContext(
  settings: CodeActSettings,
  notebook: vscode.NotebookDocument | undefined,
  kernelName: string | undefined,
  modelSeesImages: boolean,
  kernel: KernelContext,
): Promise<SystemPromptContext> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  // The kernel's own answer when there is one; with no notebook yet, a new one's kernel
  // would start in the workspace folder (unless it runs on a Jupyter Server).
  const workingDirectory = notebook ? kernel.workingDirectory : folder && !settings.jupyterServerUrl ? { path: folder.uri.fsPath, checked: false } : undefined;
  const { variables } = kernel;
  const workspaceInstructions = folder && vscode.workspace.isTrusted ? await readInstructions(folder.uri) : undefined;
  return {
    actionFormat: settings.actionFormat,
    ...(kernelName ? { kernelName } : {}),
    ...(workingDirectory ? { workingDirectory } : {}),
    ...(notebook ? { notebookName: notebook.uri.path.split('/').pop() ?? notebook.uri.path, recentCells: recentCells(notebook) } : {}),
    modelSeesImages,
    ...(variables && variables.length > 0 ? { variables } : {}),
    ...(settings.instructions.trim() ? { userInstructions: settings.instructions } : {}),
    ...(workspaceInstructions ? { workspaceInstructions } : {}),
  };
}

function recentCells(notebook: vscode.NotebookDocument): NotebookCellSummary[] {
  return notebook
    .getCells()
    .slice(-RECENT_CELLS)
    .map((cell) => {
      const isCode = cell.kind === vscode.NotebookCellKind.Code;
      const outputText = isCode && cell.outputs.length > 0
        ? toObservation({ status: 'ok', outputs: fromCellOutputs(cell.outputs), durationMs: 0 }, { maxChars: 600, maxImages: 0 }).text
        : undefined;
      const executionCount = cell.executionSummary?.executionOrder;
      return {
        kind: isCode ? 'code' : 'markdown',
        source: cell.document.getText(),
        ...(outputText ? { outputText } : {}),
        ...(executionCount !== undefined ? { executionCount } : {}),
      };
    });
}

async function readInstructions(folder: vscode.Uri): Promise<string | undefined> {
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, '.codeact', 'instructions.md'));
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}
