/**
 * What a shell command line does beyond "runs a shell command": deletes or moves files,
 * installs packages, sends data out, changes the system, writes outside the working folder.
 * Used for `!cmd` lines, shell cell magics and the strings given to os.system / subprocess.
 *
 * A word-level reading of the command, not a shell parser: it splits at `;`, `&&`, `|`, `$(`
 * and line breaks and looks at each simple command's name and arguments.
 */
import { type RiskHit, isOutsideWorkingFolder, shown } from './riskTypes';

/** Commands that run the rest of the line as another command. */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'nohup', 'time', 'nice', 'command', 'exec', 'xargs', 'stdbuf', 'timeout', 'builtin']);

const DELETERS = new Set(['rm', 'rmdir', 'unlink', 'shred', 'srm', 'del', 'erase', 'rd', 'remove-item']);
const MOVERS = new Set(['mv', 'move', 'move-item']);
/** Commands that create or overwrite files at the paths they are given. */
const FILE_WRITERS = new Set(['cp', 'copy', 'copy-item', 'install', 'ln', 'mkdir', 'touch']);

/** Package managers and the subcommands that change what is installed. */
const INSTALLERS: Readonly<Record<string, { readonly install: readonly string[]; readonly uninstall: readonly string[] }>> = {
  pip: { install: ['install'], uninstall: ['uninstall'] },
  pipx: { install: ['install'], uninstall: ['uninstall'] },
  uv: { install: ['add', 'install'], uninstall: ['remove', 'uninstall'] }, // also `uv pip install`, see below
  conda: { install: ['install', 'create', 'update', 'upgrade'], uninstall: ['remove', 'uninstall'] },
  poetry: { install: ['add', 'install'], uninstall: ['remove'] },
  pipenv: { install: ['install'], uninstall: ['uninstall'] },
  apt: { install: ['install', 'upgrade'], uninstall: ['remove', 'purge'] },
  yum: { install: ['install', 'update', 'upgrade'], uninstall: ['remove', 'erase'] },
  apk: { install: ['add'], uninstall: ['del'] },
  brew: { install: ['install', 'upgrade'], uninstall: ['uninstall', 'remove'] },
  choco: { install: ['install', 'upgrade'], uninstall: ['uninstall'] },
  winget: { install: ['install', 'upgrade'], uninstall: ['uninstall'] },
  npm: { install: ['install', 'i', 'add'], uninstall: ['uninstall', 'remove', 'rm'] },
  yarn: { install: ['add', 'install'], uninstall: ['remove'] },
  gem: { install: ['install'], uninstall: ['uninstall'] },
  cargo: { install: ['install'], uninstall: ['uninstall'] },
  go: { install: ['install', 'get'], uninstall: [] },
};

/** Other names of the same installers. */
const INSTALLER_ALIASES: Readonly<Record<string, string>> = {
  pip3: 'pip',
  mamba: 'conda',
  micromamba: 'conda',
  'apt-get': 'apt',
  dnf: 'yum',
  zypper: 'yum',
  snap: 'apt',
  pnpm: 'npm',
};

const REMOTE_CLIENTS = new Set(['scp', 'sftp', 'ftp', 'ssh', 'telnet', 'nc', 'ncat', 'netcat', 'socat']);
const PERMISSIONS = new Set(['chmod', 'chown', 'chgrp', 'icacls', 'takeown']);
const PROCESS_KILLERS = new Set(['kill', 'pkill', 'killall', 'taskkill']);
const SYSTEM_CHANGERS = new Set(['systemctl', 'service', 'shutdown', 'reboot', 'halt', 'poweroff', 'dd', 'crontab', 'launchctl', 'reg', 'setx', 'mkfs']);

/** Splits a command line into simple commands. */
function simpleCommands(command: string): string[] {
  return command.split(/&&|\|\||[;|&\n`()]|\$\(/).map((part) => part.trim()).filter((part) => part !== '');
}

function words(command: string): string[] {
  return command.split(/\s+/).map((word) => word.replace(/^["']+|["']+$/g, '')).filter((word) => word !== '');
}

/** The command's name without folder or `.exe`, lower-case (Windows names are not case-sensitive). */
function commandName(word: string): string {
  return (word.split(/[\\/]/).pop() ?? word).toLowerCase().replace(/\.exe$/, '');
}

function installerHit(name: string, args: readonly string[]): RiskHit | undefined {
  const canonical = INSTALLER_ALIASES[name] ?? (/^pip\d(\.\d+)?$/.test(name) ? 'pip' : name);
  const table = INSTALLERS[canonical];
  if (!table) return undefined;
  const positional = args.filter((a) => !a.startsWith('-'));
  let sub = positional[0]?.toLowerCase();
  let shownName = name;
  if (canonical === 'uv' && sub === 'pip') {
    sub = positional[1]?.toLowerCase();
    shownName = 'uv pip';
  }
  if (sub === undefined) return undefined;
  if (table.install.includes(sub)) return { category: 'installsPackages', reason: `installs packages (${shownName} ${sub})` };
  if (table.uninstall.includes(sub)) return { category: 'installsPackages', reason: `uninstalls packages (${shownName} ${sub})` };
  return undefined;
}

function curlSendsData(args: readonly string[]): boolean {
  return args.some(
    (a, i) =>
      /^(-d|--data.*|-F|--form.*|-T|--upload-file|--json)$/.test(a) ||
      /^-d./.test(a) ||
      /^-X(POST|PUT|PATCH|DELETE)$/i.test(a) ||
      ((a === '-X' || a === '--request') && /^(POST|PUT|PATCH|DELETE)$/i.test(args[i + 1] ?? '')),
  );
}

/** The hits of one simple command. */
function commandHits(command: string): RiskHit[] {
  const hits: RiskHit[] = [];
  let all = words(command);
  // Skip `VAR=value`, wrappers and their flags to reach the real command.
  while (all.length > 0) {
    const first = all[0] ?? '';
    const name = commandName(first);
    if (name === 'sudo' || name === 'doas') hits.push({ category: 'changesEnvironment', reason: `runs as administrator (${name})` });
    if (/^\w+=/.test(first) || WRAPPERS.has(name)) {
      all = all.slice(1);
      while (all.length > 0 && /^(-.*|\d+[smhd]?)$/.test(all[0] ?? '')) all = all.slice(1);
      continue;
    }
    break;
  }
  const [first, ...args] = all;
  if (first === undefined) return hits;
  let name = commandName(first);
  let rest = args;
  // `python -m pip install x`, `{sys.executable} -m pip install x` (IPython interpolation).
  // A leading `-m` is a command list whose interpreter was not a literal (`[sys.executable, '-m', …]`).
  const moduleFlag = /^(python[\d.]*|py|\{.*\}|\$.*|-m)$/.test(name) ? all.indexOf('-m') : -1;
  if (moduleFlag >= 0 && all[moduleFlag + 1] !== undefined && /^pip\d?$|^conda$/.test(all[moduleFlag + 1] ?? '')) {
    name = all[moduleFlag + 1] ?? name;
    rest = all.slice(moduleFlag + 2);
  }

  if (DELETERS.has(name)) {
    const flags = rest.find((a) => a.startsWith('-'));
    hits.push({ category: 'deletesFiles', reason: `deletes files (${name}${flags ? ` ${flags}` : ''})` });
  } else if (MOVERS.has(name)) {
    hits.push({ category: 'deletesFiles', reason: `moves files (${name})` });
  } else if (name === 'find' && rest.includes('-delete')) {
    hits.push({ category: 'deletesFiles', reason: 'deletes files (find -delete)' });
  } else if (name === 'find' && rest.some((a, i) => /^-exec(dir)?$/.test(a) && DELETERS.has(commandName(rest[i + 1] ?? '')))) {
    hits.push({ category: 'deletesFiles', reason: 'deletes files (find -exec rm)' });
  } else if (name === 'curl' && curlSendsData(rest)) {
    hits.push({ category: 'networkWrite', reason: 'sends data over the network (curl)' });
  } else if (name === 'wget' && rest.some((a) => /^--(post-data|post-file|body-data|body-file)|^--method=(POST|PUT|PATCH|DELETE)/i.test(a))) {
    hits.push({ category: 'networkWrite', reason: 'sends data over the network (wget)' });
  } else if (REMOTE_CLIENTS.has(name) || (name === 'rsync' && rest.some((a) => /^[^/\\-][^/\\]*:/.test(a)))) {
    hits.push({ category: 'networkWrite', reason: `connects to a remote server (${name})` });
  } else if (name === 'git' && rest.filter((a) => !a.startsWith('-'))[0] === 'push') {
    hits.push({ category: 'networkWrite', reason: 'pushes to a remote (git push)' });
  } else if (PERMISSIONS.has(name)) {
    hits.push({ category: 'changesEnvironment', reason: `changes file permissions (${name})` });
  } else if (PROCESS_KILLERS.has(name)) {
    hits.push({ category: 'changesEnvironment', reason: `stops other processes (${name})` });
  } else if (SYSTEM_CHANGERS.has(name) || name.startsWith('mkfs')) {
    hits.push({ category: 'changesEnvironment', reason: `changes the system (${name})` });
  } else if (name === 'tee' || FILE_WRITERS.has(name)) {
    // A copy's source outside the folder only reads it; its last path is where it writes.
    const paths = rest.filter((a) => !a.startsWith('-'));
    const written = name === 'tee' || name === 'mkdir' || name === 'touch' ? paths : paths.slice(-1);
    const target = written.find((a) => isOutsideWorkingFolder(a));
    if (target !== undefined) hits.push({ category: 'writesOutsideWorkspace', reason: `writes outside the working folder (${shown(target)})` });
  } else {
    const installer = installerHit(name, rest);
    if (installer) hits.push(installer);
  }
  return hits;
}

/** Output redirected to a file outside the working folder (`> /etc/hosts`, `>> ~/.bashrc`). */
function redirectHits(command: string): RiskHit[] {
  const hits: RiskHit[] = [];
  for (const match of command.matchAll(/(?:^|[^\d&>])>>?\s*["']?([^\s;&|"'<>]+)/g)) {
    const target = match[1] ?? '';
    if (isOutsideWorkingFolder(target)) hits.push({ category: 'writesOutsideWorkspace', reason: `writes outside the working folder (${shown(target)})` });
  }
  return hits;
}

/**
 * The risks of a shell command line beyond running it (the caller reports that). Empty for
 * commands like `ls -la` or `pip list`.
 */
export function shellRisks(command: string): RiskHit[] {
  const hits: RiskHit[] = [];
  for (const part of simpleCommands(command)) hits.push(...commandHits(part));
  hits.push(...redirectHits(command));
  return hits;
}
