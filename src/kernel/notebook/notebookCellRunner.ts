import * as vscode from 'vscode';
import { Logger } from '../../platform/logger';
import { ExecutionResult, ExecutionStatus, type KernelOutput } from '../kernelOutputs';
import { fromCellOutputs } from './cellOutputs';
import { KernelSelector } from './kernelSelector';
import { SerialQueue } from '../../shared/serialQueue';
import { Disposable } from '../../platform/lifecycle';
import { RunningCells } from './runningCells';
import { revealIfFollowing, watchCellOutputs } from './runningCellView';

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
   * Called when the cell has to wait before it runs: behind code already running in the
   * kernel (the user's cell, say), or for a kernel (being chosen in VS Code's picker, or
   * starting); and with undefined when it starts.
   */
  readonly onWaiting?: (waitingFor: CellWait | undefined) => void;
  /** Called with what the cell shows so far while it runs (bounded in rate, see runningCellView.ts). */
  readonly onOutputs?: (outputs: readonly KernelOutput[]) => void;
}

/** What a cell waits for before it runs. */
export type CellWait = 'runningCell' | 'kernel';

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
export class NotebookCellRunner extends Disposable {
  private readonly queues = new Map<string, SerialQueue>();
  private readonly runningCells = this._register(new RunningCells());

  constructor(
    private readonly kernels: KernelSelector,
    private readonly logger: Logger,
  ) {
    super();
  }

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
    revealIfFollowing(notebook, cell);
    const live = options.onOutputs ? watchCellOutputs(notebook, cell, options.onOutputs) : undefined;
    try {
      return await this.runCell(notebook, cell, options, started, ended);
    } finally {
      live?.dispose();
    }
  }

  private async runCell(
    notebook: vscode.NotebookDocument,
    cell: vscode.NotebookCell,
    options: CellRunOptions,
    started: number,
    ended: (status: ExecutionStatus, cell: vscode.NotebookCell | undefined, note?: string) => CellRunResult,
  ): Promise<CellRunResult> {
    await this.kernels.ensureKernel(notebook);
    const watcher = new CellCompletionWatcher(notebook, cell, () => this.runningCells.othersActiveSince(notebook, cell, started));
    try {
      if (options.signal?.aborted) return ended('cancelled', cell, 'Stopped by the user before it ran.');
      // Our own kernel times the cell from when it starts, so waiting behind the user's own
      // cells does not count; for any other kernel we can only time it from here.
      const ownKernel = this.kernels.runsOwnKernel(notebook);
      // Execution resolves only when the kernel is done, so it is not awaited: the watcher sees
      // the end, and the timeout and Stop can act while the cell runs.
      if (!ownKernel) return await this.runInOtherKernel(notebook, cell, watcher, options, started);
      let waiting = false;
      if (options.onWaiting && (await this.kernels.isBusy(notebook))) {
        waiting = true;
        options.onWaiting('runningCell');
      }
      const execution = {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        onStart: () => {
          if (waiting) options.onWaiting?.(undefined);
          waiting = false;
        },
      };
      this.kernels.execute(notebook, cell, execution).then(
        (result) => result && watcher.finishWith(result),
        (error: unknown) => watcher.fail(error),
      );
      const outcome = await watcher.wait(options.signal, undefined);
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
        case 'died':
          return ended('died', cell);
        case 'started':
        case 'endedWithoutResult':
          return ended('cancelled', cell, 'The action did not run.');
      }
    } finally {
      watcher.dispose();
    }
  }

  /**
   * Runs the cell in a kernel that is not ours (the Jupyter extension's, say), through VS
   * Code's execute command, as if the user ran it. Such kernels queue cells and can only be
   * interrupted as a whole, so CodeAct never interrupts one before its own cell runs: the time
   * limit counts from when the cell starts (the kernel gives it its execution order), and a
   * cell still waiting behind the user's running cell when the limit passes is taken off the
   * queue (replaced by an unrun copy) without touching the kernel. A cell that ended without
   * running (no kernel was chosen, a failure before it cancelled the queue) says so at once.
   */
  private async runInOtherKernel(
    notebook: vscode.NotebookDocument,
    cell: vscode.NotebookCell,
    watcher: CellCompletionWatcher,
    options: CellRunOptions,
    sentAt: number,
  ): Promise<CellRunResult> {
    const notRun = (reason: string): CellRunResult => ({ result: { status: 'cancelled', outputs: [], durationMs: Date.now() - sentAt }, cell: watcher.cell, note: reason });
    this.kernels.execute(notebook, cell).then(
      () => watcher.commandSettled(),
      (error: unknown) => watcher.fail(error),
    );
    // Before it starts: wait without a clock, except behind a running cell (limited, then dequeued).
    const behindRunningCell = this.runningCells.othersRunning(notebook, cell);
    options.onWaiting?.(behindRunningCell ? 'runningCell' : 'kernel');
    const waited = await watcher.waitForStart(options.signal, behindRunningCell ? options.timeoutMs : undefined);
    options.onWaiting?.(undefined);
    switch (waited.kind) {
      case 'started':
        break;
      case 'timeout': {
        await this.dequeue(notebook, watcher);
        const seconds = Math.round((options.timeoutMs ?? 0) / 1000);
        return notRun(`The action did not run: it waited ${seconds} s for the cell already running in the kernel and was taken off the queue. The kernel was not interrupted, so that cell goes on.`);
      }
      case 'aborted':
        await this.dequeue(notebook, watcher);
        return notRun('Stopped by the user before it ran; the kernel was not interrupted.');
      default:
        return this.endedOutcome(notebook, watcher, waited, sentAt, notRun);
    }
    const startedAt = Date.now();
    const outcome = await watcher.wait(options.signal, options.timeoutMs);
    if (outcome.kind === 'timeout' || outcome.kind === 'aborted') {
      // Now the kernel runs our cell, so interrupting it stops only our code.
      await this.kernels.interrupt(notebook, cell);
      const after = await watcher.wait(undefined, STOP_GRACE_MS);
      const outputs = readOutputs(watcher.cell);
      if (after.kind === 'died') return diedResult(watcher.cell, outputs, startedAt);
      if (outcome.kind === 'timeout') return { result: { status: 'timeout', outputs, durationMs: Date.now() - startedAt }, cell: watcher.cell };
      return { result: { status: 'cancelled', outputs, durationMs: Date.now() - startedAt }, cell: watcher.cell, note: 'Stopped by the user; the kernel was interrupted.' };
    }
    return this.endedOutcome(notebook, watcher, outcome, startedAt, notRun);
  }

  /** What a cell that ended (or never ran) in another kernel says. */
  private async endedOutcome(
    notebook: vscode.NotebookDocument,
    watcher: CellCompletionWatcher,
    outcome: Outcome,
    startedAt: number,
    notRun: (reason: string) => CellRunResult,
  ): Promise<CellRunResult> {
    const cell = watcher.cell;
    switch (outcome.kind) {
      case 'finished': {
        const outputs = readOutputs(cell);
        const status: ExecutionStatus = outcome.success ? 'ok' : 'error';
        return { result: { status, outputs, durationMs: Date.now() - startedAt, ...(outcome.executionOrder !== undefined ? { executionCount: outcome.executionOrder } : {}) }, cell };
      }
      case 'died':
        return diedResult(cell, readOutputs(cell), startedAt);
      case 'endedWithoutResult':
        if (outcome.ran) return { result: { status: 'interrupted', outputs: readOutputs(cell), durationMs: Date.now() - startedAt }, cell, note: 'The kernel stopped the cell before it finished.' };
        // Still queued if the kernel did not take it: make sure it never runs later.
        await this.dequeue(notebook, watcher);
        return notRun(
          outcome.noKernel
            ? 'The action did not run: no kernel was chosen for this notebook. Ask the user to select a kernel, then try again.'
            : 'The action did not run: the kernel cancelled it before it started, as kernels cancel the cells queued behind one that fails.',
        );
      case 'cellDeleted':
        return notRun('The cell was deleted before it finished, so its output is lost.');
      case 'notebookClosed':
        return notRun('The notebook was closed, so the action did not finish.');
      case 'failedToStart':
        await this.dequeue(notebook, watcher);
        return { result: { status: 'error', outputs: [], durationMs: 0 }, cell, note: `The notebook could not run the cell: ${outcome.message}` };
      case 'timeout':
      case 'aborted':
      case 'started':
        return notRun('The action did not run.');
    }
  }

  /**
   * Takes a cell that has not started off the kernel's queue without interrupting the kernel:
   * the cell is replaced by an unrun copy (kernels skip a queued cell that was removed, and a
   * kernel chosen later finds nothing to run), so the code stays in the notebook.
   */
  private async dequeue(notebook: vscode.NotebookDocument, watcher: CellCompletionWatcher): Promise<void> {
    const cell = watcher.cell;
    if (!cell || cell.index < 0 || notebook.isClosed) return;
    const index = cell.index;
    const copy = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.document.getText(), cell.document.languageId);
    copy.metadata = cell.metadata;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(index, index + 1), [copy])]);
    watcher.expectReplacement();
    if (!(await vscode.workspace.applyEdit(edit))) {
      watcher.replacedBy(cell);
      this.logger.warn('Kernel', 'could not take a queued action cell off the queue');
      return;
    }
    watcher.replacedBy(notebook.cellAt(index));
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
  | { kind: 'started' }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'died' }
  /** The execute command returned, and the cell has no end time: it was cancelled, or never ran. */
  | { kind: 'endedWithoutResult'; ran: boolean; noKernel: boolean }
  | { kind: 'cellDeleted' }
  | { kind: 'notebookClosed' }
  | { kind: 'failedToStart'; message: string };

/** What the Jupyter extension (and our own kernel) write into a cell whose kernel died. */
const KERNEL_DIED = /The Kernel crashed while executing code|kernel died/i;
/** After the execute command returns, how long the cell's end may take to reach us. */
const END_EVENT_GRACE_MS = 1_000;

function readOutputs(cell: vscode.NotebookCell | undefined): ExecutionResult['outputs'] {
  return cell && !cell.document.isClosed ? fromCellOutputs(cell.outputs).map(withoutHtml) : [];
}

/** Kernel messages meant for a notebook's HTML (links to logs): the model reads plain text. */
function withoutHtml<T extends ExecutionResult['outputs'][number]>(output: T): T {
  if (output.kind !== 'error') return output;
  const plain = (text: string): string => text.replace(/<a\b[^>]*>(.*?)<\/a>/gis, '$1').replace(/<\/?[a-z][^>]*>/gi, '');
  return { ...output, evalue: plain(output.evalue), traceback: output.traceback.map(plain) };
}

function showsKernelDeath(cell: vscode.NotebookCell | undefined): boolean {
  return readOutputs(cell).some((o) => o.kind === 'error' && (o.ename === 'KernelDied' || KERNEL_DIED.test(`${o.evalue}\n${o.traceback.join('\n')}`)));
}

function diedResult(cell: vscode.NotebookCell | undefined, outputs: ExecutionResult['outputs'], startedAt: number): CellRunResult {
  return { result: { status: 'died', outputs, durationMs: Date.now() - startedAt }, cell };
}

/**
 * Waits for a cell's execution to start (it gets an execution order) and to end (its
 * `executionSummary` gains an end time, or the execute command returns without one). Also
 * notices the kernel dying under it, the cell being deleted and the notebook being closed.
 */
class CellCompletionWatcher {
  private readonly listeners: vscode.Disposable[] = [];
  private settle: ((outcome: Outcome) => void) | undefined;
  private final: Outcome | undefined;
  private startedRunning = false;
  private replacing = false;
  private current: vscode.NotebookCell | undefined;

  constructor(
    private readonly notebook: vscode.NotebookDocument,
    cell: vscode.NotebookCell,
    private readonly hadActivitySince: () => boolean = () => true,
  ) {
    this.current = cell;
    const initialEnd = cell.executionSummary?.timing?.endTime;
    this.listeners.push(
      vscode.workspace.onDidChangeNotebookDocument((event) => {
        if (event.notebook !== notebook || !this.current) return;
        const watched = this.current;
        if (!this.replacing && event.contentChanges.some((change) => change.removedCells.includes(watched))) {
          this.current = undefined;
          this.finish({ kind: 'cellDeleted' });
          return;
        }
        for (const change of event.cellChanges) {
          if (change.cell !== watched) continue;
          const summary = change.executionSummary;
          if (summary?.timing?.endTime !== undefined && summary.timing.endTime !== initialEnd) {
            this.finish({ kind: 'finished', success: summary.success ?? false, executionOrder: summary.executionOrder });
            return;
          }
          if (summary?.executionOrder !== undefined && !this.startedRunning) {
            this.startedRunning = true;
            this.finish({ kind: 'started' });
          }
          if (change.outputs && showsKernelDeath(watched)) this.finish({ kind: 'died' });
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

  /** The cell that holds the action now (a copy once it was taken off a queue; gone if deleted). */
  get cell(): vscode.NotebookCell | undefined {
    return this.current;
  }

  /** Waits until the cell ends; 'timeout' after `timeoutMs`, 'aborted' on the signal. */
  wait(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Outcome> {
    return this.waitUntil(signal, timeoutMs, false);
  }

  /** Waits until the kernel starts running the cell ('started'), or it ends first. */
  waitForStart(signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Outcome> {
    if (this.startedRunning && this.final?.kind === 'started') return Promise.resolve(this.final);
    return this.waitUntil(signal, timeoutMs, true);
  }

  /** The kernel reported the cell's result directly (our own kernel). */
  finishWith(result: ExecutionResult): void {
    this.finish({ kind: 'finished', success: result.status === 'ok', executionOrder: result.executionCount, result });
  }

  /** The execute command itself failed (no kernel could be chosen, say). */
  fail(error: unknown): void {
    this.finish({ kind: 'failedToStart', message: error instanceof Error ? error.message : String(error) });
  }

  /**
   * The execute command returned: the kernel is done with the cell. Its end reaches us as a
   * document change, which may come a moment later; a cell with none ended without a result.
   */
  commandSettled(): void {
    const timer = setTimeout(() => {
      if (this.final && this.final.kind !== 'started' && this.final.kind !== 'timeout' && this.final.kind !== 'aborted') return;
      if (showsKernelDeath(this.current)) this.finish({ kind: 'died' });
      else this.finish({ kind: 'endedWithoutResult', ran: this.startedRunning, noKernel: !this.startedRunning && !this.hadActivitySince() });
    }, END_EVENT_GRACE_MS);
    this.listeners.push({ dispose: () => clearTimeout(timer) });
  }

  /** The next removal of the cell is ours (taking it off a queue), not the user's. */
  expectReplacement(): void {
    this.replacing = true;
  }

  replacedBy(cell: vscode.NotebookCell | undefined): void {
    this.replacing = false;
    this.current = cell;
  }

  dispose(): void {
    for (const listener of this.listeners.splice(0)) listener.dispose();
  }

  private waitUntil(signal: AbortSignal | undefined, timeoutMs: number | undefined, startCounts: boolean): Promise<Outcome> {
    const ended = this.final && this.final.kind !== 'timeout' && this.final.kind !== 'aborted' && (startCounts || this.final.kind !== 'started');
    if (ended && this.final) return Promise.resolve(this.final);
    this.final = undefined;
    return new Promise<Outcome>((resolve) => {
      const timer = timeoutMs ? setTimeout(() => this.finish({ kind: 'timeout' }), timeoutMs) : undefined;
      const onAbort = (): void => this.finish({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.settle = (outcome) => {
        if (outcome.kind === 'started' && !startCounts) return;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.settle = undefined;
        resolve(outcome);
      };
      if (signal?.aborted) onAbort();
      if (this.notebook.isClosed) this.finish({ kind: 'notebookClosed' });
    });
  }

  private finish(outcome: Outcome): void {
    if (outcome.kind === 'started' && this.final && this.final.kind !== 'started') return;
    this.final = outcome;
    this.settle?.(outcome);
  }
}
