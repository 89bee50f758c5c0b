#!/usr/bin/env node
// Installs code-server (a real VS Code whose extension host runs in Node) into an ignored cache
// folder, offline-safe: its own postinstall downloads things, so scripts are off and its steps
// are done here by hand. See ../shared/notes/real-vscode-offline.md for why each step exists.
// Idempotent: a finished install leaves a marker file and is not repeated.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, symlinkSync, rmSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const installDir = join(root, '.cache', `code-server-${CODE_SERVER_VERSION}`);
export const entryPoint = join(installDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = join(installDir, '.installed');

function run(cmd, args, cwd, env = {}) {
  console.log(`[install-code-server] ${cmd} ${args.join(' ')}  (in ${cwd})`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
}

// Which install scripts run, declared in each folder's package.json (`allowScripts`), so npm 11
// prints no "install scripts not yet covered by allowScripts" warning and npm 12, which skips
// undeclared ones, still builds the native modules. `false`: the script fails offline or is for
// another platform; its step is done here by hand or not needed.
const CODE_SERVER_SCRIPTS = { argon2: true, 'code-server': false };
const VSCODE_SCRIPTS = {
  kerberos: true,
  'node-pty': true,
  '@parcel/watcher': true,
  '@vscode/spdlog': true,
  'native-watchdog': true,
  '@vscode/deviceid': true,
  // Downloads ripgrep: Debian's rg is copied in instead.
  '@vscode/ripgrep': false,
  '@vscode/windows-process-tree': false,
  '@vscode/windows-registry': false,
};

function declareInstallScripts(dir, decisions) {
  const file = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, `${JSON.stringify({ ...manifest, allowScripts: decisions }, null, 2)}\n`);
}

const allowed = (decisions) => Object.keys(decisions).filter((name) => decisions[name]);

function findRipgrep() {
  for (const candidate of ['/usr/bin/rg', '/usr/local/bin/rg']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('ripgrep (rg) is missing: install it first (Debian: apt-get install ripgrep).');
}

export function installCodeServer() {
  if (existsSync(marker)) return;
  const rg = findRipgrep();
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true, allowScripts: CODE_SERVER_SCRIPTS }));
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], installDir);
  run('npm', ['rebuild', ...allowed(CODE_SERVER_SCRIPTS)], installDir);
  const vscodeDir = join(installDir, 'node_modules', 'code-server', 'lib', 'vscode');
  declareInstallScripts(vscodeDir, VSCODE_SCRIPTS);
  run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts'], vscodeDir);
  run('npm', ['rebuild', ...allowed(VSCODE_SCRIPTS)], vscodeDir, { npm_config_yes: 'true' });
  const rgTarget = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  mkdirSync(dirname(rgTarget), { recursive: true });
  copyFileSync(rg, rgTarget);
  chmodSync(rgTarget, 0o755);
  const asar = join(vscodeDir, 'node_modules.asar');
  if (!existsSync(asar)) symlinkSync('node_modules', asar);
  writeFileSync(marker, new Date().toISOString());
  console.log(`[install-code-server] code-server ${CODE_SERVER_VERSION} ready in ${installDir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  installCodeServer();
}
