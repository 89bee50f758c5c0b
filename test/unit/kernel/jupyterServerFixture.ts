/**
 * A real Jupyter Server on 127.0.0.1 for the remote-kernel tests: a free port, a random
 * token, a throwaway root, runtime and config directory (so the user's Jupyter setup neither
 * leaks in nor gets written to). {@link JupyterServerFixture.stop} leaves no server and no
 * kernel behind. Set CODEACT_TEST_JUPYTER_SERVER to use another `jupyter-server` executable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../harness/codeServer';

const JUPYTER_SERVER = process.env.CODEACT_TEST_JUPYTER_SERVER ?? '/usr/bin/jupyter-server';

export interface JupyterServerFixture {
  readonly baseUrl: string;
  readonly token: string;
  /** The server's root folder (its kernels start there). */
  readonly rootDir: string;
  /** GET with the token; the parsed JSON body. */
  get(path: string): Promise<unknown>;
  /** The ids of the kernels the server runs. */
  kernelIds(): Promise<string[]>;
  /** Stops the server and kills anything it started. */
  stop(): Promise<void>;
}

export async function startJupyterServer(options: { extraArgs?: readonly string[] } = {}): Promise<JupyterServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'codeact-jupyter-'));
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const baseUrl = `http://127.0.0.1:${port}/`;
  const args = [
    '--no-browser',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${dir}`,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(JUPYTER_SERVER, args, {
    // Started in its root, as `jupyter server` usually is: kernels started without a path run
    // in the server's own working directory.
    cwd: dir,
    // Its own process group, so stop() can end the server and anything it spawned at once.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), JUPYTER_CONFIG_DIR: join(dir, 'config') },
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
    if (process.env.CODEACT_TEST_JUPYTER_LOG) process.stdout.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `token ${token}` } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  };
  const fixture: JupyterServerFixture = {
    baseUrl,
    token,
    rootDir: dir,
    get,
    kernelIds: async () => {
      const kernels = await get('api/kernels');
      return Array.isArray(kernels) ? kernels.map((k: unknown) => (typeof k === 'object' && k !== null && 'id' in k ? String(k.id) : '')) : [];
    },
    stop: async () => {
      await stopProcessGroup(child, exited);
      killStragglers(join(dir, 'runtime'));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await fixture.stop();
      throw new Error(`jupyter-server exited before it answered:\n${output}`);
    }
    try {
      await get('api/status');
      return fixture;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await fixture.stop();
      throw new Error(`jupyter-server did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM (the server shuts its kernels down), then SIGKILL for the whole group. */
async function stopProcessGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 8000))]);
  if (!stopped) {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Kernels run in their own sessions (jupyter_client starts them so), outside the server's
 * process group; any still alive is found by its connection file in our runtime directory.
 */
function killStragglers(runtimeDir: string): void {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return; // No /proc: ipykernel's parent poller ends orphans on its own.
  }
  for (const pid of pids) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(runtimeDir)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
