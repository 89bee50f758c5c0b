import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';

export const EXTENSION_ID = 'codeact-dev.codeact';

/** Activates CodeAct (as opening its view would) and returns its exported API. */
export async function activateCodeAct(): Promise<CodeActApi> {
  const extension = vscode.extensions.getExtension<CodeActApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

/** Resolves when `condition` holds, polling briefly; rejects with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
