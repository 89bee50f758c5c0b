import * as vscode from 'vscode';
import { fromCellOutputs } from '../kernel/notebook/cellOutputs';
import { stripAnsi } from '../kernel/observation';

const MAX_CODE_CHARS = 8_000;
const MAX_ERROR_CHARS = 3_000;

function fence(text: string, language = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${language}\n${text}\n${ticks}`;
}

function capped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

/** The message "Ask CodeAct about this cell" sends: the cell's code and its error, if any. */
export function askAboutCellMessage(cell: vscode.NotebookCell): string {
  const code = capped(cell.document.getText(), MAX_CODE_CHARS);
  const error = fromCellOutputs(cell.outputs).find((output) => output.kind === 'error');
  const parts = [`Help me with cell ${cell.index + 1} of ${cell.notebook.uri.path.split('/').pop() ?? 'the notebook'}:`, fence(code, 'python')];
  if (error?.kind === 'error') {
    const traceback = stripAnsi(error.traceback.join('\n')) || `${error.ename}: ${error.evalue}`;
    parts.push('It fails with:', fence(capped(traceback, MAX_ERROR_CHARS)), 'Why, and how do I fix it?');
  } else {
    parts.push('Explain what it does and suggest improvements.');
  }
  return parts.join('\n\n');
}

/** The message "Debug this script with CodeAct" sends. */
export function debugScriptMessage(uri: vscode.Uri, source: string): string {
  const path = vscode.workspace.asRelativePath(uri);
  return [
    `Debug the script \`${path}\` (full path: ${uri.fsPath}). Run it, find why it fails, and fix it.`,
    fence(capped(source, MAX_CODE_CHARS), 'python'),
  ].join('\n\n');
}
