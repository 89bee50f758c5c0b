import * as assert from 'node:assert/strict';
import type { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { summarizeError } from '../../../src/kernel/errorSummary';
import type { ErrorOutput } from '../../../src/kernel/kernelOutputs';
import { startKernel } from '../agent/agentTestKit';

/** The exception line and the user's frame, read from tracebacks a real IPython kernel printed. */
describe('The error summary of a failed action', function () {
  this.timeout(60_000);
  let kernel: PythonKernelProcess;

  before(async () => {
    kernel = await startKernel();
  });

  after(async () => {
    await kernel.dispose();
  });

  async function errorOf(code: string): Promise<ErrorOutput> {
    const result = await kernel.execute(code, { timeoutMs: 30_000 });
    const error = result.outputs.find((output): output is ErrorOutput => output.kind === 'error');
    assert.ok(error, `the code failed: ${code}`);
    return error;
  }

  it("names the exception and the user's line, past the library frames after it", async () => {
    const summary = summarizeError(await errorOf("import pandas as pd\nsales = pd.DataFrame({'units': [1, 2]})\ntotal = sales['revenue'].sum()"));
    assert.equal(summary.exception, "KeyError: 'revenue'");
    assert.match(summary.userFrame ?? '', /^Cell In\s*\[\d+\], line 3: total = sales\['revenue'\]\.sum\(\)$/);
  });

  it('takes the deepest frame of the cell: the line inside a function the cell defined', async () => {
    const summary = summarizeError(await errorOf('def ratio(a, b):\n    return a / b\n\nratio(1, 0)'));
    assert.equal(summary.exception, 'ZeroDivisionError: division by zero');
    assert.match(summary.userFrame ?? '', /line 2: return a \/ b$/);
  });

  it('gives the exception alone when it has no message, and when no frame is in a cell', async () => {
    assert.equal(summarizeError(await errorOf('raise StopIteration')).exception, 'StopIteration');
    const synthetic: ErrorOutput = { kind: 'error', ename: 'OSError', evalue: 'disk full\nmore detail', traceback: ['\u001b[0;31mOSError\u001b[0m: disk full'] };
    assert.deepEqual(summarizeError(synthetic), { exception: 'OSError: disk full' });
  });
});
