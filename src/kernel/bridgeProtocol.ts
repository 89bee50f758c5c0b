/**
 * The JSON-lines protocol between {@link PythonKernelProcess} and `python/codeact_kernel_bridge.py`
 * (the Python side documents the same messages in its module docstring). Events are checked
 * with {@link parseBridgeEvent} before use: they come from another process.
 */
import type { KernelOutput } from './kernelOutputs';

/** Commands written to the bridge's stdin. */
export type BridgeCommand =
  | { readonly type: 'execute'; readonly id: string; readonly code: string; readonly silent?: boolean }
  | { readonly type: 'interrupt' }
  | { readonly type: 'restart' }
  | { readonly type: 'shutdown' };

/** How the bridge saw an execution end. */
export type BridgeDoneStatus = 'ok' | 'error' | 'aborted' | 'died';

export interface BridgeReadyEvent {
  readonly type: 'ready';
  readonly pid: number;
  readonly restarted: boolean;
  readonly pythonExecutable: string;
  readonly pythonVersion: string;
  readonly implementation: string;
  readonly implementationVersion: string;
  readonly banner: string;
}

/** Events read from the bridge's stdout. */
export type BridgeEvent =
  | BridgeReadyEvent
  | { readonly type: 'kernel_started'; readonly pid: number | undefined }
  | { readonly type: 'output'; readonly id: string; readonly output: KernelOutput; readonly isUpdate: boolean }
  | { readonly type: 'clear_output'; readonly id: string; readonly wait: boolean }
  | { readonly type: 'done'; readonly id: string; readonly status: BridgeDoneStatus; readonly executionCount?: number }
  | { readonly type: 'kernel_died'; readonly exitCode?: number }
  | { readonly type: 'command_failed'; readonly command: string; readonly message: string }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string }
  | { readonly type: 'missing_dependency'; readonly module: string; readonly python: string; readonly message: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  const record: Record<string, string> = {};
  if (!isObject(value)) return record;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') record[key] = item;
  }
  return record;
}

const DONE_STATUSES = ['ok', 'error', 'aborted', 'died'] as const satisfies readonly BridgeDoneStatus[];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Checks one decoded line; `undefined` for anything that is not a known, well-formed event. */
export function parseBridgeEvent(value: unknown): BridgeEvent | undefined {
  if (!isObject(value) || typeof value.type !== 'string') return undefined;
  const id = str(value.id);
  switch (value.type) {
    case 'ready': {
      const python = isObject(value.python) ? value.python : {};
      const kernel = isObject(value.kernel) ? value.kernel : {};
      const pid = optionalNumber(value.pid);
      if (pid === undefined) return undefined;
      return {
        type: 'ready',
        pid,
        restarted: value.restarted === true,
        pythonExecutable: str(python.executable),
        pythonVersion: str(python.version),
        implementation: str(kernel.implementation),
        implementationVersion: str(kernel.implementation_version),
        banner: str(kernel.banner),
      };
    }
    case 'kernel_started':
      return { type: 'kernel_started', pid: optionalNumber(value.pid) };
    case 'stream':
      return {
        type: 'output',
        id,
        isUpdate: false,
        output: { kind: 'stream', name: value.name === 'stderr' ? 'stderr' : 'stdout', text: str(value.text) },
      };
    case 'display': {
      const displayId = typeof value.display_id === 'string' ? value.display_id : undefined;
      const executionCount = optionalNumber(value.execution_count);
      return {
        type: 'output',
        id,
        isUpdate: value.kind === 'update_display_data',
        output: {
          kind: 'data',
          isResult: value.kind === 'execute_result',
          data: stringRecord(value.data),
          metadata: isObject(value.metadata) ? value.metadata : {},
          ...(executionCount !== undefined ? { executionCount } : {}),
          ...(displayId !== undefined ? { displayId } : {}),
        },
      };
    }
    case 'error':
      return {
        type: 'output',
        id,
        isUpdate: false,
        output: {
          kind: 'error',
          ename: str(value.ename),
          evalue: str(value.evalue),
          traceback: Array.isArray(value.traceback) ? value.traceback.map((line) => str(line)) : [],
        },
      };
    case 'clear_output':
      return { type: 'clear_output', id, wait: value.wait === true };
    case 'done': {
      const status = DONE_STATUSES.find((s) => s === value.status) ?? 'error';
      const executionCount = optionalNumber(value.execution_count);
      return { type: 'done', id, status, ...(executionCount !== undefined ? { executionCount } : {}) };
    }
    case 'kernel_died': {
      const exitCode = optionalNumber(value.exit_code);
      return { type: 'kernel_died', ...(exitCode !== undefined ? { exitCode } : {}) };
    }
    case 'command_failed':
      return { type: 'command_failed', command: str(value.command), message: str(value.message) };
    case 'log': {
      const level = LOG_LEVELS.find((l) => l === value.level) ?? 'info';
      return { type: 'log', level, message: str(value.message) };
    }
    case 'missing_dependency':
      return {
        type: 'missing_dependency',
        module: str(value.module, 'ipykernel'),
        python: str(value.python),
        message: str(value.message),
      };
    default:
      return undefined;
  }
}
