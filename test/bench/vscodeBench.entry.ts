// The in-VS-Code half of `npm run bench`, loaded as extensionTestsPath: activation time and the
// full cell path (cell inserted -> executed by the notebook's kernel -> outputs read back).
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import { toObservation } from '../../src/kernel/observation';
import { median } from './stats';

const EXTENSION_ID = 'codeact-dev.codeact';
const ACTIONS = 30;

export async function run(): Promise<void> {
  const out = process.env['CODEACT_BENCH_OUT'];
  if (!out) throw new Error('CODEACT_BENCH_OUT is not set');
  const extension = vscode.extensions.getExtension<CodeActApi>(EXTENSION_ID);
  if (!extension) throw new Error('CodeAct is not loaded');
  const wasActive = extension.isActive;
  const activationStarted = performance.now();
  const api = await extension.activate();
  const activationMs = performance.now() - activationStarted;

  await vscode.extensions.getExtension('vscode.ipynb')?.activate();
  const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', new vscode.NotebookData([]));
  await vscode.window.showNotebookDocument(notebook);
  const cellPath = async (code: string): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < ACTIONS + 3; i++) {
      const started = performance.now();
      const { result } = await api.kernels.cellRunner.run(notebook, code, { marker: { conversationId: 'bench', actionId: `bench-${code.length}-${i}` } });
      toObservation(result, { maxChars: 8_000 });
      if (result.status !== 'ok') throw new Error(`bench action failed: ${result.status}`);
      if (i >= 3) times.push(performance.now() - started); // the first runs warm the kernel up
    }
    return times;
  };
  const pass = await cellPath('pass');
  const print = await cellPath("print('x' * 1000)");
  writeFileSync(
    out,
    JSON.stringify({ activationMs, wasActive, cellPassMs: median(pass), cellPrintMs: median(print), actions: ACTIONS }),
  );
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
