/**
 * The environment a kernel runs with, as if its interpreter's environment were activated.
 *
 * Starting `venv/bin/python` runs the right Python, but PATH is still the extension host's:
 * `!pip install x` or `subprocess.run(['python', …])` in the agent's code then reach another
 * Python, the package lands elsewhere and the next import fails, again and again. On Windows,
 * a conda Python also needs its `Library\bin` on PATH to load numpy's or ssl's DLLs. This does
 * what `activate` does for those: the environment's folders first on PATH, and VIRTUAL_ENV or
 * CONDA_PREFIX set. A Python that is not in a venv or conda environment is left as it is.
 *
 * No `vscode`: unit-tested with real environments on disk.
 */
import { existsSync } from 'node:fs';
import * as nodePath from 'node:path';

export interface ActivationPlatform {
  readonly platform: NodeJS.Platform;
  readonly exists: (path: string) => boolean;
}

const host: ActivationPlatform = { platform: process.platform, exists: existsSync };

/** `base` with the interpreter's environment activated; `base` itself when there is none. */
export function activatedEnvironment(pythonPath: string, base: NodeJS.ProcessEnv, on: ActivationPlatform = host): NodeJS.ProcessEnv {
  const windows = on.platform === 'win32';
  const path = windows ? nodePath.win32 : nodePath.posix;
  const dirname = (p: string): string => path.dirname(p);
  const join = (...parts: string[]): string => path.join(...parts);
  const binDir = dirname(pythonPath);
  // venv: <prefix>/bin/python, <prefix>\Scripts\python.exe. conda: <prefix>/bin/python, <prefix>\python.exe.
  const candidates = [dirname(binDir), binDir];
  const venv = candidates.find((prefix) => on.exists(join(prefix, 'pyvenv.cfg')));
  // What the shell VS Code started from had activated is not this environment: tools that
  // read these (uv, conda run) would act on the wrong one.
  const { VIRTUAL_ENV: _venv, CONDA_PREFIX: _conda, CONDA_DEFAULT_ENV: _condaName, ...inherited } = base;
  if (venv !== undefined) {
    return withPath({ ...inherited, VIRTUAL_ENV: venv }, [binDir], windows);
  }
  const conda = candidates.find((prefix) => on.exists(join(prefix, 'conda-meta')));
  if (conda !== undefined) {
    const folders = windows
      ? [conda, join(conda, 'Library', 'mingw-w64', 'bin'), join(conda, 'Library', 'usr', 'bin'), join(conda, 'Library', 'bin'), join(conda, 'Scripts'), join(conda, 'bin')]
      : [join(conda, 'bin')];
    return withPath({ ...inherited, CONDA_PREFIX: conda, CONDA_DEFAULT_ENV: path.basename(conda) }, folders, windows);
  }
  // A Python outside any environment: only what the shell had activated is taken away, so
  // `!pip` and `uv pip` do not reach that environment instead of this Python.
  const stale = [base['VIRTUAL_ENV'], base['CONDA_PREFIX']].filter((prefix): prefix is string => prefix !== undefined && prefix !== '');
  if (stale.length === 0) return base;
  const staleFolders = stale.flatMap((prefix) => (windows ? [prefix, join(prefix, 'Scripts'), join(prefix, 'Library', 'bin')] : [join(prefix, 'bin')]));
  return withPath(inherited, [], windows, staleFolders);
}

/**
 * `env` with `first` put first on PATH and `dropped` taken off it, each folder once (Windows
 * spells the variable in any case: Path, PATH).
 */
function withPath(env: NodeJS.ProcessEnv, first: readonly string[], windows: boolean, dropped: readonly string[] = []): NodeJS.ProcessEnv {
  const key = (windows ? Object.keys(env).find((name) => name.toUpperCase() === 'PATH') : undefined) ?? 'PATH';
  const separator = windows ? ';' : ':';
  const rest = (env[key] ?? '').split(separator).filter((entry) => entry !== '' && !first.includes(entry) && !dropped.includes(entry));
  return { ...env, [key]: [...first, ...rest].join(separator) };
}
