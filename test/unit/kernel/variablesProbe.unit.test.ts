import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { VARIABLES_PROBE_CODE, parseVariablesProbe } from '../../../src/kernel/variablesProbe';

const repoRoot = join(__dirname, '..', '..', '..', '..');

describe('The variables probe (real ipykernel)', function () {
  this.timeout(60_000);
  let kernel: PythonKernelProcess;

  before(async () => {
    kernel = new PythonKernelProcess({ pythonPath: '/usr/bin/python3', bridgePath: join(repoRoot, 'src', 'kernel', 'python', 'codeact_kernel_bridge.py') });
    await kernel.start();
  });

  after(async () => {
    await kernel.dispose();
  });

  it('lists the user\'s variables with short summaries, silently, and leaves the namespace as it was', async () => {
    await kernel.execute("import pandas as pd\nimport numpy as np\nsales = pd.DataFrame({'month': ['Jan', 'Feb'], 'revenue': [10, 20]})\nweights = np.zeros((3, 4))\nnames = ['a', 'b', 'c']\n_hidden = 1\ndef helper(): pass");
    const before = (await kernel.execute('1')).executionCount ?? 0;
    const result = await kernel.execute(VARIABLES_PROBE_CODE, { silent: true });
    const stdout = result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    const variables = parseVariablesProbe(stdout);
    assert.ok(variables, stdout);
    const byName = new Map(variables.map((v) => [v.name, v]));
    assert.equal(byName.get('sales')?.type, 'DataFrame');
    assert.equal(byName.get('sales')?.summary, '2 rows x 2 columns: month, revenue');
    assert.equal(byName.get('weights')?.summary, 'shape (3, 4), dtype float64');
    assert.equal(byName.get('names')?.summary, '3 items');
    for (const hidden of ['_hidden', 'helper', 'pd', 'np', '__codeact_list_variables']) assert.ok(!byName.has(hidden), `${hidden} is not listed`);
    const check = await kernel.execute("'__codeact_list_variables' in globals()");
    assert.equal(check.executionCount, before + 1, 'the silent probe did not take an execution count');
    const value = check.outputs.find((o) => o.kind === 'data');
    assert.equal(value?.kind === 'data' ? value.data['text/plain'] : '', 'False');
  });

  it('gives undefined for output that is not the probe\'s answer', () => {
    assert.equal(parseVariablesProbe('hello'), undefined);
    assert.equal(parseVariablesProbe('__CODEACT_VARIABLES__{not json__CODEACT_VARIABLES_END__'), undefined);
    assert.deepEqual(parseVariablesProbe('__CODEACT_VARIABLES__[{"name": 3}, {"name": "x", "type": "int", "summary": "1"}]__CODEACT_VARIABLES_END__'), [
      { name: 'x', type: 'int', summary: '1' },
    ]);
  });
});
