import type { HostToWebviewMessage, WebviewToHostMessage } from '../src/shared/protocol';

/** UI-only state kept across the view being hidden and shown (the host owns everything else). */
export interface WebviewUiState {
  readonly draft: string;
}

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): WebviewUiState | undefined;
  setState(state: WebviewUiState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function postToHost(message: WebviewToHostMessage): void {
  api.postMessage(message);
}

export function loadUiState(): WebviewUiState {
  return api.getState() ?? { draft: '' };
}

export function saveUiState(state: WebviewUiState): void {
  api.setState(state);
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
