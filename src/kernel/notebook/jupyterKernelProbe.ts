import * as vscode from 'vscode';
import type { Jupyter } from '@vscode/jupyter-extension';
import { KERNEL_STATE_PROBE_CODE, type KernelState, parseKernelStateProbe } from '../kernelStateProbe';

const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';
const STDOUT_MIMES = new Set(['application/x.notebook.stream.stdout', 'application/vnd.code.notebook.stdout']);
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Probes a notebook's running Jupyter kernel (its variables and working directory) through the Jupyter extension's
 * API (`kernels.getKernel(uri).executeCode`), which runs without touching the execution count
 * or history. Opt-in (setting `codeact.jupyterKernelProbes`): the Jupyter extension asks the
 * user for consent the first time, and `getKernel` answers only when they did. The turn waits
 * for that answer (the user is reading the dialog, and the request is better with the
 * variables); the time limit is for the probe itself, once it runs. Stop (`signal`) ends the
 * wait at once. Undefined whenever it cannot answer; it never throws.
 */
export async function probeJupyterKernel(notebook: vscode.NotebookDocument, signal?: AbortSignal, code = KERNEL_STATE_PROBE_CODE): Promise<KernelState | undefined> {
  const extension = vscode.extensions.getExtension<Jupyter>(JUPYTER_EXTENSION_ID);
  if (!extension || signal?.aborted) return undefined;
  const source = new vscode.CancellationTokenSource();
  const aborted = new Promise<undefined>((resolve) => {
    signal?.addEventListener('abort', () => {
      source.cancel();
      resolve(undefined);
    }, { once: true });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const api = extension.isActive ? extension.exports : await Promise.race([extension.activate(), aborted]);
    const kernel = api && (await Promise.race([api.kernels.getKernel(notebook.uri), aborted]));
    if (!kernel || kernel.language !== 'python' || source.token.isCancellationRequested) return undefined;
    timer = setTimeout(() => source.cancel(), PROBE_TIMEOUT_MS);
    let stdout = '';
    const decoder = new TextDecoder();
    for await (const output of kernel.executeCode(code, source.token)) {
      for (const item of output.items) if (STDOUT_MIMES.has(item.mime)) stdout += decoder.decode(item.data);
    }
    return source.token.isCancellationRequested ? undefined : parseKernelStateProbe(stdout);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    source.dispose();
  }
}
