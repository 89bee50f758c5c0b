import * as vscode from 'vscode';
import { Disposable } from '../../platform/lifecycle';

/**
 * Which cells of each notebook a kernel is running now, as far as the stable API shows it: a
 * kernel gives a cell its execution order when it starts running it (Jupyter does so on the
 * kernel's `execute_input`) and an end time when it is done. Seen from when CodeAct started;
 * used to tell whether an action's cell will wait behind someone else's running cell.
 */
export class RunningCells extends Disposable {
  private readonly running = new Map<string, Set<vscode.NotebookCell>>();
  /** Per notebook, the latest execution-state change of each cell that had one. */
  private readonly lastActivity = new Map<string, Map<vscode.NotebookCell, number>>();

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeNotebookDocument((event) => {
        const key = event.notebook.uri.toString();
        const cells = this.running.get(key) ?? new Set<vscode.NotebookCell>();
        for (const change of event.contentChanges) {
          for (const removed of change.removedCells) {
            cells.delete(removed);
            this.lastActivity.get(key)?.delete(removed);
          }
        }
        for (const change of event.cellChanges) {
          const summary = change.executionSummary;
          if (!summary) continue;
          const activity = this.lastActivity.get(key) ?? new Map<vscode.NotebookCell, number>();
          this.lastActivity.set(key, activity.set(change.cell, Date.now()));
          if (summary.timing?.endTime !== undefined) cells.delete(change.cell);
          else if (summary.executionOrder !== undefined) cells.add(change.cell);
        }
        this.running.set(key, cells);
      }),
    );
    this._register(
      vscode.workspace.onDidCloseNotebookDocument((notebook) => {
        this.running.delete(notebook.uri.toString());
        this.lastActivity.delete(notebook.uri.toString());
      }),
    );
  }

  /** Whether a cell other than `cell` runs in the notebook's kernel now. */
  othersRunning(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): boolean {
    return [...(this.running.get(notebook.uri.toString()) ?? [])].some((other) => other !== cell && other.index >= 0);
  }

  /** Whether a cell other than `cell` changed its execution state since `time` (a kernel ran it). */
  othersActiveSince(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, time: number): boolean {
    for (const [other, when] of this.lastActivity.get(notebook.uri.toString()) ?? []) if (other !== cell && when >= time) return true;
    return false;
  }

  /** Forgets a cell (its kernel died under it, so it will never get an end time). */
  forget(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): void {
    this.running.get(notebook.uri.toString())?.delete(cell);
  }
}
