import * as vscode from 'vscode';
import { DataOutput, KernelOutput } from '../kernelOutputs';

const STDOUT = 'application/vnd.code.notebook.stdout';
const STDERR = 'application/vnd.code.notebook.stderr';
const ERROR = 'application/vnd.code.notebook.error';

/** Mime types whose Jupyter value is base64 text and whose cell item holds the raw bytes. */
function isBinaryMime(mime: string): boolean {
  return mime.startsWith('image/') && mime !== 'image/svg+xml';
}

/**
 * Converts one kernel output into a notebook cell output the way the Jupyter extension does,
 * so the built-in renderers show it as Jupyter would (plots as images, errors with traceback).
 * The metadata carries `outputType` so the .ipynb serializer writes the right nbformat type.
 */
export function toCellOutput(output: KernelOutput): vscode.NotebookCellOutput {
  switch (output.kind) {
    case 'stream':
      return new vscode.NotebookCellOutput([streamItem(output.name, output.text)], { outputType: 'stream' });
    case 'error':
      return new vscode.NotebookCellOutput(
        [
          vscode.NotebookCellOutputItem.error({
            name: output.ename,
            message: output.evalue,
            stack: output.traceback.join('\n'),
          }),
        ],
        { outputType: 'error', originalError: { ename: output.ename, evalue: output.evalue, traceback: output.traceback } },
      );
    case 'data':
      return new vscode.NotebookCellOutput(dataItems(output), {
        outputType: output.isResult ? 'execute_result' : 'display_data',
        ...(output.isResult && output.executionCount !== undefined ? { executionCount: output.executionCount } : {}),
        metadata: output.metadata,
        // As the Jupyter extension keeps it: a later cell may update this display by its id.
        ...(output.displayId ? { transient: { display_id: output.displayId } } : {}),
      });
  }
}

/** Richest first, as renderers pick the first item they can show. */
export function dataItems(output: DataOutput): vscode.NotebookCellOutputItem[] {
  const order = (mime: string): number => (mime === 'text/plain' ? 1 : 0);
  return Object.keys(output.data)
    .sort((a, b) => order(a) - order(b))
    .map((mime) => {
      const value = output.data[mime] ?? '';
      if (isBinaryMime(mime)) return new vscode.NotebookCellOutputItem(Buffer.from(value, 'base64'), mime);
      return vscode.NotebookCellOutputItem.text(value, mime);
    });
}

/** Reads a cell's outputs back as kernel outputs, whichever kernel produced them. */
export function fromCellOutputs(outputs: readonly vscode.NotebookCellOutput[]): KernelOutput[] {
  const result: KernelOutput[] = [];
  const decoder = new TextDecoder();
  for (const output of outputs) {
    const data: Record<string, string> = {};
    for (const item of output.items) {
      if (item.mime === STDOUT || item.mime === STDERR) {
        result.push({ kind: 'stream', name: item.mime === STDOUT ? 'stdout' : 'stderr', text: decoder.decode(item.data) });
      } else if (item.mime === ERROR) {
        result.push(parseErrorItem(decoder.decode(item.data)));
      } else if (isBinaryMime(item.mime)) {
        data[item.mime] = Buffer.from(item.data).toString('base64');
      } else {
        data[item.mime] = decoder.decode(item.data);
      }
    }
    if (Object.keys(data).length > 0) {
      const metadata: Record<string, unknown> = output.metadata ?? {};
      const isResult = metadata['outputType'] === 'execute_result';
      const executionCount = metadata['executionCount'];
      result.push({
        kind: 'data',
        isResult,
        data,
        metadata: (metadata['metadata'] as Record<string, unknown> | undefined) ?? {},
        ...(typeof executionCount === 'number' ? { executionCount } : {}),
      });
    }
  }
  return result;
}

function parseErrorItem(text: string): KernelOutput {
  try {
    const parsed = JSON.parse(text) as { name?: unknown; message?: unknown; stack?: unknown };
    const stack = typeof parsed.stack === 'string' ? parsed.stack : '';
    return {
      kind: 'error',
      ename: typeof parsed.name === 'string' ? parsed.name : 'Error',
      evalue: typeof parsed.message === 'string' ? parsed.message : '',
      traceback: stack ? stack.split('\n') : [],
    };
  } catch {
    return { kind: 'error', ename: 'Error', evalue: text, traceback: [] };
  }
}

/** Stream text as an output item; more of the same stream is appended as further items. */
export function streamItem(name: 'stdout' | 'stderr', text: string): vscode.NotebookCellOutputItem {
  return name === 'stdout' ? vscode.NotebookCellOutputItem.stdout(text) : vscode.NotebookCellOutputItem.stderr(text);
}

/** The display id a data output was shown with (`display(…, display_id=True)`), if any. */
export function displayIdOf(output: vscode.NotebookCellOutput): string | undefined {
  const transient = (output.metadata as { transient?: { display_id?: unknown } } | undefined)?.transient;
  return typeof transient?.display_id === 'string' ? transient.display_id : undefined;
}
