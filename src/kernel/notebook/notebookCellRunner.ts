import * as vscode from 'vscode';
import { Logger } from '../../platform/logger';
import { ExecutionResult, ExecutionStatus } from '../kernelOutputs';
import { fromCellOutputs } from './cellOutputs';
import { KernelSelector } from './kernelSelector';
import { SerialQueue } from '../../shared/serialQueue';

/** Marks an agent cell in the notebook's metadata, so a conversation finds its own cells. */
export interface AgentCellMarker {
  readonly conversationId: string;
  readonly actionId: string;
}

export interface CellRunOptions {
  readonly marker: AgentCellMarker;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /**
   * Our own kernel only: called with true when the cell has to wait behind code already
   * running in the kernel (the user's cell, say), and with false when it starts.
   */
  readonly onWaiting?: (waiting: boolean) => void;
}

/** What running an action as a cell produced. */
export interface CellRunResult {
  readonly result: ExecutionResult;
  /** The cell that holds the action and its outputs (gone if it was deleted). */
  readonly cell: vscode.NotebookCell | undefined;
  /** Why the run ended early, in words for the model and the user. */
  readonly note?: string;
}

const METADATA_KEY = 'codeact';
/** After asking a kernel to stop, how long we wait for the cell to finish before giving up on it. */
const STOP_GRACE_MS = 10_000;

/**
 * Reads the marker. The .ipynb serializer keeps a cell's Jupyter metadata under `metadata`
 * (older VS Code versions kept it at the top level), so both places are read.
 */
export function agentCellMarker(cell: vscode.NotebookCell): AgentCellMarker | undefined {
  const jupyterMetadata = cell.metadata['metadata'] as Record<string, unknown> | undefined;
  const value: unknown = jupyterMetadata?.[METADATA_KEY] ?? cell.metadata[METADATA_KEY];
  if (typeof value !== 'object' || value === null) return undefined;
  const { conversationId, actionId } = value as Record<string, unknown>;
  return typeof conversationId === 'string' && typeof actionId === 'string' ? { conversationId, actionId } : undefined;
}

/**
 * Runs a code action as a new notebook cell in the notebook's selected kernel, whichever it
 * is (Jupyter's, ours, another), and reads the outputs back from the cell. Actions on one
 * notebook are queued, never interleaved; edits are awaited before the next step.
 */
export class NotebookCellRunner {
  private readonly queues = new Map<string, SerialQueue>();

  constructor(
    private readonly kernels: KernelSelector,
    private readonly logger: Logger,
  ) {}

  run(notebook: vscode.NotebookDocument, code: string, options: CellRunOptions): Promise<CellRunResult> {
    const key = notebook.uri.toString();
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new SerialQueue();
      this.queues.set(key, queue);
    }
    return queue.run(() => this.runNow(notebook, code, options));
  }

  private async runNow(notebook: vscode.NotebookDocument, code: string, options: CellRunOptions): Promise<CellRunResult> {
    const started = Date.now();
    const ended = (status: ExecutionStatus, cell: vscode.NotebookCell | undefined, note?: string): CellRunResult => ({
      result: { status, outputs: cell && !cell.document.isClosed ? fromCellOutputs(cell.outputs) : [], durationMs: Date.now() - started },
      cell,
      ...(note ? { note } : {}),
    });
    if (options.signal?.aborted) return ended('cancelled', undefined, 'Stopped before it ran.');
    if (notebook.isClosed) return ended('cancelled', undefined, 'The notebook was closed, so the action did not run.');

    const cell = await this.insertCell(notebook, code, options.marker);
    await this.kernels.ensureKernel(notebook);
    const watcher = new CellCompletionWatcher(notebook, cell);
    try {
      if (options.signal?.aborted) return ended('cancelled', cell, 'Stopped by the user before it ran.');
      // Our own kernel times the cell from when it starts, so waiting behind the user's own
      // cells does not count; for any other kernel we can only time it from here.
      const ownKernel = this.kernels.runsOwnKernel(notebook);
      // Execution resolves only when the kernel is done, so it is not awaited: the watcher sees
      // the end, and the timeout and Stop can act while the cell runs.
      let waiting = false;
      if (ownKernel && options.onWaiting && (await this.kernels.isBusy(notebook))) {
        waiting = true;
        options.onWaiting(true);
      }
      const execution = {
        ...(ownKernel && options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        onStart: () => {
          if (waiting) options.onWaiting?.(false);
          waiting = false;
        },
      };
      this.kernels.execute(notebook, cell, execution).then(
        (result) => result && watcher.finishWith(result),
        (error: unknown) => watcher.fail(error),
      );
      const outcome = await watcher.wait(options.signal, ownKernel ? undefined : options.timeoutMs);
      switch (outcome.kind) {
        case 'finished': {
          // Our own kernel hands back what it ran, its status saying how it ended (a timeout
          // included) and how long it ran, not counting the wait behind other cells; for any
          // other kernel, read the cell.
          if (outcome.result) return { result: outcome.result, cell };
          const outputs = fromCellOutputs(cell.outputs);
          const died = outputs.some((o) => o.kind === 'error' && o.ename === 'KernelDied');
          const status: ExecutionStatus = died ? 'died' : outcome.success ? 'ok' : 'error';
          return {
            result: { status, outputs, durationMs: Date.now() - started, ...(outcome.executionOrder !== undefined ? { executionCount: outcome.executionOrder } : {}) },
            cell,
          };
        }
        case 'timeout':
        case 'aborted':
        case 'notebookClosed': {
          await this.kernels.interrupt(notebook, cell);
          await watcher.wait(undefined, STOP_GRACE_MS);
          const seconds = Math.round((options.timeoutMs ?? 0) / 1000);
          if (outcome.kind === 'timeout') return ended('timeout', cell, `Execution timed out after ${seconds}s; the kernel was interrupted.`);
          if (outcome.kind === 'aborted') return ended('cancelled', cell, 'Stopped by the user; the kernel was interrupted.');
          return ended('cancelled', cell, 'The notebook was closed while the action ran; the kernel was interrupted.');
        }
        case 'cellDeleted':
          // The code must not keep running (and hold up later actions) without a cell to show it.
          // Only our kernel can stop just this cell; another kernel's interrupt would hit
          // whatever runs, so there the user decides.
          if (this.kernels.runsOwnKernel(notebook)) await this.kernels.interrupt(notebook, cell);
          return ended('cancelled', undefined, 'The cell was deleted while it ran, so it was stopped; its output is lost.');
        case 'failedToStart':
          return ended('error', cell, `The notebook could not run the cell: ${outcome.message}`);
      }
    } finally {
      watcher.dispose();
    }
  }

  /** Inserts the action as a cell after this conversation's last cell, or at the end. */
  private async insertCell(notebook: vscode.NotebookDocument, code: string, marker: AgentCellMarker): Promise<vscode.NotebookCell> {
    const cells = notebook.getCells();
    let index = cells.length;
    for (let i = cells.length - 1; i >= 0; i--) {
      if (agentCellMarker(cells[i])?.conversationId === marker.conversationId) {
        index = i + 1;
        break;
      }
    }
    const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, code, 'python');
    data.metadata = { metadata: { [METADATA_KEY]: { ...marker } } };
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, [data])]);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error('Could not insert a cell into the notebook.');
    const cell = notebook.getCells().find((c) => agentCellMarker(c)?.actionId === marker.actionId);
    if (!cell) throw new Error('The inserted cell could not be found in the notebook.');
    this.logger.debug('Kernel', `inserted action ${marker.actionId} as cell ${cell.index} of ${notebook.uri.path}`);
    return cell;
  }
}

type Outcome =
  | { kind: 'finished'; success: boolean; executionOrder: number | undefined; result?: ExecutionResult }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'cellDeleted' }
  | { kind: 'notebookClosed' }
  | { kind: 'failedToStart'; message: string };

/**
 * Waits for a cell's execution to end: its `executionSummary` gains an end time. Also notices
 * the cell being deleted and the notebook being closed.
 */
class CellCompletionWatcher {
  private readonly listeners: vscode.Disposable[] = [];
  private settle: ((outcome: Outcome) => void) | undefined;
  private final: Outcome | undefined;

  constructor(
    private readonly notebook: vscode.NotebookDocument,
    cell: vscode.NotebookCell,
  ) {
    const initialEnd = cell.executionSummary?.timing?.endTime;
    this.listeners.push(
      vscode.workspace.onDidChangeNotebookDocument((event) => {
        if (event.notebook !== notebook) return;
        if (event.contentChanges.some((change) => change.removedCells.includes(cell))) {
          this.finish({ kind: 'cellDeleted' });
          return;
        }
        for (const change of event.cellChanges) {
          const summary = change.executionSummary;
          if (change.cell === cell && summary?.timing?.endTime !== undefined && summary.timing.endTime !== initialEnd) {
            this.finish({ kind: 'finished', success: summary.success ?? false, executionOrder: summary.executionOrder });
          }
        }
      }),
      vscode.workspace.onDidCloseNotebookDocument((closed) => {
        if (closed === notebook) this.finish({ kind: 'notebookClosed' });
      }),
      // Closing the last tab of a notebook is closing it for the user, even though VS Code
      // keeps the document alive a while longer.
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        const showsNotebook = (tab: vscode.Tab): boolean =>
          tab.input instanceof vscode.TabInputNotebook && tab.input.uri.toString() === notebook.uri.toString();
        if (!event.closed.some(showsNotebook)) return;
        const stillOpen = vscode.window.tabGroups.all.some((group) => group.tabs.some(showsNotebook));
        if (!stillOpen) this.finish({ kind: 'notebookClosed' });
      }),
    );
  }

  wait(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Outcome> {
    if (this.final && this.final.kind !== 'timeout' && this.final.kind !== 'aborted') return Promise.resolve(this.final);
    this.final = undefined;
    return new Promise<Outcome>((resolve) => {
      const timer = timeoutMs ? setTimeout(() => this.finish({ kind: 'timeout' }), timeoutMs) : undefined;
      const onAbort = (): void => this.finish({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      this.settle = (outcome) => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.settle = undefined;
        resolve(outcome);
      };
      if (this.notebook.isClosed) this.finish({ kind: 'notebookClosed' });
    });
  }

  /** The kernel reported the cell's result directly (our own kernel). */
  finishWith(result: ExecutionResult): void {
    this.finish({ kind: 'finished', success: result.status === 'ok', executionOrder: result.executionCount, result });
  }

  /** The execute command itself failed (no kernel could be chosen, say). */
  fail(error: unknown): void {
    this.finish({ kind: 'failedToStart', message: error instanceof Error ? error.message : String(error) });
  }

  dispose(): void {
    for (const listener of this.listeners.splice(0)) listener.dispose();
  }

  private finish(outcome: Outcome): void {
    this.final = outcome;
    this.settle?.(outcome);
  }
}
