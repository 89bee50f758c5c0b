import * as vscode from 'vscode';
import type { KernelOutput } from '../kernelOutputs';
import { fromCellOutputs } from './cellOutputs';

/**
 * Outputs are read back at most this often while a cell runs: a cell printing at full speed
 * changes its outputs thousands of times a second, and each read copies all of them.
 */
export const LIVE_OUTPUT_INTERVAL_MS = 200;

/**
 * Tells `onOutputs` what a running cell shows so far, whichever kernel writes into it (the
 * notebook's own change events, not a kernel's stream), at most every
 * {@link LIVE_OUTPUT_INTERVAL_MS}. Dispose when the cell is done: nothing is told after.
 */
export function watchCellOutputs(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, onOutputs: (outputs: readonly KernelOutput[]) => void): vscode.Disposable {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const tell = (): void => {
    timer = undefined;
    if (disposed || cell.document.isClosed) return;
    onOutputs(fromCellOutputs(cell.outputs));
  };
  const listener = vscode.workspace.onDidChangeNotebookDocument((event) => {
    if (event.notebook !== notebook || timer !== undefined) return;
    if (event.cellChanges.some((change) => change.cell === cell && change.outputs !== undefined)) timer = setTimeout(tell, LIVE_OUTPUT_INTERVAL_MS);
  });
  return new vscode.Disposable(() => {
    disposed = true;
    clearTimeout(timer);
    listener.dispose();
  });
}

/**
 * Brings the agent's new cell into view when the user follows along (the cell before it, or
 * the notebook's end, is on screen), as VS Code does with `InCenterIfOutsideViewport`; a user
 * who scrolled elsewhere to read is left where they are.
 */
export function revealIfFollowing(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): void {
  const editor = vscode.window.visibleNotebookEditors.find((e) => e.notebook === notebook);
  if (!editor) return;
  const before = Math.max(0, cell.index - 1);
  const following = cell.index === 0 || editor.visibleRanges.some((range) => range.start <= before && before < range.end);
  if (following) editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
}
