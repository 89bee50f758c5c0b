import * as vscode from 'vscode';
import { Disposable } from '../../platform/lifecycle';
import { Logger, describeError } from '../../platform/logger';
import { DataOutput, ExecutionResult, KernelOutput, OutputCollector } from '../kernelOutputs';
import { KernelStartError } from '../kernelStartError';
import { planOutputWrite } from '../outputWrites';
import { dataItems, displayIdOf, streamItem, toCellOutput } from './cellOutputs';
import { PythonKernelSessions } from './pythonKernelSessions';

/** How often a running cell's outputs are redrawn: often enough to feel live, rarely enough for 10 MB. */
const OUTPUT_FLUSH_MS = 100;

export interface CellExecuteOptions {
  /** Interrupts the cell after it ran this long (time spent waiting behind other cells is not counted). */
  readonly timeoutMs?: number;
  /** Called when the kernel starts running the cell (after whatever ran before it). */
  readonly onStart?: () => void;
}

/**
 * The "CodeAct Python" notebook kernel: runs cells of .ipynb notebooks in a real ipykernel
 * started with the user's selected interpreter. Used when a notebook has no other kernel (no
 * Jupyter extension) or when the user picks it.
 */
export class CodeActKernelController extends Disposable {
  static readonly id = 'codeact-python';
  static readonly notebookType = 'jupyter-notebook';

  private registered: vscode.NotebookController | undefined;
  private readonly selectionChanged = this._register(new vscode.EventEmitter<{ notebook: vscode.NotebookDocument; selected: boolean }>());
  /** Fires when the user (or CodeAct) selects this kernel for a notebook, or another one. */
  readonly onDidChangeSelectedNotebooks = this.selectionChanged.event;
  private readonly selected = new Set<string>();
  /** Per notebook, the abort handles of its cells that are queued or running. */
  private readonly active = new Map<string, Set<AbortController>>();
  /** The abort handle of each cell that is queued or running, to stop just that cell. */
  private readonly cellAborts = new WeakMap<vscode.NotebookCell, AbortController>();
  /** The handles of cells the kernel has started running (the others still wait). */
  private readonly runningInKernel = new WeakSet<AbortController>();
  /** Cells stopped before their execution reached this controller. */
  private readonly cancelledBeforeStart = new WeakSet<vscode.NotebookCell>();
  /** Cells whose execution has reached this controller and not ended yet. */
  private readonly started = new WeakSet<vscode.NotebookCell>();

  /**
   * @param registerNow whether "CodeAct Python" is offered from the start. Beside the Jupyter
   * extension it is not: VS Code runs a notebook in the one kernel that matches it without
   * asking, and a second kernel for every .ipynb would make it ask, losing the Jupyter
   * extension's choice of the notebook's own kernel. It is then registered when the user asks
   * for it (`register`, from "CodeAct: Use CodeAct Python Kernel").
   */
  constructor(
    private readonly sessions: PythonKernelSessions,
    private readonly logger: Logger,
    registerNow = true,
  ) {
    super();
    if (registerNow) this.register();
  }

  /** The VS Code controller, once registered. */
  get controller(): vscode.NotebookController {
    return this.register();
  }

  /** Whether VS Code offers "CodeAct Python" (it is registered). */
  get isRegistered(): boolean {
    return this.registered !== undefined;
  }

  /** Offers "CodeAct Python" to VS Code (idempotent). */
  register(): vscode.NotebookController {
    if (this.registered) return this.registered;
    const controller = this._register(
      vscode.notebooks.createNotebookController(CodeActKernelController.id, CodeActKernelController.notebookType, 'CodeAct Python'),
    );
    this.registered = controller;
    controller.supportedLanguages = ['python'];
    controller.supportsExecutionOrder = true;
    controller.description = vscode.l10n.t('ipykernel with your selected Python');
    controller.detail = vscode.l10n.t('Runs cells in a Jupyter kernel started by CodeAct');
    controller.executeHandler = async (cells, notebook) => {
      await this.executeCells(cells, notebook);
    };
    controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this._register(
      controller.onDidChangeSelectedNotebooks((event) => {
        if (event.selected) this.selected.add(event.notebook.uri.toString());
        else this.selected.delete(event.notebook.uri.toString());
        this.selectionChanged.fire(event);
      }),
    );
    return controller;
  }

  /**
   * Stops a cell, or everything in the notebook. With a cell (a CodeAct action's timeout or
   * Stop), only that cell: cancelled if it still waits behind other cells, interrupted if it
   * runs, so the user's own cells are never hit. Without (the notebook's Interrupt button),
   * every waiting cell is cancelled and the running code interrupted, as in Jupyter: it gets a
   * KeyboardInterrupt whenever Python next checks for one (after a long numpy call, or after
   * its own cleanup), and nothing restarts the kernel behind the user's back.
   */
  async interrupt(notebook: vscode.NotebookDocument, cell?: vscode.NotebookCell): Promise<void> {
    if (cell) {
      // The execute request for this cell may still be on its way here: make sure it never runs.
      if (!this.started.has(cell)) this.cancelledBeforeStart.add(cell);
      this.cellAborts.get(cell)?.abort();
      return;
    }
    for (const abort of this.active.get(notebook.uri.toString()) ?? []) {
      // Cancelling the running cell would also restart a kernel slow to stop; only the
      // interrupt goes to it.
      if (!this.runningInKernel.has(abort)) abort.abort();
    }
    await this.sessions.interrupt(notebook);
  }

  /** Whether the user (or CodeAct) selected this kernel for the notebook. */
  isSelectedFor(notebook: vscode.NotebookDocument): boolean {
    return this.selected.has(notebook.uri.toString());
  }

  /**
   * Runs cells in order, as the kernel picker's "run" would. Resolves when they are done, with
   * each cell's result (undefined for a cell that did not run): exactly what was written into it.
   */
  async executeCells(cells: readonly vscode.NotebookCell[], notebook: vscode.NotebookDocument, options: CellExecuteOptions = {}): Promise<(ExecutionResult | undefined)[]> {
    const results: (ExecutionResult | undefined)[] = [];
    for (const cell of cells) {
      const result = await this.executeCell(cell, notebook, options);
      results.push(result);
      if (result?.status !== 'ok') break; // like Jupyter: a failing cell stops "run all"
    }
    return results;
  }

  private async executeCell(cell: vscode.NotebookCell, notebook: vscode.NotebookDocument, options: CellExecuteOptions): Promise<ExecutionResult | undefined> {
    const execution = this.controller.createNotebookCellExecution(cell);
    const abort = new AbortController();
    this.started.add(cell);
    if (this.cancelledBeforeStart.has(cell)) {
      this.cancelledBeforeStart.delete(cell);
      abort.abort();
    }
    const key = notebook.uri.toString();
    const handles = this.active.get(key) ?? new Set<AbortController>();
    this.active.set(key, handles.add(abort));
    this.cellAborts.set(cell, abort);
    const cancellation = execution.token.onCancellationRequested(() => abort.abort());
    // The cell shows as waiting until the kernel takes it, then as running with its own clock,
    // as in Jupyter. Outputs may only change once it started.
    const hadOutputs = cell.outputs.length > 0;
    let started: Promise<void> | undefined;
    const start = (): Promise<void> => {
      started ??= (async () => {
        execution.start(Date.now());
        // Each write is a round trip to the workbench: a new cell has nothing to clear.
        if (hadOutputs) await execution.clearOutput();
      })();
      return started;
    };
    try {
      if (!vscode.workspace.isTrusted) {
        // Restricted Mode: code from an untrusted folder never runs.
        await start();
        await execution.replaceOutput([toCellOutput({ kind: 'error', ename: 'UntrustedWorkspace', evalue: vscode.l10n.t('CodeAct does not run code in an untrusted workspace. Trust the folder to run cells.'), traceback: [] })]);
        execution.end(false, Date.now());
        return undefined;
      }
      const session = abort.signal.aborted ? undefined : await this.sessions.get(notebook);
      if (!session || abort.signal.aborted) {
        await start();
        execution.end(undefined, Date.now()); // stopped before it ran: no result, like Jupyter
        return undefined;
      }
      const collector = new OutputCollector();
      // What the cell shows, to write only what changed (see outputWrites.ts).
      let shown: KernelOutput[] = [];
      let shownCellOutputs: vscode.NotebookCellOutput[] = [];
      const flusher = new ThrottledFlush(async () => {
        await start();
        const next = collector.outputs;
        const plan = planOutputWrite(shown, next);
        if (plan.kind === 'replace') {
          shownCellOutputs = next.map(toCellOutput);
          await execution.replaceOutput(shownCellOutputs);
        } else if (plan.kind === 'append') {
          const grownOutput = plan.grown ? shownCellOutputs[plan.grown.index] : undefined;
          if (plan.grown && grownOutput) await execution.appendOutputItems(streamItem(plan.grown.name, plan.grown.text), grownOutput);
          const added = plan.added.map(toCellOutput);
          if (added.length > 0) await execution.appendOutput(added);
          shownCellOutputs = [...shownCellOutputs, ...added];
        }
        shown = next;
      });
      const result = await session.kernel.execute(cell.document.getText(), {
        signal: abort.signal,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        onStart: () => {
          this.runningInKernel.add(abort);
          void start();
          options.onStart?.();
        },
        onOutput: (output, isUpdate) => {
          if (isUpdate && output.kind === 'data' && output.displayId && !collector.shows(output.displayId)) {
            // A display an earlier cell showed (`handle.update(…)`): Jupyter updates it there.
            start()
              .then(() => updateEarlierDisplay(execution, notebook, cell, output))
              .catch((error: unknown) => this.logger.warn('Kernel', `could not update an earlier display: ${describeError(error)}`));
          } else if (isUpdate && output.kind === 'data' && output.displayId) {
            collector.update(output.displayId, output);
          } else {
            collector.add(output);
          }
          flusher.schedule();
        },
        onClearOutput: (wait) => {
          collector.clear(wait);
          flusher.schedule();
        },
      });
      await flusher.settle();
      await start();
      // The status lines are for the person reading the cell; the result's status already tells
      // the model (observation.ts), which would otherwise read the same news twice.
      const finalOutputs = [...result.outputs, ...statusOutputs(result)];
      if (finalOutputs.length > 0 || flusher.flushed || hadOutputs) await execution.replaceOutput(finalOutputs.map(toCellOutput));
      if (result.executionCount !== undefined) execution.executionOrder = result.executionCount;
      execution.end(result.status === 'ok', Date.now());
      return result;
    } catch (error) {
      await start();
      await execution.replaceOutput([toCellOutput(startFailureOutput(error))]);
      execution.end(false, Date.now());
      if (error instanceof KernelStartError) void offerFix(error);
      else this.logger.error('Kernel', 'cell execution failed', error);
      return { status: 'error', outputs: [startFailureOutput(error)], durationMs: 0 };
    } finally {
      cancellation.dispose();
      handles.delete(abort);
      if (this.cellAborts.get(cell) === abort) this.cellAborts.delete(cell);
      this.started.delete(cell);
      // A stop that arrived for this cell after it ran must not cancel the user's next run.
      this.cancelledBeforeStart.delete(cell);
    }
  }
}

/** Lines Jupyter would show for an execution that did not end normally. */
function statusOutputs(result: ExecutionResult): KernelOutput[] {
  switch (result.status) {
    case 'died':
      return [{ kind: 'error', ename: 'KernelDied', evalue: 'The kernel died while running this cell. Restart it with "CodeAct: Restart Kernel".', traceback: [] }];
    case 'timeout':
      return [{ kind: 'stream', name: 'stderr', text: '\n[CodeAct] The cell timed out and the kernel was interrupted.\n' }];
    default:
      return result.kernelRestarted
        ? [{ kind: 'stream', name: 'stderr', text: '\n[CodeAct] The kernel did not stop when interrupted and was restarted: variables are gone.\n' }]
        : [];
  }
}

function startFailureOutput(error: unknown): KernelOutput {
  return { kind: 'error', ename: error instanceof KernelStartError ? 'KernelStartError' : 'Error', evalue: describeError(error), traceback: [] };
}

/** Offers the user the fix for a kernel that could not start. */
async function offerFix(error: KernelStartError): Promise<void> {
  if (error.reason === 'untrusted') {
    const manage = vscode.l10n.t('Manage Workspace Trust');
    if ((await vscode.window.showErrorMessage(error.message, manage)) === manage) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  if (error.reason === 'ipykernelMissing') {
    await vscode.commands.executeCommand('codeact.installIpykernel', error.pythonPath, error.message);
    return;
  }
  if (error.serverUrl !== undefined) {
    const change = vscode.l10n.t('Change Server');
    const picked = await vscode.window.showErrorMessage(error.message, change, vscode.l10n.t('Show Log'));
    if (picked === change) await vscode.commands.executeCommand('codeact.connectJupyterServer');
    else if (picked) await vscode.commands.executeCommand('codeact.showLog');
    return;
  }
  const choice = await vscode.window.showErrorMessage(error.message, vscode.l10n.t('Choose Python'), vscode.l10n.t('Show Log'));
  if (choice === vscode.l10n.t('Choose Python')) await vscode.commands.executeCommand('workbench.action.openSettings', 'codeact.pythonPath');
  if (choice === vscode.l10n.t('Show Log')) await vscode.commands.executeCommand('codeact.showLog');
}

/** Runs `flush` at most once per OUTPUT_FLUSH_MS, one flush at a time. */
class ThrottledFlush {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Thenable<void> | undefined;
  /** Whether anything was written (the final write must then replace it). */
  flushed = false;

  constructor(private readonly flush: () => Thenable<void>) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const previous = this.running ?? Promise.resolve();
      this.flushed = true;
      this.running = previous.then(() => this.flush());
    }, OUTPUT_FLUSH_MS);
  }

  /** Drops a scheduled flush and waits for one in flight, so nothing overwrites a later write. */
  async settle(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** Shows an update of a display that another cell of the notebook showed, in that cell. */
async function updateEarlierDisplay(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, running: vscode.NotebookCell, output: DataOutput): Promise<void> {
  for (const cell of notebook.getCells()) {
    if (cell === running) continue;
    for (const shown of cell.outputs) {
      if (displayIdOf(shown) === output.displayId) await execution.replaceOutputItems(dataItems(output), shown);
    }
  }
}
