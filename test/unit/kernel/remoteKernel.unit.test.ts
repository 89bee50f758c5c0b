/**
 * RemoteKernelConnection against a real Jupyter Server started for the test (Debian's
 * /usr/bin/jupyter-server with /usr/bin/python3's ipykernel, or CODEACT_TEST_JUPYTER_SERVER).
 * CODEACT_TEST_KERNEL_LOG=1 prints the connection's log; CODEACT_TEST_JUPYTER_LOG=1 the server's.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { KernelStartError } from '../../../src/kernel/kernelStartError';
import { toObservation } from '../../../src/kernel/observation';
import { parseJupyterServerUrl, type JupyterServerAddress } from '../../../src/kernel/remote/jupyterServerUrl';
import { RemoteKernelConnection, type RemoteKernelConnectionOptions } from '../../../src/kernel/remote/remoteKernelConnection';
import { freePort } from '../../harness/codeServer';
import { startJupyterServer, type JupyterServerFixture } from './jupyterServerFixture';
import { firstOf, itBehavesLikeAJupyterKernel, streamText } from './kernelContract';

function addressOf(url: string, token?: string): JupyterServerAddress {
  const parsed = parseJupyterServerUrl(url, token);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.address;
}

const SERVER = process.env.CODEACT_TEST_JUPYTER_SERVER ?? '/usr/bin/jupyter-server';

describe('RemoteKernelConnection with a real Jupyter Server', function () {
  this.timeout(30_000);
  let server: JupyterServerFixture;
  const kernels: RemoteKernelConnection[] = [];

  function newKernel(options: Partial<RemoteKernelConnectionOptions> = {}): RemoteKernelConnection {
    const log = process.env.CODEACT_TEST_KERNEL_LOG ? (level: string, message: string) => console.log(`[Remote ${level}] ${message}`) : undefined;
    const kernel = new RemoteKernelConnection({ server: addressOf(`${server.baseUrl}lab?token=${server.token}`), ...(log ? { log } : {}), ...options });
    kernels.push(kernel);
    return kernel;
  }

  before(async function () {
    this.timeout(40_000);
    if (!existsSync(SERVER)) this.skip();
    server = await startJupyterServer({
      extraArgs: [
        // The server notices a dead kernel on its heartbeat poll (3 s by default), and gives a
        // kernel that ignores a shutdown request 5 s before killing it: shorter keeps this fast.
        '--KernelRestarter.time_to_dead=0.5',
        '--KernelManager.shutdown_wait_time=1',
        ...(process.env.CODEACT_TEST_JUPYTER_LOG ? ['--debug'] : []),
      ],
    });
  });

  after(async function () {
    this.timeout(20_000);
    await Promise.all(kernels.map((kernel) => kernel.dispose()));
    await server?.stop();
  });

  describe('one kernel shared by the tests that keep it alive', () => {
    let kernel: RemoteKernelConnection;

    before(async () => {
      kernel = newKernel();
      const info = await kernel.start();
      assert.ok(kernel.isAlive);
      assert.match(info.pythonVersion, /^3\.\d+/);
      assert.match(info.implementation, /^ipython \d/);
      assert.equal(info.pid, undefined);
      assert.equal(info.serverUrl, server.baseUrl);
      assert.equal(info.kernelName, 'python3');
      assert.equal(info.language, 'python');
      assert.ok((await server.kernelIds()).includes(info.kernelId));
      assert.ok(!JSON.stringify(info).includes(server.token), 'the token never shows in the info');
    });

    itBehavesLikeAJupyterKernel(() => kernel);

    it('applies display updates and clear_output, and carries JSON mime types as text', async () => {
      const updates: boolean[] = [];
      let clears = 0;
      const shown = await kernel.execute(
        [
          'from IPython.display import display, clear_output, JSON',
          "h = display('first', display_id=True)",
          "h.update('second')",
          "print('gone')",
          'clear_output()',
          "display(JSON({'a': 1}))",
        ].join('\n'),
        { onOutput: (_output, isUpdate) => updates.push(isUpdate), onClearOutput: () => clears++ },
      );
      assert.equal(shown.status, 'ok');
      assert.equal(clears, 1);
      assert.ok(updates.includes(true), 'the update arrived as an update');
      assert.equal(shown.outputs.length, 1, JSON.stringify(shown.outputs));
      assert.deepEqual(JSON.parse(firstOf(shown, 'data').data['application/json'] ?? ''), { a: 1 });

      const kept = await kernel.execute("h = display('one', display_id=True)\nh.update('two')");
      assert.equal(firstOf(kept, 'data').data['text/plain'], "'two'");
      const later = await kernel.execute("h.update('three')", { onOutput: (o, isUpdate) => updates.push(isUpdate && o.kind === 'data' && o.displayId !== undefined) });
      assert.equal(later.status, 'ok');
      assert.equal(updates.at(-1), true, 'an update of an earlier execution still reaches onOutput');
    });

    it('dispose() cancels what is pending and shuts the kernel down on the server', async () => {
      const id = kernel.info?.kernelId ?? '';
      const pending = kernel.execute('import time; time.sleep(30)');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      await kernel.dispose();
      assert.equal((await pending).status, 'cancelled');
      assert.equal(kernel.isAlive, false);
      assert.ok(!(await server.kernelIds()).includes(id), `kernel ${id} is still listed`);
      assert.equal((await kernel.execute('1')).status, 'cancelled');
      console.log(`      dispose: ${Date.now() - started} ms`);
    });
  });

  describe('a kernel that dies', () => {
    it('reports os._exit as died, then restart() gives a fresh working kernel', async () => {
      const kernel = newKernel({ interruptGraceMs: 1000 });
      await kernel.start();
      let deaths = 0;
      kernel.onDidDie(() => deaths++);
      await kernel.execute('state = "old"');
      const started = Date.now();
      const died = await kernel.execute('print("about to exit", flush=True)\nimport os; os._exit(1)');
      assert.equal(died.status, 'died', JSON.stringify(died));
      assert.equal(kernel.isAlive, false);
      assert.equal(deaths, 1);
      assert.match(toObservation(died, { maxChars: 2000 }).text, /The kernel died/);
      assert.equal((await kernel.execute('1')).status, 'died', 'a dead kernel runs nothing');
      console.log(`      death noticed in ${Date.now() - started} ms`);

      await kernel.restart();
      assert.ok(kernel.isAlive);
      const fresh = await kernel.execute('print(globals().get("state", "fresh"))');
      assert.equal(streamText(fresh), 'fresh\n');
    });

    it('restarts a kernel that ignores the interrupt after a timeout', async () => {
      const kernel = newKernel({ interruptGraceMs: 1000 });
      await kernel.start();
      await kernel.execute('state = "old"');
      const stubborn = await kernel.execute('import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass', { timeoutMs: 500 });
      assert.equal(stubborn.status, 'timeout');
      assert.equal(stubborn.kernelRestarted, true);
      const next = await kernel.execute('print(globals().get("state", "alive again"))');
      assert.equal(streamText(next), 'alive again\n');
      await kernel.dispose();
    });
  });

  describe('a kernel that dies and is disposed at once', () => {
    it('shuts the server-restarted kernel down without stray errors', async () => {
      const kernel = newKernel();
      const { kernelId } = await kernel.start();
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): number => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        assert.equal((await kernel.execute('import os; os._exit(1)')).status, 'died');
        await kernel.dispose();
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.ok(!(await server.kernelIds()).includes(kernelId), `kernel ${kernelId} is still listed`);
        assert.deepEqual(unhandled.map(String), []);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });
  });

  describe('starting', () => {
    it('says the token was rejected', async () => {
      const kernel = newKernel({ server: addressOf(server.baseUrl, 'not-the-token') });
      await assert.rejects(kernel.start(), (error: unknown) => {
        assert.ok(error instanceof KernelStartError, String(error));
        assert.equal(error.reason, 'authFailed');
        assert.match(error.message, /rejected the token \(403/);
        assert.equal(error.serverUrl, server.baseUrl);
        assert.ok(!error.message.includes('not-the-token'), 'the token is never in a message');
        return true;
      });
      assert.equal(kernel.isAlive, false);
      assert.equal((await kernel.execute('1')).status, 'died');
    });

    it('says nothing is listening at a port without a server', async () => {
      const port = await freePort();
      const kernel = newKernel({ server: addressOf(`http://127.0.0.1:${port}/?token=x`) });
      await assert.rejects(kernel.start(), (error: unknown) => {
        assert.ok(error instanceof KernelStartError, String(error));
        assert.equal(error.reason, 'serverUnreachable');
        assert.match(error.message, new RegExp(`Nothing is listening at http://127\\.0\\.0\\.1:${port}/ \\(connection refused\\)`));
        return true;
      });
    });

    it('names the kernelspecs the server has when asked for an unknown one', async () => {
      const kernel = newKernel({ kernelName: 'no-such-kernel' });
      await assert.rejects(kernel.start(), (error: unknown) => {
        assert.ok(error instanceof KernelStartError, String(error));
        assert.equal(error.reason, 'kernelNotFound');
        assert.match(error.message, /no kernelspec "no-such-kernel"\. It has: python3 \(/);
        return true;
      });
    });

    it('says when the URL path is not a Jupyter Server', async () => {
      const kernel = newKernel({ server: addressOf(`${server.baseUrl}somewhere/else/`, server.token) });
      await assert.rejects(kernel.start(), (error: unknown) => error instanceof KernelStartError && error.reason === 'serverError' && /no Jupyter Server API at .*somewhere\/else\/ \(404/.test(error.message));
    });

    it('shuts down a kernel it was still starting when disposed', async () => {
      // While it lists kernelspecs, starts the kernel, and waits for it to answer.
      for (const delayMs of [100, 400, 700]) {
        const kernel = newKernel();
        const starting = kernel.start().then(
          () => undefined,
          (error: unknown) => error,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        const started = Date.now();
        await kernel.dispose();
        assert.ok(Date.now() - started < 5000, `dispose took ${Date.now() - started} ms`);
        const error = await starting;
        if (error !== undefined) assert.match(error instanceof Error ? error.message : 'not an Error', /shut down while starting/);
        assert.equal(kernel.isAlive, false);
      }
      // The last test checks that no kernel is left on the server.
    });

    it('attaches to a running kernel by id and leaves it running on dispose', async () => {
      const owner = newKernel();
      const { kernelId } = await owner.start();
      await owner.execute('shared = "from the owner"');
      const guest = newKernel({ kernelId });
      const info = await guest.start();
      assert.equal(info.kernelId, kernelId);
      assert.equal(streamText(await guest.execute('print(shared)')), 'from the owner\n');
      await guest.dispose();
      assert.ok((await server.kernelIds()).includes(kernelId), 'an attached kernel is not ours to shut down');
      await owner.dispose();
      assert.ok(!(await server.kernelIds()).includes(kernelId));
    });
  });

  describe('afterwards', () => {
    it('leaves no kernel on the server once every connection is disposed', async () => {
      await Promise.all(kernels.map((kernel) => kernel.dispose()));
      assert.deepEqual(await server.kernelIds(), []);
    });
  });
});
