import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CodeActApi } from '../../src/extension';
import type { ActionEntry, TranscriptEntry } from '../../src/shared/protocol';
import { agentCellMarker } from '../../src/kernel/notebook/notebookCellRunner';
import { ScriptedModelServer, startScriptedModelServer } from '../model/scriptedModelServer';

export const EXTENSION_ID = 'codeact-dev.codeact';
const JUPYTER_EXTENSION_ID = 'ms-toolsai.jupyter';

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

/** Opens a notebook of the test workspace in an editor (activating the built-in ipynb support). */
export async function openWorkspaceNotebook(name: string): Promise<vscode.NotebookDocument> {
  await vscode.extensions.getExtension('vscode.ipynb')?.activate();
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder');
  const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.joinPath(folder.uri, name));
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}

/**
 * Writes a new .ipynb into the test workspace from (code) cell sources and opens it. Its kernel
 * is CodeAct Python: chosen for it without Jupyter, and beside the Jupyter extension (the third
 * vscode-tier run) by "CodeAct: Use CodeAct Python Kernel", as a user there would; `kernel:
 * 'default'` leaves the choice to VS Code and the kernel extensions.
 */
export async function createNotebook(name: string, sources: string[], options: { kernel?: 'codeact' | 'default' } = {}): Promise<vscode.NotebookDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the tests need a workspace folder');
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source }));
  const ipynb = { cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 };
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder.uri, name), Buffer.from(JSON.stringify(ipynb, null, 1)));
  const notebook = await openWorkspaceNotebook(name);
  if ((options.kernel ?? 'codeact') === 'codeact' && vscode.extensions.getExtension(JUPYTER_EXTENSION_ID)) {
    const api = await activateCodeAct();
    await vscode.commands.executeCommand('codeact.useOwnKernel', notebook.uri);
    await waitFor('CodeAct Python to be selected for the notebook', () => api.kernels.controller.isSelectedFor(notebook) || undefined);
  }
  return notebook;
}

let actionCounter = 0;
/** A fresh marker for an agent cell. */
export function marker(conversationId = 'test-conversation'): { conversationId: string; actionId: string } {
  actionCounter += 1;
  return { conversationId, actionId: `action-${Date.now()}-${actionCounter}` };
}

export function streamText(outputs: readonly { kind: string; name?: string; text?: string }[], name = 'stdout'): string {
  return outputs.filter((o) => o.kind === 'stream' && o.name === name).map((o) => o.text ?? '').join('');
}

/** The current chat's transcript, as the webview would show it. */
export function chatEntries(api: CodeActApi): readonly TranscriptEntry[] {
  return api.chat.currentSession.snapshot({ notebook: undefined, kernel: undefined, model: '' }, [], true).entries;
}

/** The current chat's code actions, oldest first. */
export function chatActions(api: CodeActApi): ActionEntry[] {
  return chatEntries(api).filter((entry): entry is ActionEntry => entry.kind === 'action');
}

/** Everything a cell's outputs show, as text (images as their bytes decoded, which is fine for matching). */
export function cellText(cell: vscode.NotebookCell): string {
  const decoder = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items).map((item) => decoder.decode(item.data)).join('\n');
}

/** Starts the scripted model server and points CodeAct's OpenAI-compatible provider at it. */
export async function useScriptedModel(): Promise<ScriptedModelServer> {
  const model = await startScriptedModelServer();
  const codeact = vscode.workspace.getConfiguration('codeact');
  await codeact.update('baseUrl', model.baseUrl, vscode.ConfigurationTarget.Global);
  await codeact.update('model', 'scripted-model', vscode.ConfigurationTarget.Global);
  return model;
}

/** Appends a cell of the user's (no CodeAct marker) and runs it as the Run button would. */
export async function runUserCell(
  notebook: vscode.NotebookDocument,
  code: string,
  options: { waitForStart?: boolean } = {},
): Promise<{ cell: vscode.NotebookCell; done: Thenable<unknown> }> {
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(notebook.cellCount, [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, code, 'python')])]);
  await vscode.workspace.applyEdit(edit);
  const cell = notebook.cellAt(notebook.cellCount - 1);
  const done = vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: notebook.uri });
  // The code prints first: its output means the kernel is running it.
  if (options.waitForStart !== false) await waitFor('the user cell to start', () => cell.outputs.length > 0 || undefined);
  return { cell, done };
}

/** Every line of the extension host logs under a VS Code logs folder (all sessions, all hosts). */
export function extensionHostLogLines(logsFolder: string): string[] {
  const files = readdirSync(logsFolder, { recursive: true, encoding: 'utf8' }).filter((path) => /exthost[^/]*\.log$/i.test(path));
  return files.flatMap((path) => readFileSync(join(logsFolder, path), 'utf8').split('\n'));
}

/** The cells CodeAct's actions wrote into a notebook, in notebook order. */
export function agentCells(notebook: vscode.NotebookDocument): vscode.NotebookCell[] {
  return notebook.getCells().filter((cell) => agentCellMarker(cell) !== undefined);
}
