/**
 * The risky-code check's implementation: `python/codeact_risk_check.py`, a long-lived helper
 * run by the kernel's interpreter, so IPython syntax is expanded by the same IPython that will
 * run it. One process serves every check (starting IPython takes a fraction of a second; a
 * check takes milliseconds). It fails closed: a helper that cannot start, exits, or does not
 * answer in time rejects, and {@link analyzeFailingClosed} turns that into a finding that asks.
 * No `vscode` import.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { type RiskAnalyzer, type RiskCheckPlace, type RiskFinding, isRiskFinding } from '../agent/riskAnalyzer';
import { JsonLinesDecoder } from './jsonLinesDecoder';
import type { KernelLogSink } from './kernelConnection';

export interface RiskCheckProcessOptions {
  /** The kernel's interpreter (resolved when the first check starts the helper). */
  readonly pythonPath: () => string | Promise<string>;
  /** Absolute path of `codeact_risk_check.py` (in the extension: `dist/python/`). */
  readonly scriptPath: string;
  /** How long the helper may take to start (import IPython). Default 20 s. */
  readonly startTimeoutMs?: number;
  /** How long one check may take once started. Default 3 s. */
  readonly checkTimeoutMs?: number;
  readonly log?: KernelLogSink;
}

interface Pending {
  readonly resolve: (findings: RiskFinding[]) => void;
  readonly reject: (error: Error) => void;
}

interface Helper {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly ready: Promise<void>;
}

export class RiskCheckProcess implements RiskAnalyzer {
  private helper: Helper | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;

  constructor(private readonly options: RiskCheckProcessOptions) {}

  async analyze(code: string, place: RiskCheckPlace, signal?: AbortSignal): Promise<RiskFinding[]> {
    if (this.disposed) throw new Error('the check was shut down');
    const helper = this.helper ?? (this.helper = await this.start());
    await helper.ready;
    const id = this.nextId++;
    return new Promise<RiskFinding[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer within ${String(this.options.checkTimeoutMs ?? 3000)} ms`));
        // A helper that hangs on one cell would hang on the next: start a new one then.
        this.stop(helper, 'it stopped answering');
      }, this.options.checkTimeoutMs ?? 3000);
      const onAbort = (): void => {
        settle();
        reject(new Error('the check was cancelled'));
      };
      const settle = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (findings) => {
          settle();
          resolve(findings);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      const request = { id, code, folder: place.folder ?? null, cwd: place.workingFolder ?? null, cwdUnknown: place.workingFolderUnknown ?? null };
      helper.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Stops the helper; later checks reject (and so ask). */
  dispose(): void {
    this.disposed = true;
    if (this.helper) this.stop(this.helper, 'the check was shut down');
  }

  private async start(): Promise<Helper> {
    const python = await this.options.pythonPath();
    const child = spawn(python, [this.options.scriptPath], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    let markReady: () => void = () => undefined;
    let failReady: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Callers await `ready`; this keeps a failed start from also being an unhandled rejection.
    ready.catch(() => undefined);
    const helper: Helper = { child, ready };
    const startTimer = setTimeout(() => this.stop(helper, `it did not start within ${String(this.options.startTimeoutMs ?? 20_000)} ms`), this.options.startTimeoutMs ?? 20_000);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    child.stdin.on('error', () => undefined);
    const decoder = new JsonLinesDecoder((value) => {
      if (typeof value !== 'object' || value === null) return;
      const message = value as Record<string, unknown>;
      if (message.ready === true) {
        clearTimeout(startTimer);
        markReady();
      } else if (typeof message.id === 'number') {
        const waiter = this.pending.get(message.id);
        if (!waiter) return;
        const findings = message.findings;
        if (Array.isArray(findings) && findings.every(isRiskFinding)) waiter.resolve(findings);
        else waiter.reject(new Error(typeof message.error === 'string' ? message.error : 'the check sent an answer it could not read'));
      } else if (typeof message.error === 'string') {
        failReady(new Error(message.error));
      }
    });
    child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk));
    child.once('error', (error) => this.stop(helper, `${python} could not be started (${error.message})`));
    child.once('close', (code) => {
      clearTimeout(startTimer);
      const detail = stderr.trim().split('\n').slice(-1)[0];
      this.stop(helper, `the check exited (code ${String(code)})${detail ? `: ${detail}` : ''}`);
    });
    child.once('spawn', () => this.options.log?.('debug', `risky-code check started with ${python}`));
    ready.then(
      () => undefined,
      (error: Error) => this.stop(helper, error.message),
    );
    this.stopReasons.set(helper, failReady);
    return helper;
  }

  private readonly stopReasons = new WeakMap<Helper, (error: Error) => void>();

  /** Ends a helper and everything waiting on it; the next check starts a new one. */
  private stop(helper: Helper, why: string): void {
    this.stopReasons.get(helper)?.(new Error(why));
    if (this.helper === helper) {
      this.helper = undefined;
      for (const waiter of [...this.pending.values()]) waiter.reject(new Error(why));
      this.options.log?.('warn', `risky-code check stopped: ${why}`);
    }
    if (helper.child.exitCode === null && helper.child.signalCode === null) helper.child.kill();
  }
}
