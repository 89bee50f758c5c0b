#!/usr/bin/env node
// `npm start`: installs what is missing, builds, and runs a real VS Code (code-server) on
// 127.0.0.1 with CodeAct loaded and a demo workspace (a sample notebook and a small CSV).
//   CODEACT_PORT=8080   the port (default 8080)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCodeServer, entryPoint } from './install-code-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache');
const port = Number(process.env.CODEACT_PORT ?? 8080);
const log = (message) => console.log(`[start] ${message}`);

function missingSystemPackages() {
  const wanted = readFileSync(join(root, 'scripts', 'system-packages.txt'), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && l !== 'chromium');
  return wanted.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !(result.stdout ?? '').includes('install ok installed');
  });
}

function ensureSystemPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    log('not a Debian system: make sure python3 with ipykernel, ripgrep and kerberos headers are installed');
    return;
  }
  const missing = missingSystemPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
  log(`installing ${missing.join(' ')}`);
  execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The interpreter for the demo: the first one that has ipykernel. */
function pythonWithIpykernel() {
  for (const candidate of ['/usr/bin/python3', 'python3', 'python']) {
    const result = spawnSync(candidate, ['-c', 'import ipykernel'], { stdio: 'ignore' });
    if (result.status === 0) return candidate;
  }
  return '';
}

function main() {
  ensureSystemPackages();
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    log('installing npm packages');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
  installCodeServer();
  log('building');
  execFileSync('node', ['esbuild.config.mjs'], { cwd: root, stdio: 'inherit' });

  const workspace = join(cache, 'demo-workspace');
  if (!existsSync(workspace)) cpSync(join(root, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });

  // The extension is loaded as an installed extension that points at this checkout, so it is
  // there however the workbench is opened (a reload, a new window).
  const extensionsDir = join(cache, 'demo-extensions');
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(extensionsDir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  symlinkSync(root, join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

  const userDataDir = join(cache, 'demo-user-data');
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settingsFile)) {
    mkdirSync(dirname(settingsFile), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      // The demo folder sits inside this repository: don't offer to open the repository.
      'git.openRepositoryInParentFolders': 'never',
    }, null, 2));
  }
  // code-server is a remote window: the interpreter (a machine setting) belongs in the
  // remote machine's settings.
  const machineSettings = join(userDataDir, 'Machine', 'settings.json');
  const python = pythonWithIpykernel();
  if (!existsSync(machineSettings) && python) {
    mkdirSync(dirname(machineSettings), { recursive: true });
    writeFileSync(machineSettings, JSON.stringify({ 'codeact.pythonPath': python }, null, 2));
  }

  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const server = spawn(process.execPath, [
    entryPoint, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
    '--disable-update-check', '--disable-getting-started-override',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, workspace,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  server.stdout.on('data', (chunk) => {
    const text = chunk.toString();
    if (text.includes('HTTP server listening')) {
      log(`VS Code with CodeAct is running: open ${url}`);
      log('Click the CodeAct icon in the activity bar, run "CodeAct: Set API Key" (or set codeact.baseUrl to a local server), and ask away. Ctrl+C stops.');
    }
  });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.on('exit', (code) => process.exit(code ?? 0));
}

main();
