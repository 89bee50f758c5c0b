// Actions in a kernel that is not CodeAct's, beside a kernel extension that behaves as the
// Jupyter extension does (test/fixtures/jupyter-like): it queues cells one at a time, can only
// interrupt the whole kernel, cancels queued cells after a failure and leaves a dead kernel's
// cell without an end time. Runs in the vscode tier's third run (see runVSCodeTests.entry.ts).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { toObservation } from '../../src/kernel/observation';
import { messageText, reply } from '../model/scriptedModelServer';
import { activateCodeAct, cellText, chatActions, chatEntries, createNotebook, marker, runUserCell, streamText, useScriptedModel, waitFor } from './helpers';

/** A notebook naming the python3 kernelspec, as one saved by Jupyter does. */
async function jupyterNotebook(name: string): Promise<vscode.NotebookDocument> {
  const notebook = await createNotebook(name, [], { kernel: 'default' });
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...notebook.metadata, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }, language_info: { name: 'python' } } })]);
  await vscode.workspace.applyEdit(edit);
  return notebook;
}

describe('Actions in a Jupyter kernel (whole-kernel interrupt)', function () {
  this.timeout(120_000);
  let api: CodeActApi;

  before(async () => {
    api = await activateCodeAct();
  });

  it("runs the user's cells in the Jupyter kernel with no kernel picker, CodeAct loaded beside it", async () => {
    const notebook = await jupyterNotebook('preselected.ipynb');
    // With two kernels for .ipynb and none chosen, VS Code would open its picker and this would hang.
    const user = await runUserCell(notebook, "import sys\nprint('ran in', sys.executable, flush=True)");
    await user.done;
    assert.match(cellText(user.cell), /ran in/);
    assert.equal(api.kernels.selector.runsOwnKernel(notebook), false, 'the Jupyter kernel runs it, not CodeAct Python');
  });

  it("never interrupts the user's running cell: a queued action's clock starts when it starts", async () => {
    const notebook = await jupyterNotebook('queued-behind.ipynb');
    const user = await runUserCell(notebook, "import time\nprint('user started', flush=True)\ntime.sleep(3)\nprint('user done')");
    const waits: unknown[] = [];
    // Runs 2 s after waiting 3 s behind the user's cell: past 4 s from when it was sent.
    const run = await api.kernels.cellRunner.run(notebook, "import time\ntime.sleep(2)\nprint('action done')", {
      marker: marker(),
      timeoutMs: 4_000,
      onWaiting: (state) => waits.push(state),
    });
    await user.done;
    assert.match(cellText(user.cell), /user done/);
    assert.doesNotMatch(cellText(user.cell), /KeyboardInterrupt/, "the user's cell was not interrupted");
    assert.equal(run.result.status, 'ok', `the action ran to its end: ${run.note ?? ''} ${JSON.stringify(run.result.outputs)}`);
    assert.equal(streamText(run.result.outputs), 'action done\n');
    assert.ok(waits.includes('runningCell'), `the card said it waits for the running cell: ${JSON.stringify(waits)}`);
  });

  it('takes a queued action that waited past its timeout off the queue, without touching the kernel', async () => {
    const notebook = await jupyterNotebook('queued-timeout.ipynb');
    const user = await runUserCell(notebook, "import time\nprint('long fit started', flush=True)\ntime.sleep(6)\nprint('long fit done')");
    const run = await api.kernels.cellRunner.run(notebook, "open('queued_action_ran.txt', 'w').write('ran')\nprint('action ran')", { marker: marker(), timeoutMs: 2_000 });
    assert.equal(run.result.status, 'cancelled');
    assert.match(run.note ?? '', /did not run/i);
    assert.match(run.note ?? '', /not interrupted/i);
    await user.done;
    assert.match(cellText(user.cell), /long fit done/, "the user's cell ran to its end");
    assert.doesNotMatch(cellText(user.cell), /KeyboardInterrupt/);
    // The action's code stays in the notebook, not run, and nothing runs it later.
    const actionCell = await waitFor('the action cell', () => notebook.getCells().find((c) => c.document.getText().includes('queued_action_ran')));
    const after = await api.kernels.cellRunner.run(notebook, "import os\nprint(os.path.exists('queued_action_ran.txt'))", { marker: marker(), timeoutMs: 10_000 });
    assert.equal(streamText(after.result.outputs), 'False\n', 'the dequeued action never ran');
    assert.equal(actionCell.executionSummary?.executionOrder, undefined);
    assert.equal(actionCell.outputs.length, 0);
  });

  it('says at once that a queued action did not run when the cell before it failed', async () => {
    const notebook = await jupyterNotebook('queued-after-failure.ipynb');
    const user = await runUserCell(notebook, "import time\nprint('about to fail', flush=True)\ntime.sleep(1)\nraise ValueError('user cell failed')");
    const started = Date.now();
    const run = await api.kernels.cellRunner.run(notebook, "print('never')", { marker: marker(), timeoutMs: 60_000 });
    await user.done;
    assert.equal(run.result.status, 'cancelled');
    assert.match(run.note ?? '', /did not run/i);
    assert.doesNotMatch(run.note ?? '', /timed out|interrupted/i);
    assert.ok(Date.now() - started < 8_000, 'no wait for a grace period or the timeout');
  });

  it('reports a kernel that died as dead, at once, without HTML, saying the variables are lost', async () => {
    const notebook = await jupyterNotebook('dies.ipynb');
    const started = Date.now();
    const run = await api.kernels.cellRunner.run(notebook, "import os\nprint('bye', flush=True)\nos._exit(1)", { marker: marker(), timeoutMs: 60_000 });
    assert.equal(run.result.status, 'died');
    assert.ok(Date.now() - started < 20_000, 'not after the timeout');
    const observation = toObservation(run.result, { maxChars: 8_000 }).text + (run.note ?? '');
    assert.doesNotMatch(observation, /<a\s|href=/i, observation);
    assert.match(observation, /died/i);
    assert.match(observation, /variables/i);
    await vscode.commands.executeCommand('jupyter.restartkernel', notebook.uri);
  });

  it('tells the model one timeout line for an action that ran too long', async () => {
    const notebook = await jupyterNotebook('times-out.ipynb');
    await api.kernels.cellRunner.run(notebook, "kept = 'here'", { marker: marker(), timeoutMs: 20_000 });
    const run = await api.kernels.cellRunner.run(notebook, 'while True:\n    pass', { marker: marker(), timeoutMs: 2_000 });
    assert.equal(run.result.status, 'timeout');
    const observation = toObservation(run.result, { maxChars: 8_000 }).text;
    const text = run.note && !observation.includes(run.note) ? `${observation}\n${run.note}` : observation;
    assert.equal(text.match(/timed out/g)?.length, 1, `one timeout line: ${text}`);
    const after = await api.kernels.cellRunner.run(notebook, 'print(kept)', { marker: marker(), timeoutMs: 10_000 });
    assert.equal(streamText(after.result.outputs), 'here\n', 'the kernel kept its variables');
  });
});

describe('A Jupyter kernel that dies under an action, in the chat', function () {
  this.timeout(120_000);

  /** The fixture's kernel for a notebook, through the Jupyter extension's kernels API. */
  async function jupyterKernel(notebook: vscode.NotebookDocument): Promise<{ readonly status: string } | undefined> {
    const jupyter = vscode.extensions.getExtension<{ kernels: { getKernel(uri: vscode.Uri): Promise<{ status: string } | undefined> } }>('ms-toolsai.jupyter');
    return (await jupyter?.activate())?.kernels.getKernel(notebook.uri);
  }

  it('says on the card that the kernel died, tells the model, and its Restart Kernel button restarts the Jupyter kernel', async () => {
    const api = await activateCodeAct();
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await jupyterNotebook('dies-in-chat.ipynb');
      model.setScript([reply.text("It will exit.\n<execute>\nimport os\nos._exit(1)\n</execute>"), reply.text('The kernel died.')]);
      const turn = api.chat.send('end the kernel');
      const pending = await waitFor('a pending action', () => chatActions(api).find((a) => a.status === 'pending'));
      await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: pending.id, code: pending.code });
      await turn;
      const notice = chatEntries(api).find((entry) => entry.kind === 'notice' && entry.fix === 'restartKernel');
      assert.ok(notice?.kind === 'notice', 'a notice with Restart Kernel');
      assert.match(notice.text, /kernel died.*variables/s);
      assert.match(messageText(model.chatRequests()[1].messages.at(-1)!), /died/i, 'the model was told');
      assert.equal((await jupyterKernel(notebook))?.status, 'dead');

      await api.chat.handleWebviewMessage({ type: 'applyNoticeFix', fix: 'restartKernel' });
      await waitFor('the Jupyter kernel to be restarted', async () => (await jupyterKernel(notebook))?.status === 'idle' || undefined);
      const check = await runUserCell(notebook, "print('alive again', flush=True)");
      await check.done;
      assert.match(cellText(check.cell), /alive again/);
    } finally {
      await vscode.workspace.getConfiguration('codeact').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
      await model.close();
    }
  });
});

describe("The Jupyter kernel's variables, asked for while the user reads the consent dialog", function () {
  this.timeout(120_000);
  const settings = (section: string): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(section);

  after(async () => {
    await settings('jupyterLike').update('consentDelayMs', undefined, vscode.ConfigurationTarget.Global);
    await settings('codeact').update('jupyterKernelProbes', undefined, vscode.ConfigurationTarget.Global);
    await settings('codeact').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
  });

  it('waits for the answer (longer than the probe time limit) and sends the first request with the variables', async () => {
    const api = await activateCodeAct();
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await jupyterNotebook('consent.ipynb');
      // A name that only the kernel knows (not in any cell's text the prompt may quote).
      await (await runUserCell(notebook, "globals()['quarterly_' + 'sales'] = [120, 95, 143]", { waitForStart: false })).done;
      await settings('codeact').update('jupyterKernelProbes', true, vscode.ConfigurationTarget.Global);
      await settings('jupyterLike').update('consentDelayMs', 6_000, vscode.ConfigurationTarget.Global);
      model.setScript([reply.text('You have quarterly_sales.')]);
      await api.chat.send('what do I have?');
      assert.match(messageText(model.chatRequests()[0].messages.at(-1)!), /quarterly_sales/);
    } finally {
      await model.close();
    }
  });

  it('stops waiting for the answer when the user presses Stop', async () => {
    const api = await activateCodeAct();
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await jupyterNotebook('consent-stop.ipynb');
      await (await runUserCell(notebook, 'waiting = True', { waitForStart: false })).done;
      await settings('codeact').update('jupyterKernelProbes', true, vscode.ConfigurationTarget.Global);
      await settings('jupyterLike').update('consentDelayMs', 600_000, vscode.ConfigurationTarget.Global);
      model.setScript([reply.text('Never asked.')]);
      let ended = false;
      const turn = api.chat.send('what do I have?').finally(() => (ended = true));
      await waitFor('the turn to be running', () => chatEntries(api).some((entry) => entry.kind === 'user') || undefined);
      await api.chat.handleWebviewMessage({ type: 'stop' });
      await waitFor('the turn to end after Stop, without the consent answer', () => ended || undefined);
      await turn;
      assert.equal(model.chatRequests().length, 0, 'no request was sent after Stop');
    } finally {
      await model.close();
    }
  });
});

describe('An action in a notebook with no kernel chosen', function () {
  this.timeout(120_000);
  let api: CodeActApi;
  const fixture = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('jupyterLike');

  before(async () => {
    api = await activateCodeAct();
    // Two kernels for .ipynb and none chosen: VS Code opens its kernel picker to run a cell.
    await fixture().update('otherKernel', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await fixture().update('otherKernel', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Dismisses VS Code's kernel picker (as Escape would) until `done` settles. */
  async function dismissPickerUntil(done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.finally(() => (settled = true));
    await waitFor('the run to end once the picker is dismissed', async () => {
      if (!settled) await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled || undefined;
    }, 30_000);
  }

  it('waits for a kernel without a clock, ends at once as not run when the picker is dismissed, and never runs later', async () => {
    // Saved without a kernelspec: with two kernels and none preferred, VS Code has to ask.
    const notebook = await createNotebook('no-kernel.ipynb', [], { kernel: 'default' });
    const waits: unknown[] = [];
    const running = api.kernels.cellRunner.run(notebook, "open('picked_later.txt', 'w').write('ran')", { marker: marker(), timeoutMs: 1_000, onWaiting: (state) => waits.push(state) });
    await waitFor('the card to say it waits for a kernel', () => waits.includes('kernel') || undefined);
    await dismissPickerUntil(running);
    const run = await running;
    assert.equal(run.result.status, 'cancelled');
    assert.match(run.note ?? '', /did not run: no kernel was chosen/);
    // The user picks a kernel afterwards: the action that ended must not run then.
    await vscode.commands.executeCommand('notebook.selectKernel', { id: 'jupyter-like-python3', extension: 'ms-toolsai.jupyter' });
    const check = await runUserCell(notebook, "import os\nprint('exists:', os.path.exists('picked_later.txt'), flush=True)");
    await check.done;
    assert.match(cellText(check.cell), /exists: False/);
  });
});

describe("The risky-code check with a Jupyter kernel (auto-approve on): relative writes are judged where the kernel is", function () {
  this.timeout(120_000);
  const settings = (section: string): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration(section);
  let outside: string;

  before(async () => {
    await settings('codeact').update('autoApprove', true, vscode.ConfigurationTarget.Global);
  });

  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), 'codeact-moved-jupyter-'));
  });

  afterEach(() => {
    rmSync(outside, { recursive: true, force: true });
  });

  after(async () => {
    await settings('codeact').update('autoApprove', undefined, vscode.ConfigurationTarget.Global);
    await settings('codeact').update('jupyterKernelProbes', undefined, vscode.ConfigurationTarget.Global);
    await settings('codeact').update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
  });

  /** In a running kernel: a relative write (runs by itself), a chdir out of the folder (approved), the same write again: its reasons. */
  async function reasonsForWriteAfterChdir(name: string): Promise<readonly string[]> {
    const api = await activateCodeAct();
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await jupyterNotebook(name);
      // The Jupyter extension answers probes of a running kernel only.
      await (await runUserCell(notebook, "print('started', flush=True)")).done;
      const write = "<execute>\nopen('written-here.txt', 'w').write('x')\n</execute>";
      model.setScript([reply.text(write), reply.text(`<execute>\nimport os\nos.chdir(${JSON.stringify(outside)})\n</execute>`), reply.text(write), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('write a file', notebook.uri);
      const moving = await waitFor('the chdir to wait for approval', () => chatActions(api).find((a) => a.status === 'pending'), 30_000);
      assert.equal(chatActions(api)[0]?.status, 'autoRan', 'the first write, with the kernel in the notebook folder, ran by itself');
      await api.chat.handleWebviewMessage({ type: 'approveAction', actionId: moving.id, code: moving.code });
      const held = await waitFor('the second write to wait for approval', () => chatActions(api).find((a) => a.status === 'pending' && a.id !== moving.id), 30_000);
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: held.id });
      await turn;
      assert.ok(!existsSync(join(outside, 'written-here.txt')), 'nothing was written outside the folder');
      return held.risks;
    } finally {
      await model.close();
    }
  }

  it("without probes: the kernel's folder is not known (the user's own cells may move it), so a relative write asks and says why", async () => {
    const api = await activateCodeAct();
    const model = await useScriptedModel();
    try {
      await api.chat.newChat();
      const notebook = await jupyterNotebook('moved-by-user.ipynb');
      const user = await runUserCell(notebook, `import os\nos.chdir(${JSON.stringify(outside)})\nprint('moved', flush=True)`);
      await user.done;
      model.setScript([reply.text("<execute>\nopen('written-here.txt', 'w').write('x')\n</execute>"), reply.text('Done.')]);
      const turn = api.chat.sendWithNotebook('write a file', notebook.uri);
      const held = await waitFor('the write to be judged', () => chatActions(api).find((a) => a.status !== 'waiting' && a.status !== 'awaitingKernel'), 30_000);
      assert.equal(held.status, 'pending', 'the write did not run by itself');
      assert.deepEqual(held.risks, [
        "writes with `open` to `written-here.txt`, relative to the kernel's working folder, which the check could not read (it reads a Jupyter kernel's folder only with the setting `codeact.jupyterKernelProbes` on)",
      ]);
      await api.chat.handleWebviewMessage({ type: 'skipAction', actionId: held.id });
      await turn;
      assert.ok(!existsSync(join(outside, 'written-here.txt')), 'nothing was written outside the folder');
    } finally {
      await model.close();
    }
  });

  it("with probes: the kernel's folder is read before each action, and the write asks as outside the folder", async () => {
    await settings('codeact').update('jupyterKernelProbes', true, vscode.ConfigurationTarget.Global);
    assert.deepEqual(await reasonsForWriteAfterChdir('moved-probed.ipynb'), ['writes with `open` outside the folder: `written-here.txt`']);
  });
});
