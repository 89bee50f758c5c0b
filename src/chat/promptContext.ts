import * as vscode from 'vscode';
import type { EnvironmentSnapshot } from '../agent/environmentNote';
import type { KernelContext, NotebookCellSummary, SystemPromptContext } from '../agent/systemPrompt';
import { fromCellOutputs } from '../kernel/notebook/cellOutputs';
import { agentCellMarker } from '../kernel/notebook/notebookCellRunner';
import { toObservation } from '../kernel/observation';
import { CodeActSettings } from '../platform/settings';

const RECENT_CELLS = 8;

/**
 * The system prompt's parts: the action format, whether plots reach the model, and the user's
 * instructions. Workspace instructions are read only in a trusted workspace (an untrusted
 * folder could plant them).
 */
export async function buildPromptContext(settings: CodeActSettings, modelSeesImages: boolean): Promise<SystemPromptContext> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const workspaceInstructions = folder && vscode.workspace.isTrusted ? await readInstructions(folder.uri) : undefined;
  return {
    actionFormat: settings.actionFormat,
    modelSeesImages,
    ...(settings.instructions.trim() ? { userInstructions: settings.instructions } : {}),
    ...(workspaceInstructions ? { workspaceInstructions } : {}),
  };
}

/**
 * The environment the user's message is sent with: the notebook, its recent cells with short
 * outputs, the kernel, its variables and working directory.
 */
export function readEnvironment(
  settings: CodeActSettings,
  notebook: vscode.NotebookDocument | undefined,
  kernelName: string | undefined,
  kernel: KernelContext,
  conversationId?: string,
): EnvironmentSnapshot {
  const folder = vscode.workspace.workspaceFolders?.[0];
  // The kernel's own answer when there is one; with no notebook yet, a new one's kernel
  // would start in the workspace folder (unless it runs on a Jupyter Server).
  const workingDirectory = notebook ? kernel.workingDirectory : folder && !settings.jupyterServerUrl ? { path: folder.uri.fsPath, checked: false } : undefined;
  return {
    ...(kernelName ? { kernelName } : {}),
    ...(workingDirectory ? { workingDirectory } : {}),
    ...(notebook ? { notebookName: notebook.uri.path.split('/').pop() ?? notebook.uri.path, recentCells: recentCells(notebook, conversationId) } : {}),
    ...(kernel.variables ? { variables: kernel.variables } : {}),
  };
}

/**
 * The last cells of the notebook, but not the cells of this conversation's own actions: their
 * code and outputs are in the conversation already, and sending them twice costs tokens.
 */
function recentCells(notebook: vscode.NotebookDocument, conversationId: string | undefined): NotebookCellSummary[] {
  return notebook
    .getCells()
    .filter((cell) => conversationId === undefined || agentCellMarker(cell)?.conversationId !== conversationId)
    .slice(-RECENT_CELLS)
    .map((cell) => {
      const isCode = cell.kind === vscode.NotebookCellKind.Code;
      const outputText = isCode && cell.outputs.length > 0
        ? toObservation({ status: 'ok', outputs: fromCellOutputs(cell.outputs), durationMs: 0 }, { maxChars: 600, imagesNotSent: 'the notebook shows it; images of earlier cells are not sent' }).text
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
