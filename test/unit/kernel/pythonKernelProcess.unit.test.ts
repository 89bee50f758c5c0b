/**
 * The CodeAct Python kernel against a real ipykernel. Needs an interpreter with ipykernel
 * (default /usr/bin/python3, or CODEACT_TEST_PYTHON) and, for the missing-ipykernel case,
 * one without it (default `python3` on PATH, or CODEACT_TEST_PYTHON_WITHOUT_IPYKERNEL).
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KernelStartError } from '../../../src/kernel/kernelStartError';
import { toObservation } from '../../../src/kernel/observation';
import { PythonKernelProcess, type PythonKernelProcessOptions } from '../../../src/kernel/pythonKernelProcess';
import { repoRoot } from '../../harness/codeServer';
import { itBehavesLikeAJupyterKernel, streamText } from './kernelContract';

const PYTHON = process.env.CODEACT_TEST_PYTHON ?? '/usr/bin/python3';
const PYTHON_WITHOUT_IPYKERNEL = process.env.CODEACT_TEST_PYTHON_WITHOUT_IPYKERNEL ?? 'python3';


const BRIDGE = join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py');

function newKernel(options: Partial<PythonKernelProcessOptions> = {}): PythonKernelProcess {
  const log = process.env.CODEACT_TEST_KERNEL_LOG ? (level: string, message: string) => console.log(`[Kernel ${level}] ${message}`) : undefined;
  return new PythonKernelProcess({ pythonPath: PYTHON, bridgePath: BRIDGE, ...(log ? { log } : {}), ...options });
}

/** True once the process is gone (a zombie waiting for a reaper counts as gone). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return processGone(pid);
}

describe('PythonKernelProcess with a real ipykernel', function () {
  this.timeout(30_000);

  describe('one kernel shared by the tests that keep it alive', () => {
    const kernel = newKernel();
    let pid = 0;

    before(async function () {
      this.timeout(60_000);
      const info = await kernel.start();
      pid = info.pid;
      assert.ok(kernel.isAlive);
      assert.match(info.pythonVersion, /^3\.\d+/);
    });

    after(() => kernel.dispose());

    itBehavesLikeAJupyterKernel(() => kernel);

    it('streams 10 MB of output through, and the observation keeps head and tail within budget', async function () {
      this.timeout(60_000);
      const started = Date.now();
      let chunks = 0;
      const big = await kernel.execute("for i in range(100_000):\n    print(f'line {i:07d} ' + 'x' * 90)", {
        onOutput: () => chunks++,
      });
      const elapsed = Date.now() - started;
      assert.equal(big.status, 'ok');
      const text = streamText(big);
      assert.equal(text.length, 100_000 * 104);
      assert.ok(chunks >= 1);
      const observation = toObservation(big, { maxChars: 8000 });
      assert.ok(observation.text.length <= 8000, `${observation.text.length}`);
      assert.equal(observation.truncated, true);
      assert.ok(observation.text.startsWith('line 0000000 '));
      assert.match(observation.text, /line 0099999 x+$/);
      assert.match(observation.text, /\[[\d,]+ characters \([\d,]+ lines\) cut; the full output is in the notebook cell\]/);
      console.log(`      10 MB round trip: ${elapsed} ms in ${chunks} chunks`);
    });

    it('survives invalid UTF-8 written by the code', async () => {
      const written = await kernel.execute(
        [
          'import sys',
          "data = b'ok \\xff\\xfe bad\\n'",
          'try:',
          '    sys.stdout.buffer.write(data)  # a real byte stream (newer ipykernel)',
          'except AttributeError:',
          "    sys.stdout.write(data.decode('utf-8', 'surrogateescape'))  # lone surrogates otherwise",
          'sys.stdout.flush()',
          "print('after')",
        ].join('\n'),
      );
      assert.equal(written.status, 'ok', JSON.stringify(written));
      const text = streamText(written);
      assert.match(text, /^ok .* bad\nafter\n$/s);
      assert.ok(!/[\uD800-\uDFFF]/u.test(text), 'no lone surrogates reach the model');
      assert.equal((await kernel.execute('print("still fine")')).status, 'ok');
    });

    it('loses no output when the extension host reads it slowly', async function () {
      this.timeout(60_000);
      // Each output costs the host a moment (a busy extension host); the kernel runs ahead.
      const count = 8_000;
      const result = await kernel.execute(`from IPython.display import display\nfor i in range(${count}):\n    display('x' * 10_000 + str(i))`, {
        onOutput: () => {
          const until = performance.now() + 0.5;
          while (performance.now() < until) {
            // busy
          }
        },
      });
      assert.equal(result.status, 'ok');
      const shown = result.outputs.filter((output) => output.kind === 'data').length;
      assert.equal(shown, count, `${count - shown} outputs were dropped`);
    });

    it('loses no output when the bridge falls far behind the kernel (a machine too busy to run it)', async function () {
      this.timeout(60_000);
      if (process.platform === 'win32') this.skip();
      // The kernel stops its parent (the bridge) while it publishes, and lets it go on once its
      // own iopub thread has handed every message to ZMQ: far more than ZMQ's default 1000.
      const count = 5_000;
      const result = await kernel.execute(
        [
          'import os, signal',
          'from IPython.display import display',
          'bridge = os.getppid()',
          'os.kill(bridge, signal.SIGSTOP)',
          `for i in range(${count}):`,
          '    display(str(i))',
          'get_ipython().kernel.iopub_thread.schedule(lambda: os.kill(bridge, signal.SIGCONT))',
        ].join('\n'),
      );
      assert.equal(result.status, 'ok');
      const shown = result.outputs.filter((output) => output.kind === 'data').length;
      assert.equal(shown, count, `${count - shown} outputs were dropped`);
    });

    it('ends an execution whose code cannot even be sent to the kernel, and runs the next', async () => {
      const unsendable = await kernel.execute('print("\ud83d")'); // a lone surrogate cannot be encoded
      assert.equal(unsendable.status, 'error');
      const error = unsendable.outputs.find((output) => output.kind === 'error');
      assert.match(error?.kind === 'error' ? error.evalue : '', /could not send this code to the kernel/);
      assert.equal(streamText(await kernel.execute('print("next")')), 'next\n');
    });

    it('dispose() ends the kernel process and cancels what is pending', async () => {
      const pending = kernel.execute('import time; time.sleep(30)');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await kernel.dispose();
      assert.equal((await pending).status, 'cancelled');
      assert.ok(await waitUntilGone(pid), `kernel pid ${pid} still running`);
      assert.equal(kernel.isAlive, false);
      console.log(`      dispose: ${Date.now() - started} ms`);
    });
  });

  it('shutting an idle kernel down also ends the processes its code left running', async () => {
    const kernel = newKernel();
    await kernel.start();
    const started = await kernel.execute("import subprocess\nworker = subprocess.Popen(['sleep', '300'])\nprint(worker.pid)");
    const childPid = Number(streamText(started).trim());
    assert.ok(childPid > 0 && !processGone(childPid));
    await kernel.dispose();
    assert.ok(await waitUntilGone(childPid), `the code's own process ${childPid} is still running`);
  });

  describe('a kernel that dies', () => {
    const kernel = newKernel({ interruptGraceMs: 1000 });
    after(() => kernel.dispose());

    it('reports os._exit as died, then restart() gives a fresh working kernel', async function () {
      this.timeout(60_000);
      const first = await kernel.start();
      let deaths = 0;
      kernel.onDidDie(() => deaths++);
      await kernel.execute('state = "old"');
      const died = await kernel.execute('print("about to exit", flush=True)\nimport os; os._exit(1)');
      assert.equal(died.status, 'died');
      assert.equal(kernel.isAlive, false);
      assert.equal(deaths, 1);
      assert.match(toObservation(died, { maxChars: 2000 }).text, /The kernel died/);
      assert.equal((await kernel.execute('1')).status, 'died', 'a dead kernel runs nothing');

      const second = await kernel.restart();
      assert.notEqual(second.pid, first.pid);
      assert.ok(kernel.isAlive);
      const fresh = await kernel.execute('print(globals().get("state", "fresh"))');
      assert.equal(streamText(fresh), 'fresh\n');
    });

    it('restarts a kernel that ignores the interrupt after a timeout', async function () {
      this.timeout(60_000);
      const before = kernel.info?.pid;
      const stubborn = await kernel.execute('import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass', { timeoutMs: 500 });
      assert.equal(stubborn.status, 'timeout');
      assert.equal(stubborn.kernelRestarted, true);
      const next = await kernel.execute('print("alive again")');
      assert.equal(streamText(next), 'alive again\n');
      assert.notEqual(kernel.info?.pid, before);
      assert.match(toObservation(stubborn, { maxChars: 2000 }).text, /restarted: all variables and imports are lost/);
    });

    it('takes the kernel down with a bridge that is killed, reports died, and restarts from scratch', async function () {
      this.timeout(60_000);
      const kernelPid = kernel.info?.pid ?? 0;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${kernelPid}/stat`, 'utf8');
      } catch {
        this.skip(); // needs /proc to find the bridge's pid
      }
      const bridgePid = Number(/\)\s+\S\s+(\d+)/.exec(stat)?.[1]);
      const died = new Promise<void>((resolve) => kernel.onDidDie(resolve));
      const running = kernel.execute('import time; time.sleep(30)');
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(bridgePid, 'SIGKILL');
      await died;
      assert.equal((await running).status, 'died');
      assert.ok(await waitUntilGone(kernelPid), `kernel pid ${kernelPid} outlived its killed bridge`);
      await kernel.restart();
      assert.equal(streamText(await kernel.execute('print("new bridge")')), 'new bridge\n');
    });
  });

  describe('starting', () => {
    it('names the interpreter when it cannot import ipykernel', async function () {
      const probe = spawnSync(PYTHON_WITHOUT_IPYKERNEL, ['-c', 'import ipykernel'], { stdio: 'ignore' });
      if (probe.error || probe.status === 0) this.skip();
      const kernel = new PythonKernelProcess({ pythonPath: PYTHON_WITHOUT_IPYKERNEL, bridgePath: BRIDGE });
      try {
        await assert.rejects(kernel.start(), (error: unknown) => {
          assert.ok(error instanceof KernelStartError, String(error));
          assert.equal(error.reason, 'ipykernelMissing');
          assert.equal(error.missingModule, 'ipykernel');
          assert.ok(error.message.includes(PYTHON_WITHOUT_IPYKERNEL), error.message);
          return true;
        });
      } finally {
        await kernel.dispose();
      }
    });

    it('says pythonNotFound for an interpreter path that does not exist', async () => {
      const kernel = new PythonKernelProcess({ pythonPath: '/nonexistent/bin/python3', bridgePath: BRIDGE });
      await assert.rejects(kernel.start(), (error: unknown) => error instanceof KernelStartError && error.reason === 'pythonNotFound' && error.message.includes('/nonexistent/bin/python3'));
      await kernel.dispose();
    });

    it('shuts the kernel down when the extension goes away (stdin closes)', async function () {
      this.timeout(60_000);
      const bridge = spawn(PYTHON, [BRIDGE], { stdio: ['pipe', 'pipe', 'ignore'] });
      const pid = await new Promise<number>((resolve, reject) => {
        let buffered = '';
        bridge.stdout.setEncoding('utf8');
        bridge.stdout.on('data', (text: string) => {
          buffered += text;
          const ready = buffered.split('\n').map((line) => (line.startsWith('{') ? (JSON.parse(line) as { type: string; pid: number }) : undefined)).find((e) => e?.type === 'ready');
          if (ready) resolve(ready.pid);
        });
        bridge.once('exit', () => reject(new Error('bridge exited before ready')));
      });
      const exited = new Promise((resolve) => bridge.once('exit', resolve));
      bridge.stdin.end();
      await exited;
      assert.ok(await waitUntilGone(pid), `kernel pid ${pid} outlived its bridge`);
    });
  });
});
