/**
 * Jupyter iopub messages (as a Jupyter Server relays them over its WebSocket) → the shared
 * {@link KernelOutput} model, the same shape our bridge produces for a local kernel. The
 * content is checked field by field: user code controls much of what ends up in it.
 */
import type { DataOutput, KernelOutput } from '../kernelOutputs';

/** What one iopub message means for the execution it belongs to. */
export type IOPubEvent =
  | { readonly type: 'output'; readonly output: KernelOutput; readonly isUpdate: boolean }
  | { readonly type: 'clearOutput'; readonly wait: boolean };

type Json = Record<string, unknown>;

/** `undefined` for messages that carry no output (status, execute_input, comms, …). */
export function iopubEvent(msgType: string, content: unknown): IOPubEvent | undefined {
  const body: Json = isObject(content) ? content : {};
  switch (msgType) {
    case 'stream':
      return { type: 'output', isUpdate: false, output: { kind: 'stream', name: body.name === 'stderr' ? 'stderr' : 'stdout', text: textOf(body.text) } };
    case 'execute_result':
    case 'display_data':
      return { type: 'output', isUpdate: false, output: dataOutput(body, msgType === 'execute_result') };
    case 'update_display_data': {
      const output = dataOutput(body, false);
      // An update without a display id cannot replace anything; Jupyter drops it too.
      return output.displayId === undefined ? undefined : { type: 'output', isUpdate: true, output };
    }
    case 'error':
      return {
        type: 'output',
        isUpdate: false,
        output: {
          kind: 'error',
          ename: textOf(body.ename),
          evalue: textOf(body.evalue),
          traceback: Array.isArray(body.traceback) ? body.traceback.map(textOf) : [],
        },
      };
    case 'clear_output':
      return { type: 'clearOutput', wait: body.wait === true };
    default:
      return undefined;
  }
}

function dataOutput(body: Json, isResult: boolean): DataOutput {
  const transient = isObject(body.transient) ? body.transient : {};
  const displayId = typeof transient.display_id === 'string' ? transient.display_id : undefined;
  const executionCount = typeof body.execution_count === 'number' && Number.isFinite(body.execution_count) ? body.execution_count : undefined;
  return {
    kind: 'data',
    isResult,
    data: mimeBundle(body.data),
    metadata: isObject(body.metadata) ? body.metadata : {},
    ...(executionCount !== undefined ? { executionCount } : {}),
    ...(displayId !== undefined ? { displayId } : {}),
  };
}

/**
 * Every value as a string, as {@link DataOutput} promises: text and base64 images as they
 * are, nbformat-style lists of lines joined, JSON mime types (objects) as JSON text — the
 * same normalisation the local bridge applies in Python.
 */
export function mimeBundle(data: unknown): Record<string, string> {
  const bundle: Record<string, string> = {};
  if (!isObject(data)) return bundle;
  for (const [mime, value] of Object.entries(data)) {
    if (typeof value === 'string') bundle[mime] = value;
    else if (Array.isArray(value) && value.every((line) => typeof line === 'string')) bundle[mime] = value.join('');
    else if (value !== undefined) bundle[mime] = JSON.stringify(value) ?? '';
  }
  return bundle;
}

/** Jupyter text fields may arrive as a list of lines (nbformat style). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((part) => (typeof part === 'string' ? part : (JSON.stringify(part) ?? ''))).join('');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === undefined || value === null ? '' : (JSON.stringify(value) ?? '');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
