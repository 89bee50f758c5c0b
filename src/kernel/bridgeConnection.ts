/**
 * One running `codeact_kernel_bridge.py` process: spawns it, turns its stdout into
 * {@link BridgeEvent}s, writes commands, and makes sure that when it is closed neither the
 * bridge nor its kernel outlives it.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { parseBridgeEvent, type BridgeCommand, type BridgeEvent } from './bridgeProtocol';
import { JsonLinesDecoder } from './jsonLinesDecoder';
import type { KernelLogSink } from './kernelConnection';

export type { KernelLogLevel, KernelLogSink } from './kernelConnection';

export interface BridgeSpawnOptions {
  readonly pythonPath: string;
  readonly bridgePath: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly log: KernelLogSink;
}

/** How the bridge process ended. `spawnErrorCode` is set when it never ran (e.g. ENOENT). */
export interface BridgeExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly spawnErrorCode?: string;
}

/** Keeps the end of stderr for error messages without holding all of it. */
const STDERR_TAIL_CHARS = 4000;

export class BridgeConnection {
  /** Resolves once the bridge process is gone (or failed to spawn). */
  readonly exited: Promise<BridgeExit>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private exit: BridgeExit | undefined;
  private stderrTail = '';
  private kernelPidValue: number | undefined;

  constructor(
    private readonly options: BridgeSpawnOptions,
    private readonly onEvent: (event: BridgeEvent) => void,
  ) {
    this.child = spawn(options.pythonPath, [options.bridgePath], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        // 'error' without 'exit' means the process never started.
        if (this.child.pid === undefined) this.markExited({ code: null, signal: null, spawnErrorCode: error.code ?? 'UNKNOWN' }, resolve);
        else options.log('warn', `kernel bridge: ${error.message}`);
      });
      this.child.once('close', (code, signal) => {
        // A bridge that crashed or was killed cannot shut its kernel down: do it here.
        killKernelIfAlive(this.kernelPidValue);
        this.markExited({ code, signal }, resolve);
      });
    });
    const decoder = new JsonLinesDecoder(
      (value) => this.handleValue(value),
      (excerpt) => options.log('warn', `kernel bridge wrote a line that is not JSON: ${excerpt}`),
    );
    this.child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk));
    this.child.stdout.on('end', () => decoder.end());
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => this.handleStderr(text));
    // Writing after the bridge died raises EPIPE here; the exit is reported through `exited`.
    this.child.stdin.on('error', (error) => options.log('debug', `kernel bridge stdin: ${error.message}`));
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The kernel's process id once the bridge has launched it. */
  get kernelPid(): number | undefined {
    return this.kernelPidValue;
  }

  /** The last few thousand characters the bridge and kernel wrote to stderr. */
  get recentStderr(): string {
    return this.stderrTail;
  }

  send(command: BridgeCommand): void {
    if (this.exit || !this.child.stdin.writable) return;
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /**
   * Asks the bridge to shut its kernel down and exit; after `graceMs` kills both. Resolves
   * when no process is left.
   */
  async close(graceMs: number): Promise<void> {
    if (!this.exit) {
      this.send({ type: 'shutdown' });
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** Kills the bridge and its kernel at once (used when startup went wrong). */
  async kill(): Promise<void> {
    if (!this.exit) this.child.kill('SIGKILL');
    await this.exited;
  }

  private handleValue(value: unknown): void {
    const event = parseBridgeEvent(value);
    if (!event) {
      this.options.log('warn', 'kernel bridge sent an event this version does not know');
      return;
    }
    if (event.type === 'kernel_started' || event.type === 'ready') this.kernelPidValue = event.pid;
    this.onEvent(event);
  }

  private handleStderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    for (const line of text.split(/\r?\n/)) {
      if (line.trim()) this.options.log('debug', `kernel stderr: ${line}`);
    }
  }

  private markExited(exit: BridgeExit, resolve: (exit: BridgeExit) => void): void {
    if (this.exit) return;
    this.exit = exit;
    resolve(exit);
  }
}

/**
 * The bridge shuts its kernel down itself; this is the backstop for a bridge that was
 * killed first. On POSIX the kernel leads its own process group (jupyter_client starts it in
 * a new session), so the group is killed to take the code's own subprocesses with it.
 */
function killKernelIfAlive(pid: number | undefined): void {
  if (pid === undefined || !isProcessAlive(pid)) return;
  try {
    if (process.platform !== 'win32') process.kill(-pid, 'SIGKILL');
    else process.kill(pid);
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** True when a process with this id exists (signal 0 only checks). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
