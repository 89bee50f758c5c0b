import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { agentCellMarker } from '../../src/kernel/notebook/notebookCellRunner';
import { toObservation } from '../../src/kernel/observation';
import { activateCodeAct, cellText, createNotebook, extensionHostLogLines, marker, runUserCell, streamText, waitFor } from './helpers';

/** Validates a saved notebook with nbformat itself, as Jupyter would read it. */
function validateNbformat(path: string): void {
  execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path]);
}

describe('Code actions run as notebook cells in the CodeAct Python kernel (real ipykernel)', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  let notebook: vscode.NotebookDocument;

  before(async () => {
    api = await activateCodeAct();
    notebook = await createNotebook('cells-test.ipynb', ['x_before = 41', 'print("user cell")']);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('inserts the action as a marked cell after the existing ones, runs it and reads its output back', async () => {
    const mark = marker();
    const { result, cell } = await api.kernels.cellRunner.run(notebook, 'print("hello from the agent")\n6 * 7', { marker: mark });
    assert.equal(result.status, 'ok');
    assert.ok(cell);
    assert.equal(cell.index, 2, 'appended after the two user cells');
    assert.deepEqual(agentCellMarker(cell), mark);
    assert.equal(cell.document.getText(), 'print("hello from the agent")\n6 * 7');
    assert.equal(streamText(result.outputs), 'hello from the agent\n');
    const value = result.outputs.find((o) => o.kind === 'data' && o.isResult);
    assert.equal(value?.kind === 'data' ? value.data['text/plain'] : undefined, '42');
    assert.ok((result.executionCount ?? 0) >= 1, 'the cell has an execution count');
    await waitFor('the cell to show its execution count', () => cell.executionSummary?.executionOrder === result.executionCount || undefined);
    assert.equal(api.kernels.controller.isSelectedFor(notebook), true, 'CodeAct Python was selected for a notebook without a kernel');
  });

  it('puts the next action of the same conversation right after the previous agent cell', async () => {
    const conversation = 'conv-order';
    const first = await api.kernels.cellRunner.run(notebook, 'a = 1', { marker: marker(conversation) });
    const second = await api.kernels.cellRunner.run(notebook, 'b = a + 1\nb', { marker: marker(conversation) });
    assert.equal(second.cell?.index, (first.cell?.index ?? -1) + 1);
    const value = second.result.outputs.find((o) => o.kind === 'data');
    assert.equal(value?.kind === 'data' ? value.data['text/plain'] : undefined, '2', 'state is shared across actions');
  });

  it('shows a matplotlib plot as an image in the cell, as Jupyter does', async () => {
    const { result, cell } = await api.kernels.cellRunner.run(
      notebook,
      'import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title("revenue")\nplt.show()',
      { marker: marker() },
    );
    assert.equal(result.status, 'ok');
    const png = await waitFor('the plot in the cell', () => cell?.outputs.flatMap((o) => o.items).find((item) => item.mime === 'image/png'));
    const items = cell?.outputs.flatMap((o) => o.items) ?? [];
    assert.ok(png, `an image/png output is in the cell (mimes: ${items.map((i) => i.mime).join(', ')})`);
    assert.deepEqual([...png.data.subarray(1, 4)], [0x50, 0x4e, 0x47], 'the item holds real PNG bytes');
  });

  it('returns the real traceback of an error, and the cell shows it', async () => {
    const { result, cell } = await api.kernels.cellRunner.run(notebook, 'def f():\n    return undefined_name\nf()', { marker: marker() });
    assert.equal(result.status, 'error');
    const error = result.outputs.find((o) => o.kind === 'error');
    assert.equal(error?.kind === 'error' ? error.ename : undefined, 'NameError');
    assert.match(error?.kind === 'error' ? error.traceback.join('\n') : '', /undefined_name/);
    await waitFor('the cell to show the failure', () => cell?.executionSummary?.success === false || undefined);
  });

  it('interrupts an action that runs past its timeout, and the kernel keeps its state', async () => {
    await api.kernels.cellRunner.run(notebook, 'survivor = "still here"', { marker: marker() });
    const { result, note } = await api.kernels.cellRunner.run(notebook, 'while True:\n    pass', { marker: marker(), timeoutMs: 2_000 });
    assert.equal(result.status, 'timeout');
    const observation = toObservation(result, { maxChars: 8_000 }).text;
    assert.match(observation, /Execution timed out after 2(\.\d)? s; the kernel was interrupted\./);
    assert.equal(observation.match(/timed out/g)?.length, 1, `the model reads it once: ${observation}`);
    assert.equal(note, undefined);
    const after = await api.kernels.cellRunner.run(notebook, 'print(survivor)', { marker: marker() });
    assert.equal(streamText(after.result.outputs), 'still here\n');
  });

  it("the notebook's Interrupt lets a cell finish its cleanup: no restart, the variables stay, queued cells do not run", async () => {
    await api.kernels.cellRunner.run(notebook, 'kept = "state"', { marker: marker() });
    // Cleanup after KeyboardInterrupt that takes longer than CodeAct's restart grace (5 s).
    const user = await runUserCell(
      notebook,
      "import time\nprint('working', flush=True)\ntry:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print('caught, cleaning up', flush=True)\n    time.sleep(6)\n    print('cleanup done')",
    );
    const queued = await runUserCell(notebook, "print('queued ran')", { waitForStart: false });
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the run request reaches the kernel's queue
    // What VS Code calls for the notebook's Interrupt button (and a running cell's stop button).
    await api.kernels.controller.interrupt(notebook);
    await user.done;
    await queued.done;
    assert.match(cellText(user.cell), /caught, cleaning up[\s\S]*cleanup done/);
    assert.doesNotMatch(cellText(user.cell), /restarted/);
    assert.doesNotMatch(cellText(queued.cell), /queued ran/, 'the cell waiting behind it did not run');
    const after = await api.kernels.cellRunner.run(notebook, 'print(kept)', { marker: marker() });
    assert.equal(streamText(after.result.outputs), 'state\n', 'the kernel kept its variables');
  });

  it('shows a running log as it grows, each line once, and ends with one clean output', async () => {
    const user = await runUserCell(notebook, "import time\nfor i in range(12):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.12)");
    // While it runs, the new text is appended to what the cell shows (not the whole log again).
    const shownText = (): string => user.cell.outputs.flatMap((o) => o.items).map((item) => new TextDecoder().decode(item.data)).join('');
    await waitFor('a few ticks shown while running', () => /tick 4\n/.test(shownText()) || undefined);
    assert.match(shownText(), /^tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n/, 'no line shown twice or out of order');
    await user.done;
    const expected = Array.from({ length: 12 }, (_, i) => `tick ${i}\n`).join('');
    await waitFor('the final output', () => shownText() === expected || undefined);
    assert.equal(user.cell.outputs.length, 1, 'one stream output');
  });

  it('"Restart Kernel" after choosing another Python starts the kernel in that Python, with its environment', async () => {
    const venv = mkdtempSync(join(tmpdir(), 'codeact-venv-'));
    const config = vscode.workspace.getConfiguration('codeact');
    const before = config.get<string>('pythonPath');
    try {
      execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', '--system-site-packages', venv]);
      const first = await api.kernels.cellRunner.run(notebook, 'import sys; print(sys.prefix)', { marker: marker() });
      assert.notEqual(streamText(first.result.outputs).trim(), venv);
      await config.update('pythonPath', join(venv, 'bin', 'python'), vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('codeact.restartKernel', notebook.uri);
      const after = await api.kernels.cellRunner.run(notebook, "import sys, shutil; print(sys.prefix); print(shutil.which('python'))", { marker: marker() });
      assert.deepEqual(streamText(after.result.outputs).trim().split('\n'), [venv, join(venv, 'bin', 'python')]);
    } finally {
      await config.update('pythonPath', before, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('codeact.restartKernel', notebook.uri);
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('a display updated from a later cell changes where it was shown, as in Jupyter', async () => {
    const first = await api.kernels.cellRunner.run(notebook, "progress = display('step 0 of 5', display_id=True)", { marker: marker() });
    assert.ok(first.cell);
    await waitFor('the display in the first cell', () => /step 0 of 5/.test(cellText(first.cell!)) || undefined);
    const later = await api.kernels.cellRunner.run(notebook, "progress.update('step 5 of 5')\nprint('updated')", { marker: marker() });
    assert.equal(streamText(later.result.outputs), 'updated\n');
    await waitFor('the first cell to show the update', () => /step 5 of 5/.test(cellText(first.cell!)) || undefined);
    assert.doesNotMatch(cellText(first.cell), /step 0 of 5/);
    assert.doesNotMatch(cellText(later.cell!), /step 5 of 5/, 'the later cell does not show it again');
  });

  it('lets the user run a cell again after its action was stopped by the timeout', async () => {
    const { result, cell } = await api.kernels.cellRunner.run(notebook, "import time\ntime.sleep(3)\nprint('finished')", { marker: marker(), timeoutMs: 1_000 });
    assert.equal(result.status, 'timeout');
    assert.ok(cell);
    const again = await api.kernels.selector.execute(notebook, cell);
    assert.equal(again?.status, 'ok', 'the second run is not cancelled by the earlier stop');
    assert.equal(streamText(again?.outputs ?? []), 'finished\n');
  });

  it('does not hang on input(): the action ends with an error', async () => {
    const { result } = await api.kernels.cellRunner.run(notebook, 'name = input("name? ")', { marker: marker(), timeoutMs: 30_000 });
    assert.equal(result.status, 'error');
    const error = result.outputs.find((o) => o.kind === 'error');
    assert.match(error?.kind === 'error' ? `${error.ename} ${error.evalue}` : '', /StdinNotImplemented|stdin|input/i);
  });

  it('survives 10 MB printed: the cell completes and the observation keeps head and tail within budget', async () => {
    const { result } = await api.kernels.cellRunner.run(notebook, "print('HEAD')\nprint('x' * 10_000_000)\nprint('TAIL')", { marker: marker(), timeoutMs: 60_000 });
    assert.equal(result.status, 'ok');
    const observation = toObservation(result, { maxChars: 8_000 });
    assert.ok(observation.text.length <= 8_000, `observation is ${observation.text.length} characters`);
    assert.match(observation.text, /^HEAD/);
    assert.match(observation.text, /TAIL\s*$/);
    assert.match(observation.text, /cut/);
  });

  it('queues two actions requested at once: they run in order, never interleaved', async () => {
    const conversation = 'conv-queue';
    const [first, second] = await Promise.all([
      api.kernels.cellRunner.run(notebook, 'import time\nfor i in range(3):\n    print("first", i)\n    time.sleep(0.2)', { marker: marker(conversation) }),
      api.kernels.cellRunner.run(notebook, 'print("second")', { marker: marker(conversation) }),
    ]);
    assert.equal(streamText(first.result.outputs), 'first 0\nfirst 1\nfirst 2\n');
    assert.equal(streamText(second.result.outputs), 'second\n');
    assert.ok((second.result.executionCount ?? 0) > (first.result.executionCount ?? 0));
    assert.equal(second.cell?.index, (first.cell?.index ?? -1) + 1);
  });

  it('times an action from when it starts: waiting behind the user\'s running cell neither counts nor interrupts it', async () => {
    const user = await runUserCell(notebook, "import time\nprint('user cell started', flush=True)\ntime.sleep(4)\nprint('user cell done')");
    const waiting: (string | undefined)[] = [];
    const { result } = await api.kernels.cellRunner.run(notebook, "print('agent ran')", { marker: marker(), timeoutMs: 2_000, onWaiting: (w) => waiting.push(w) });
    assert.equal(result.status, 'ok', 'the 2 s limit started when the action did, not while it waited 4 s');
    assert.deepEqual(waiting, ['runningCell', undefined], 'the action said it waited, then that it started');
    assert.equal(streamText(result.outputs), 'agent ran\n');
    await user.done;
    assert.match(cellText(user.cell), /user cell done/);
    assert.doesNotMatch(cellText(user.cell), /KeyboardInterrupt/, "the user's cell was not interrupted");
  });

  it("stops only the action when Stop comes while it waits behind the user's running cell", async () => {
    const user = await runUserCell(notebook, "import time\nprint('user cell started', flush=True)\ntime.sleep(3)\nprint('user cell done')");
    const stop = new AbortController();
    const mark = marker();
    const running = api.kernels.cellRunner.run(notebook, "print('must not run')", { marker: mark, signal: stop.signal, timeoutMs: 60_000 });
    const agentCell = await waitForCell(notebook, mark.actionId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop.abort();
    const { result } = await running;
    assert.equal(result.status, 'cancelled');
    await user.done;
    assert.match(cellText(user.cell), /user cell done/);
    assert.doesNotMatch(cellText(user.cell), /KeyboardInterrupt/, "the user's cell was not interrupted");
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.doesNotMatch(cellText(agentCell), /must not run/, 'the stopped action never ran');
  });

  it('reports a kernel that died mid-action, and runs again after a restart', async () => {
    const { result } = await api.kernels.cellRunner.run(notebook, 'import os\nos._exit(1)', { marker: marker(), timeoutMs: 60_000 });
    assert.equal(result.status, 'died');
    await vscode.commands.executeCommand('codeact.restartKernel');
    const after = await api.kernels.cellRunner.run(notebook, 'print("alive again")', { marker: marker() });
    assert.equal(after.result.status, 'ok');
    assert.equal(streamText(after.result.outputs), 'alive again\n');
  });

  it('ends the action with a clear note when its cell is deleted mid-run', async () => {
    const mark = marker();
    const running = api.kernels.cellRunner.run(notebook, 'import time\ntime.sleep(30)', { marker: mark, timeoutMs: 60_000 });
    const cell = await waitForCell(notebook, mark.actionId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.deleteCells(new vscode.NotebookRange(cell.index, cell.index + 1))]);
    await vscode.workspace.applyEdit(edit);
    const { result, note } = await running;
    assert.equal(result.status, 'cancelled');
    assert.match(note ?? '', /deleted/);
    // The deleted cell's code was stopped: the next action does not wait 30 s behind it.
    const started = Date.now();
    const next = await api.kernels.cellRunner.run(notebook, "print('free again')", { marker: marker(), timeoutMs: 20_000 });
    assert.equal(streamText(next.result.outputs), 'free again\n');
    assert.ok(Date.now() - started < 10_000, `the next action waited ${Date.now() - started} ms`);
  });

  it('saves a valid .ipynb in which the cells that were there before are unchanged', async () => {
    await notebook.save();
    validateNbformat(notebook.uri.fsPath);
    const saved = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(notebook.uri)).toString('utf8')) as {
      cells: { source: string | string[]; outputs?: { output_type: string }[]; metadata: Record<string, unknown> }[];
    };
    const source = (cell: { source: string | string[] }): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
    assert.equal(source(saved.cells[0]), 'x_before = 41');
    assert.equal(source(saved.cells[1]), 'print("user cell")');
    assert.deepEqual(saved.cells[0].outputs, []);
    const agentCells = saved.cells.filter((cell) => cell.metadata['codeact']);
    assert.ok(agentCells.length >= 9, `agent cells are saved with their marker (${agentCells.length})`);
    const outputTypes = new Set(agentCells.flatMap((cell) => cell.outputs ?? []).map((o) => o.output_type));
    for (const type of ['stream', 'execute_result', 'display_data', 'error']) assert.ok(outputTypes.has(type), `saved ${type} outputs`);
  });

  it("reads CodeAct's settings for a notebook without VS Code warning about their scope", async function () {
    const logs = process.env.CODEACT_TEST_VSCODE_LOGS;
    if (!logs) this.skip(); // Only code-server runs tell the suite where the extension host logs.
    const scopeWarnings = (): string[] => extensionHostLogLines(logs).filter((line) => line.includes('Accessing a window scoped configuration for a resource'));
    await api.kernels.cellRunner.run(notebook, 'settings_read = True', { marker: marker() });
    api.kernels.selector.describe(notebook);
    // A window-scoped key of VS Code's own read through a resource: the warning CodeAct must not
    // cause. Seeing it proves the log is where we look and has been written up to here.
    vscode.workspace.getConfiguration('window', notebook.uri).get('title');
    await waitFor("VS Code's scope warning for window.title in the extension host log", () => scopeWarnings().some((line) => line.includes("'window.title'")) || undefined);
    assert.deepEqual(scopeWarnings().filter((line) => line.includes("'codeact.")), []);
  });

  it('"Install ipykernel" runs nothing for an interpreter CodeAct did not choose (an argument from anywhere)', async () => {
    const started: string[] = [];
    const listener = vscode.tasks.onDidStartTask((event) => started.push(event.execution.task.name));
    try {
      // Were it to go on, it would ask (a notification waiting for a click) and this would hang.
      await vscode.commands.executeCommand('codeact.installIpykernel', '/tmp/not-a-python-codeact-chose', 'ipykernel is missing');
      assert.deepEqual(started, []);
    } finally {
      listener.dispose();
    }
  });

  it('ends the action with a clear note when the notebook is closed mid-run', async () => {
    const other = await createNotebook('close-test.ipynb', []);
    const mark = marker();
    const running = api.kernels.cellRunner.run(other, 'import time\ntime.sleep(30)', { marker: mark, timeoutMs: 60_000 });
    await waitForCell(other, mark.actionId);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const { result, note } = await running;
    assert.equal(result.status, 'cancelled');
    assert.match(note ?? '', /closed/);
  });
});



async function waitForCell(notebook: vscode.NotebookDocument, actionId: string): Promise<vscode.NotebookCell> {
  for (let i = 0; i < 200; i++) {
    const cell = notebook.getCells().find((c) => agentCellMarker(c)?.actionId === actionId);
    if (cell) return cell;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the agent cell never appeared');
}
