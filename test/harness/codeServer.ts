// Starts code-server (a real VS Code: workbench in the browser, extension host in Node) for
// tests and for `npm start`. Installation is scripts/install-code-server.mjs.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageFixtureExtension } from './fixtureExtensions';
import { repoRoot } from './repoRoot';


export { repoRoot } from './repoRoot';

const CODE_SERVER_VERSION = '4.100.3';
const entryPoint = join(repoRoot, '.cache', `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export interface CodeServerOptions {
  /** The folder opened as the workspace. */
  readonly workspace: string;
  /** User settings written to a fresh user-data-dir. */
  readonly userSettings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host. */
  readonly env?: Record<string, string>;
  /** Fixed port; a free one is picked when absent. */
  readonly port?: number;
  /** Prints the server's output as it comes. */
  readonly echo?: boolean;
  /** Where VS Code's logs (the extension's output channel included) are copied on stop. */
  readonly keepLogsIn?: string;
  /** Test fixture extensions (test/fixtures/<name>) installed next to CodeAct. */
  readonly fixtureExtensions?: readonly string[];
  /** Opens the workspace in Restricted Mode (workspace trust on, the folder not trusted). */
  readonly untrusted?: boolean;
}

export interface CodeServer {
  readonly port: number;
  readonly baseUrl: string;
  readonly userDataDir: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Installs code-server into the ignored cache folder if it is not there yet. */
export function ensureCodeServerInstalled(): void {
  if (existsSync(join(repoRoot, '.cache', `code-server-${CODE_SERVER_VERSION}`, '.installed'))) return;
  execFileSync('node', [join(repoRoot, 'scripts', 'install-code-server.mjs')], { stdio: 'inherit' });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  ensureCodeServerInstalled();
  const port = options.port ?? (await freePort());
  const userDataDir = mkdtempSync(join(tmpdir(), 'codeact-user-'));
  const extensionsDir = mkdtempSync(join(tmpdir(), 'codeact-exts-'));
  // code-server is a remote window: machine-scoped settings (the interpreter path) count only
  // in the remote machine's settings, so the same settings go there too.
  const settings = { ...options.userSettings, ...(options.untrusted ? UNTRUSTED_SETTINGS : {}) };
  for (const scope of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, scope), { recursive: true });
    writeFileSync(join(userDataDir, scope, 'settings.json'), JSON.stringify(settings, null, 2));
  }
  const fixtures = (options.fixtureExtensions ?? []).map((name) => stageFixtureExtension(name, extensionsDir));
  const proposedApiArgs = fixtures.filter((fixture) => fixture.apiProposals.length > 0).flatMap((fixture) => ['--enable-proposed-api', fixture.id]);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      entryPoint,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      ...proposedApiArgs,
      options.workspace,
    ],
    {
      // The suite reads the extension host's own log (what VS Code warns about CodeAct).
      env: { ...withoutModelCredentials(process.env), CODEACT_TEST_VSCODE_LOGS: join(userDataDir, 'logs'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (options.echo) process.stdout.write(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      if (output.includes('HTTP server listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${String(code)} before listening:\n${output}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return removeProfile();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // The whole process group: the server, its extension hosts and their kernels.
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000));
    await Promise.race([exited, timeout]);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    removeProfile();
  };
  // The profile folders are per run: keep only the logs (what a failed run needs), not 100 MB
  // of temp folders per run.
  const removeProfile = (): void => {
    if (options.keepLogsIn && existsSync(join(userDataDir, 'logs'))) {
      rmSync(options.keepLogsIn, { recursive: true, force: true });
      cpSync(join(userDataDir, 'logs'), options.keepLogsIn, { recursive: true });
    }
    rmSync(userDataDir, { recursive: true, force: true });
    rmSync(extensionsDir, { recursive: true, force: true });
  };
  return { port, baseUrl: `http://127.0.0.1:${port}`, userDataDir, output: () => output, stop };
}

/**
 * The environment without a developer's own model credentials: CodeAct honours OPENAI_API_KEY
 * and OPENAI_BASE_URL, and tests must behave the same on every machine (and never send a key).
 */
function withoutModelCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { OPENAI_API_KEY: _key, OPENAI_BASE_URL: _url, ...rest } = env;
  return rest;
}

/** Workspace trust on, and the folder left untrusted without a prompt: Restricted Mode. */
export const UNTRUSTED_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.untrustedFiles': 'open',
};

/** The settings every test and demo workbench starts with: quiet, no tours, no telemetry. */
export function quietWorkbenchSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'security.workspace.trust.enabled': false,
    'notebook.confirmDeleteRunningCell': false,
    'files.autoSave': 'off',
    'chat.commandCenter.enabled': false,
    'codeact.pythonPath': '/usr/bin/python3',
    ...extra,
  };
}

/** The workbench URL that loads our extension for development (and optionally tests). */
export function workbenchUrl(server: CodeServer, workspace: string, extras: { testsPath?: string } = {}): string {
  const remote = (path: string): string => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['skipWelcome', 'true'],
  ];
  if (extras.testsPath) payload.push(['extensionTestsPath', remote(extras.testsPath)]);
  return `${server.baseUrl}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
