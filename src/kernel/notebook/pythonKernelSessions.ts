import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { Disposable } from '../../platform/lifecycle';
import { Logger } from '../../platform/logger';
import type { KernelConnection, KernelInfo } from '../kernelConnection';
import { activatedEnvironment } from '../interpreterEnvironment';
import { KernelStartError } from '../kernelStartError';
import { PythonKernelProcess } from '../pythonKernelProcess';
import { jupyterTokenSecret, parseJupyterServerUrl } from '../remote/jupyterServerUrl';
import { RemoteKernelConnection } from '../remote/remoteKernelConnection';
import { readSettings } from '../../platform/settings';
import { resolveInterpreter } from './pythonInterpreter';

/** The SecretStorage key of the Jupyter Server token. */

/** A running kernel and what it runs on, for the chat header and the log. */
export interface KernelSession {
  readonly kernel: KernelConnection;
  readonly info: KernelInfo;
  /** Where the kernel runs: an interpreter path, or the Jupyter Server's URL. */
  readonly location: string;
  readonly remote: boolean;
}

/** Where a local kernel for the notebook starts: the notebook's folder, as Jupyter's do. */
export function localKernelFolder(notebook: vscode.Uri | undefined): string | undefined {
  return notebook?.scheme === 'file' ? dirname(notebook.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/**
 * One ipykernel process per notebook for the "CodeAct Python" controller. A kernel starts on
 * the first execution, is shut down when its notebook closes or the extension deactivates,
 * and can be restarted after it died.
 */
export class PythonKernelSessions extends Disposable {
  private readonly sessions = new Map<string, Promise<KernelSession>>();
  private readonly onDidChangeEmitter = this._register(new vscode.EventEmitter<vscode.NotebookDocument>());
  /** Fires when a notebook's kernel starts, dies, restarts or shuts down. */
  readonly onDidChange = this.onDidChangeEmitter.event;

  constructor(
    private readonly bridgePath: string,
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger,
  ) {
    super();
    this._register(vscode.workspace.onDidCloseNotebookDocument((notebook) => void this.shutdown(notebook)));
  }

  /** The notebook's kernel, started on first use. Rejects with a KernelStartError. */
  get(notebook: vscode.NotebookDocument): Promise<KernelSession> {
    const key = notebook.uri.toString();
    const existing = this.sessions.get(key);
    if (existing) return existing;
    const starting = this.start(notebook);
    this.sessions.set(key, starting);
    // A failed start is not cached: the next run tries again (after the user fixed it).
    starting.catch(() => {
      if (this.sessions.get(key) === starting) this.sessions.delete(key);
    });
    return starting;
  }

  /** The notebook's kernel if one is running or starting; never starts one. */
  peek(notebook: vscode.NotebookDocument): Promise<KernelSession> | undefined {
    return this.sessions.get(notebook.uri.toString());
  }

  async interrupt(notebook: vscode.NotebookDocument): Promise<void> {
    const session = await this.peek(notebook)?.catch(() => undefined);
    session?.kernel.interrupt();
  }

  /**
   * Restarts the kernel (a fresh one if it died); variables are gone afterwards. When the user
   * chose another Python or Jupyter Server since it started, the new kernel runs there.
   */
  async restart(notebook: vscode.NotebookDocument): Promise<KernelSession> {
    const session = await this.peek(notebook)?.catch(() => undefined);
    if (!session) return this.get(notebook);
    const wanted = await this.wantedLocation(notebook).catch(() => session.location);
    if (wanted !== session.location) {
      this.logger.info('Kernel', `the kernel of ${notebook.uri.path} now runs on ${wanted} (was ${session.location}): starting a new one`);
      await this.shutdown(notebook);
      return this.get(notebook);
    }
    const info = await session.kernel.restart();
    const restarted: KernelSession = { ...session, info };
    this.sessions.set(notebook.uri.toString(), Promise.resolve(restarted));
    this.logger.info('Kernel', `restarted the kernel of ${notebook.uri.path} (pid ${info.pid})`);
    this.onDidChangeEmitter.fire(notebook);
    return restarted;
  }

  async shutdown(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    const started = await session.catch(() => undefined);
    if (started) {
      await started.kernel.dispose();
      this.logger.info('Kernel', `shut down the kernel of ${notebook.uri.path}`);
      this.onDidChangeEmitter.fire(notebook);
    }
  }

  /** Shuts every kernel down (e.g. after switching between local and a Jupyter Server). */
  async shutdownAll(): Promise<void> {
    const notebooks = vscode.workspace.notebookDocuments.filter((n) => this.sessions.has(n.uri.toString()));
    await Promise.all(notebooks.map((notebook) => this.shutdown(notebook)));
  }

  /** Shuts every kernel down and waits until they are (a remote one is shut down on its server). */
  async disposeKernels(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((session) => session.then((started) => started.kernel.dispose(), () => undefined)));
  }

  override dispose(): void {
    void this.disposeKernels();
    super.dispose();
  }

  /** Where a kernel started now for this notebook would run (KernelSession.location). */
  private async wantedLocation(notebook: vscode.NotebookDocument): Promise<string> {
    const serverUrl = readSettings(notebook.uri).jupyterServerUrl;
    if (!serverUrl) return (await resolveInterpreter(notebook.uri)).path;
    const parsed = parseJupyterServerUrl(serverUrl, undefined);
    return parsed.ok ? parsed.address.baseUrl : serverUrl;
  }

  private async start(notebook: vscode.NotebookDocument): Promise<KernelSession> {
    // A kernel imports modules from the notebook's folder: in Restricted Mode none starts,
    // whoever asks (a cell, an action, "Restart Kernel").
    if (!vscode.workspace.isTrusted) {
      throw new KernelStartError('untrusted', vscode.l10n.t('CodeAct does not start kernels in an untrusted workspace, because a kernel runs code from the folder. Trust the folder to run code.'), '');
    }
    const serverUrl = readSettings(notebook.uri).jupyterServerUrl;
    const { kernel, location, remote } = serverUrl ? await this.remoteKernel(serverUrl) : await this.localKernel(notebook);
    try {
      const info = await kernel.start();
      kernel.onDidDie(() => {
        this.logger.warn('Kernel', `the kernel of ${notebook.uri.path} died`);
        this.onDidChangeEmitter.fire(notebook);
      });
      this.logger.info('Kernel', `kernel ready on ${location}: ${info.implementation}, Python ${info.pythonVersion}`);
      this.onDidChangeEmitter.fire(notebook);
      return { kernel, info, location, remote };
    } catch (error) {
      await kernel.dispose();
      if (error instanceof KernelStartError) this.logger.error('Kernel', error.message);
      throw error;
    }
  }

  private async localKernel(notebook: vscode.NotebookDocument): Promise<{ kernel: KernelConnection; location: string; remote: boolean }> {
    const interpreter = await resolveInterpreter(notebook.uri);
    const cwd = localKernelFolder(notebook.uri);
    this.logger.info('Kernel', `starting an ipykernel with ${interpreter.path} (from ${interpreter.source}) for ${notebook.uri.path}`);
    const kernel = new PythonKernelProcess({
      pythonPath: interpreter.path,
      bridgePath: this.bridgePath,
      env: activatedEnvironment(interpreter.path, process.env),
      ...(cwd ? { cwd } : {}),
      log: (level, message) => (level === 'error' ? this.logger.error('Kernel', message) : this.logger.debug('Kernel', message)),
    });
    return { kernel, location: interpreter.path, remote: false };
  }

  private async remoteKernel(serverUrl: string): Promise<{ kernel: KernelConnection; location: string; remote: boolean }> {
    const token = (await this.secrets.get(jupyterTokenSecret(serverUrl))) ?? '';
    const parsed = parseJupyterServerUrl(serverUrl, token || undefined);
    if (!parsed.ok) throw new KernelStartError('serverError', `The Jupyter Server URL in codeact.jupyterServerUrl is not usable: ${parsed.error}`, '');
    this.logger.info('Kernel', `starting a kernel on the Jupyter Server at ${parsed.address.baseUrl}`);
    const kernel = new RemoteKernelConnection({
      server: parsed.address,
      log: (level, message) => (level === 'error' ? this.logger.error('Kernel', message) : this.logger.debug('Kernel', message)),
    });
    return { kernel, location: parsed.address.baseUrl, remote: true };
  }
}
