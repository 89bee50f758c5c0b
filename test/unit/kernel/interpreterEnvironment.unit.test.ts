/**
 * The kernel's environment as if its interpreter's environment were activated: checked on
 * folder layouts of each platform, and end to end with a real venv, where `!pip` and
 * `subprocess.run(['python', …])` must reach the venv's Python.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activatedEnvironment } from '../../../src/kernel/interpreterEnvironment';
import { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { repoRoot } from '../../harness/codeServer';
import { streamText } from './kernelContract';

const PYTHON = process.env.CODEACT_TEST_PYTHON ?? '/usr/bin/python3';
const BRIDGE = join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py');

/** A platform whose file system holds exactly `paths`. */
function on(platform: NodeJS.Platform, paths: readonly string[]) {
  return { platform, exists: (path: string) => paths.includes(path) };
}

describe('the kernel runs with its interpreter environment activated', () => {
  it('a POSIX venv: its bin first on PATH, VIRTUAL_ENV set, the rest of PATH kept once', () => {
    const env = activatedEnvironment('/work/.venv/bin/python', { PATH: '/usr/bin:/work/.venv/bin:/bin', HOME: '/root' }, on('linux', ['/work/.venv/pyvenv.cfg']));
    assert.deepEqual(env, { PATH: '/work/.venv/bin:/usr/bin:/bin', HOME: '/root', VIRTUAL_ENV: '/work/.venv' });
  });

  it('a Windows venv: Scripts first on Path, as Windows spells it', () => {
    const env = activatedEnvironment('C:\\proj\\.venv\\Scripts\\python.exe', { Path: 'C:\\Windows\\system32' }, on('win32', ['C:\\proj\\.venv\\pyvenv.cfg']));
    assert.deepEqual(env, { Path: 'C:\\proj\\.venv\\Scripts;C:\\Windows\\system32', VIRTUAL_ENV: 'C:\\proj\\.venv' });
  });

  it('a Windows conda environment: its Library folders on Path too, for the DLLs numpy and ssl load', () => {
    const prefix = 'C:\\miniconda3\\envs\\ds';
    const env = activatedEnvironment(`${prefix}\\python.exe`, { PATH: 'C:\\Windows' }, on('win32', [`${prefix}\\conda-meta`]));
    assert.equal(env['CONDA_PREFIX'], prefix);
    assert.equal(env['CONDA_DEFAULT_ENV'], 'ds');
    assert.deepEqual(env['PATH']?.split(';'), [
      prefix,
      `${prefix}\\Library\\mingw-w64\\bin`,
      `${prefix}\\Library\\usr\\bin`,
      `${prefix}\\Library\\bin`,
      `${prefix}\\Scripts`,
      `${prefix}\\bin`,
      'C:\\Windows',
    ]);
  });

  it('a POSIX conda environment, and no venv left over from the shell VS Code started in', () => {
    const env = activatedEnvironment('/opt/conda/envs/ds/bin/python', { PATH: '/usr/bin', VIRTUAL_ENV: '/home/me/old/.venv' }, on('darwin', ['/opt/conda/envs/ds/conda-meta']));
    assert.equal(env['VIRTUAL_ENV'], undefined);
    assert.equal(env['PATH'], '/opt/conda/envs/ds/bin:/usr/bin');
    assert.equal(env['CONDA_PREFIX'], '/opt/conda/envs/ds');
  });

  it('a Python outside any environment is left as it is', () => {
    const base = { PATH: '/usr/local/bin:/usr/bin' };
    assert.equal(activatedEnvironment('/usr/bin/python3', base, on('linux', [])), base);
  });

  it('a Python outside any environment loses the venv the shell had activated, so !pip does not reach it', () => {
    const env = activatedEnvironment('/usr/bin/python3', { PATH: '/home/me/old/.venv/bin:/usr/bin', VIRTUAL_ENV: '/home/me/old/.venv', HOME: '/home/me' }, on('linux', []));
    assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/home/me' });
  });

  describe('with a real venv', function () {
    this.timeout(60_000);
    let venv = '';
    let kernel: PythonKernelProcess | undefined;

    before(function () {
      venv = mkdtempSync(join(tmpdir(), 'codeact-venv-'));
      // System site-packages: the venv sees the system's ipykernel, as a venv made for notebooks has its own.
      const made = spawnSync(PYTHON, ['-m', 'venv', '--without-pip', '--system-site-packages', venv], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`could not create a venv: ${made.stderr}`);
    });

    after(async () => {
      await kernel?.dispose();
      rmSync(venv, { recursive: true, force: true });
    });

    it("the code's own `python` and shell commands reach the venv's Python", async () => {
      const pythonPath = join(venv, 'bin', 'python');
      kernel = new PythonKernelProcess({ pythonPath, bridgePath: BRIDGE, env: activatedEnvironment(pythonPath, process.env) });
      await kernel.start();
      const result = await kernel.execute(
        [
          'import os, shutil, subprocess',
          "print(shutil.which('python'))",
          "print(subprocess.run(['python', '-c', 'import sys; print(sys.prefix)'], capture_output=True, text=True).stdout.strip())",
          "print(os.environ['VIRTUAL_ENV'])",
        ].join('\n'),
      );
      assert.deepEqual(streamText(result).trim().split('\n'), [pythonPath, venv, venv]);
    });
  });
});
