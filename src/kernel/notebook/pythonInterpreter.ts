import * as vscode from 'vscode';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import { spawnSync } from 'node:child_process';
import { readSettings } from '../../platform/settings';

/** Where the interpreter came from, shown to the user and in the log. */
export type InterpreterSource = 'pythonExtension' | 'setting' | 'path';

export interface ResolvedInterpreter {
  readonly path: string;
  readonly source: InterpreterSource;
}

/**
 * The interpreter the user selected: the Python extension's active environment when that
 * extension is installed, else the `codeact.pythonPath` setting, else python3/python on PATH.
 */
export async function resolveInterpreter(resource?: vscode.Uri): Promise<ResolvedInterpreter> {
  const resolved = await findInterpreter(resource);
  resolvedPaths.add(resolved.path);
  return resolved;
}

/** Interpreters this window resolved for a kernel: the only ones "Install ipykernel" runs. */
const resolvedPaths = new Set<string>();

/**
 * Whether CodeAct itself chose this interpreter. A command's arguments can come from anywhere
 * (another extension, a link), and installing runs the executable it names.
 */
export function isResolvedInterpreter(path: string): boolean {
  return resolvedPaths.has(path);
}

async function findInterpreter(resource?: vscode.Uri): Promise<ResolvedInterpreter> {
  const fromExtension = await interpreterFromPythonExtension(resource);
  if (fromExtension) return { path: fromExtension, source: 'pythonExtension' };
  const configured = readSettings(resource).pythonPath;
  if (configured) return { path: configured, source: 'setting' };
  for (const candidate of ['python3', 'python']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0) return { path: candidate, source: 'path' };
  }
  return { path: 'python3', source: 'path' };
}

async function interpreterFromPythonExtension(resource?: vscode.Uri): Promise<string | undefined> {
  // Optional partner: without the Python extension we fall back to the setting and PATH.
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? active.path;
  } catch {
    return undefined;
  }
}
