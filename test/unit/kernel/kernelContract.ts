/**
 * What every KernelConnection must do, whichever kernel it drives: the same tests run against
 * our local ipykernel (PythonKernelProcess) and a kernel on a real Jupyter Server
 * (RemoteKernelConnection), so the rest of the extension can really not tell them apart.
 */
import * as assert from 'node:assert/strict';
import type { KernelConnection } from '../../../src/kernel/kernelConnection';
import type { DataOutput, ExecutionResult, KernelOutput } from '../../../src/kernel/kernelOutputs';
import { toObservation } from '../../../src/kernel/observation';

export function streamText(result: ExecutionResult, name: 'stdout' | 'stderr' = 'stdout'): string {
  return result.outputs.map((o) => (o.kind === 'stream' && o.name === name ? o.text : '')).join('');
}

export function firstOf<K extends KernelOutput['kind']>(result: ExecutionResult, kind: K): Extract<KernelOutput, { kind: K }> {
  const found = result.outputs.find((o): o is Extract<KernelOutput, { kind: K }> => o.kind === kind);
  assert.ok(found, `no ${kind} output in ${JSON.stringify(result).slice(0, 500)}`);
  return found;
}

/**
 * Registers the shared tests in the calling `describe`. `kernel()` returns a started kernel
 * that the tests keep alive (they leave its state as they found it, apart from variables).
 */
export function itBehavesLikeAJupyterKernel(kernel: () => KernelConnection): void {
  it('returns print as stdout and the last expression as an execute_result, counting executions', async () => {
    const printed = await kernel().execute('print("hello from python")');
    assert.equal(printed.status, 'ok');
    assert.equal(streamText(printed), 'hello from python\n');
    const value = await kernel().execute('6 * 7');
    assert.equal(value.status, 'ok');
    const result = firstOf(value, 'data');
    assert.equal(result.isResult, true);
    assert.equal(result.data['text/plain'], '42');
    assert.ok(printed.executionCount !== undefined && value.executionCount === printed.executionCount + 1, `${printed.executionCount} then ${value.executionCount}`);
    assert.equal(result.executionCount, value.executionCount);
  });

  it('reports a NameError with its name, message and traceback, without ANSI colours for the model', async () => {
    const failed = await kernel().execute('undefined_name + 1');
    assert.equal(failed.status, 'error');
    const error = firstOf(failed, 'error');
    assert.equal(error.ename, 'NameError');
    assert.match(error.evalue, /undefined_name/);
    assert.ok(error.traceback.length > 0);
    const observation = toObservation(failed, { maxChars: 2000 });
    assert.match(observation.text, /NameError: name 'undefined_name' is not defined/);
    assert.ok(!observation.text.includes('\u001b'));
  });

  it('returns a matplotlib plot as a base64 image/png that the observation attaches', async () => {
    const plotted = await kernel().execute(
      ['import matplotlib', "matplotlib.use('module://matplotlib_inline.backend_inline')", 'import matplotlib.pyplot as plt', 'plt.plot([1, 3, 2])', 'plt.show()'].join('\n'),
    );
    assert.equal(plotted.status, 'ok', JSON.stringify(plotted).slice(0, 1000));
    const image = plotted.outputs.find((o): o is DataOutput => o.kind === 'data' && o.data['image/png'] !== undefined);
    assert.ok(image, 'no image/png output');
    assert.equal(Buffer.from(image.data['image/png'] ?? '', 'base64').subarray(1, 4).toString(), 'PNG');
    const observation = toObservation(plotted, { maxChars: 2000 });
    assert.equal(observation.images.length, 1);
    assert.match(observation.text, /\[image\/png \d+x\d+\]/);
  });

  it('times out a busy loop, interrupts it, keeps the output so far and the kernel state', async () => {
    await kernel().execute('survivor = 41');
    const started = Date.now();
    const looped = await kernel().execute('print("looping", flush=True)\nwhile True:\n    pass', { timeoutMs: 1500 });
    assert.equal(looped.status, 'timeout');
    assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
    assert.equal(looped.kernelRestarted, undefined);
    assert.match(streamText(looped), /looping/);
    assert.match(toObservation(looped, { maxChars: 2000 }).text, /Execution timed out after 1\.\d s; the kernel was interrupted\.$/);
    const after = await kernel().execute('survivor + 1');
    assert.equal(after.status, 'ok');
    assert.equal(firstOf(after, 'data').data['text/plain'], '42');
  });

  it('cancels a running execution when its signal aborts, and interrupt() stops one too', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const cancelled = await kernel().execute('import time\nwhile True:\n    time.sleep(0.01)', { signal: controller.signal });
    assert.equal(cancelled.status, 'cancelled');
    const running = kernel().execute('import time\nwhile True:\n    time.sleep(0.01)');
    setTimeout(() => kernel().interrupt(), 300);
    const interrupted = await running;
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(firstOf(interrupted, 'error').ename, 'KeyboardInterrupt');
    assert.equal((await kernel().execute('1')).status, 'ok');
  });

  it('fails input() at once instead of hanging', async () => {
    const started = Date.now();
    const asked = await kernel().execute('name = input("name? ")', { timeoutMs: 10_000 });
    assert.equal(asked.status, 'error');
    assert.equal(firstOf(asked, 'error').ename, 'StdinNotImplementedError');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  it('runs executions started together one after the other, outputs never mixed', async () => {
    const finished: string[] = [];
    const streamed: string[] = [];
    const first = kernel()
      .execute("import time\nfor i in range(5):\n    print('A', i, flush=True)\n    time.sleep(0.05)", { onOutput: (o) => o.kind === 'stream' && streamed.push(o.text) })
      .then((r) => (finished.push('A'), r));
    const second = kernel()
      .execute("print('B')")
      .then((r) => (finished.push('B'), r));
    const [a, b] = await Promise.all([first, second]);
    assert.deepEqual(finished, ['A', 'B']);
    assert.equal(streamText(a), 'A 0\nA 1\nA 2\nA 3\nA 4\n');
    assert.equal(streamText(b), 'B\n');
    assert.ok(streamed.length >= 2, 'output arrived while the code ran, not only at the end');
    assert.equal(b.executionCount, (a.executionCount ?? 0) + 1);
  });

  it('says when queued code starts: after the code before it is done', async () => {
    const events: string[] = [];
    const first = kernel().execute("import time; time.sleep(0.3); print('first')", { onStart: () => events.push('first started'), onOutput: () => events.push('first output') });
    const second = kernel().execute("print('second')", { onStart: () => events.push('second started') });
    await Promise.all([first, second]);
    assert.equal(events[0], 'first started');
    assert.ok(events.indexOf('second started') > events.lastIndexOf('first output'), events.join(', '));
    assert.equal(events.filter((e) => e === 'second started').length, 1);
  });

  it('cancels a queued execution without running it', async () => {
    const controller = new AbortController();
    const first = kernel().execute('import time; time.sleep(0.3); print("first")');
    const second = kernel().execute('print("never")', { signal: controller.signal });
    controller.abort();
    assert.equal((await second).status, 'cancelled');
    assert.deepEqual((await second).outputs, []);
    assert.equal(streamText(await first), 'first\n');
  });
}
