import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { Disposable } from '../../platform/lifecycle';
import { Logger } from '../../platform/logger';
import { KernelInfo, PythonKernelProcess } from '../pythonKernelProcess';
import { KernelStartError } from '../kernelStartError';
import { resolveInterpreter } from './pythonInterpreter';

/** A running kernel and what it runs on, for the chat header and the log. */
export interface KernelSession {
  readonly kernel: PythonKernelProcess;
  readonly info: KernelInfo;
  readonly pythonPath: string;
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

  /** Restarts the kernel (a fresh one if it died); variables are gone afterwards. */
  async restart(notebook: vscode.NotebookDocument): Promise<KernelSession> {
    const session = await this.peek(notebook)?.catch(() => undefined);
    if (!session) return this.get(notebook);
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

  override dispose(): void {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of all) {
      void session.then((started) => started.kernel.dispose(), () => undefined);
    }
    super.dispose();
  }

  private async start(notebook: vscode.NotebookDocument): Promise<KernelSession> {
    const interpreter = await resolveInterpreter(notebook.uri);
    const cwd = notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.logger.info('Kernel', `starting an ipykernel with ${interpreter.path} (from ${interpreter.source}) for ${notebook.uri.path}`);
    const kernel = new PythonKernelProcess({
      pythonPath: interpreter.path,
      bridgePath: this.bridgePath,
      ...(cwd ? { cwd } : {}),
      log: (level, message) => (level === 'error' ? this.logger.error('Kernel', message) : this.logger.debug('Kernel', message)),
    });
    try {
      const info = await kernel.start();
      kernel.onDidDie(() => {
        this.logger.warn('Kernel', `the kernel of ${notebook.uri.path} died`);
        this.onDidChangeEmitter.fire(notebook);
      });
      this.logger.info('Kernel', `kernel ready: ${info.implementation}, Python ${info.pythonVersion}, pid ${info.pid}`);
      this.onDidChangeEmitter.fire(notebook);
      return { kernel, info, pythonPath: interpreter.path };
    } catch (error) {
      await kernel.dispose();
      if (error instanceof KernelStartError) this.logger.error('Kernel', error.message);
      throw error;
    }
  }
}
