import * as vscode from 'vscode';
import type { Jupyter } from '@vscode/jupyter-extension';
import type { KernelVariable } from '../../agent/systemPrompt';
import { VARIABLES_PROBE_CODE, parseVariablesProbe } from '../variablesProbe';

const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
const STDOUT_MIMES = new Set(['application/x.notebook.stream.stdout', 'application/vnd.code.notebook.stdout']);
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Lists the variables of a notebook's running Jupyter kernel through the Jupyter extension's
 * API (`kernels.getKernel(uri).executeCode`), which runs without touching the execution count
 * or history. Opt-in (setting `codeact.jupyterKernelProbes`): the Jupyter extension asks the
 * user for consent the first time. Undefined whenever it cannot answer; it never throws.
 */
export async function listJupyterVariables(notebook: vscode.NotebookDocument): Promise<KernelVariable[] | undefined> {
  const extension = vscode.extensions.getExtension<Jupyter>(JUPYTER_EXTENSION_ID);
  if (!extension) return undefined;
  const source = new vscode.CancellationTokenSource();
  const timer = setTimeout(() => source.cancel(), PROBE_TIMEOUT_MS);
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const kernel = await api.kernels.getKernel(notebook.uri);
    if (!kernel || kernel.language !== 'python') return undefined;
    let stdout = '';
    const decoder = new TextDecoder();
    for await (const output of kernel.executeCode(VARIABLES_PROBE_CODE, source.token)) {
      for (const item of output.items) if (STDOUT_MIMES.has(item.mime)) stdout += decoder.decode(item.data);
    }
    return parseVariablesProbe(stdout);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    source.dispose();
  }
}
