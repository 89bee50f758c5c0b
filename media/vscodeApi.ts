import type { HostToWebviewMessage, WebviewToHostMessage } from '../src/shared/protocol';

/**
 * UI-only state kept across the view being hidden and shown; the host owns everything else and
 * sends a full snapshot after `ready`.
 */
export interface WebviewUiState {
  /** The unsent text of the composer. */
  readonly draft: string;
  /** Where the transcript was scrolled; atBottom keeps following new output. */
  readonly scroll?: { readonly top: number; readonly atBottom: boolean };
  /** Code edited in a pending approval card but not submitted yet, by actionId. */
  readonly editedCode?: Readonly<Record<string, string>>;
  /** Open rejection-feedback boxes and their unsent text, by actionId. */
  readonly feedback?: Readonly<Record<string, string>>;
}

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: WebviewUiState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function postToHost(message: WebviewToHostMessage): void {
  api.postMessage(message);
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return Object.fromEntries(entries);
}

/** Reads the saved UI state, tolerating older or damaged shapes. */
function readUiState(): WebviewUiState {
  const raw = api.getState();
  if (typeof raw !== 'object' || raw === null) return { draft: '' };
  const record = raw as Record<string, unknown>;
  const scroll = record['scroll'] as { top?: unknown; atBottom?: unknown } | undefined;
  return {
    draft: typeof record['draft'] === 'string' ? record['draft'] : '',
    ...(scroll && typeof scroll.top === 'number' && typeof scroll.atBottom === 'boolean' ? { scroll: { top: scroll.top, atBottom: scroll.atBottom } } : {}),
    editedCode: stringRecord(record['editedCode']) ?? {},
    feedback: stringRecord(record['feedback']) ?? {},
  };
}

let current: WebviewUiState | undefined;

export function loadUiState(): WebviewUiState {
  current ??= readUiState();
  return current;
}

/** Merges `patch` into the saved UI state. */
export function updateUiState(patch: Partial<WebviewUiState>): void {
  current = { ...loadUiState(), ...patch };
  api.setState(current);
}

/** Sets or clears (undefined) one key of a by-actionId record in the UI state. */
export function updateUiRecord(field: 'editedCode' | 'feedback', actionId: string, value: string | undefined): void {
  const next: Record<string, string> = { ...(loadUiState()[field] ?? {}) };
  if (value === undefined) {
    if (!(actionId in next)) return;
    delete next[actionId];
  } else {
    next[actionId] = value;
  }
  updateUiState({ [field]: next });
}

/** Subscribes to messages from the host; only messages shaped like ours are passed on. */
export function onHostMessage(listener: (message: HostToWebviewMessage) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string') {
      listener(data as HostToWebviewMessage);
    }
  });
}
