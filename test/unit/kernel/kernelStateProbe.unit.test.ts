import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { PythonKernelProcess } from '../../../src/kernel/pythonKernelProcess';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KERNEL_FOLDER_PROBE_CODE, KERNEL_STATE_PROBE_CODE, isFolderHere, parseKernelStateProbe } from '../../../src/kernel/kernelStateProbe';

const repoRoot = join(__dirname, '..', '..', '..', '..');

describe('The kernel state probe (real ipykernel)', function () {
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
    const result = await kernel.execute(KERNEL_STATE_PROBE_CODE, { silent: true });
    const stdout = result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
    const variables = parseKernelStateProbe(stdout)?.variables;
    assert.ok(variables, stdout);
    const byName = new Map(variables.map((v) => [v.name, v]));
    assert.equal(byName.get('sales')?.type, 'DataFrame');
    assert.equal(byName.get('sales')?.summary, '2 rows x 2 columns: month, revenue');
    assert.equal(byName.get('weights')?.summary, 'shape (3, 4), dtype float64');
    assert.equal(byName.get('names')?.summary, '3 items');
    for (const hidden of ['_hidden', 'helper', 'pd', 'np', '__codeact_kernel_state']) assert.ok(!byName.has(hidden), `${hidden} is not listed`);
    const check = await kernel.execute("'__codeact_kernel_state' in globals() or 'os' in globals()");
    assert.equal(check.executionCount, before + 1, 'the silent probe did not take an execution count');
    const value = check.outputs.find((o) => o.kind === 'data');
    assert.equal(value?.kind === 'data' ? value.data['text/plain'] : '', 'False');
  });

  it("tells the kernel's working directory, also after the code moved it", async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'codeact-cwd-')));
    try {
      await kernel.execute(`import os\nos.chdir(${JSON.stringify(folder)})`);
      const result = await kernel.execute(KERNEL_STATE_PROBE_CODE, { silent: true });
      const stdout = result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
      assert.equal(parseKernelStateProbe(stdout)?.workingDirectory, folder);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("names the kernel's folder so a check here can tell it is the same folder (not one on another machine)", async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), 'codeact-cwd-id-')));
    try {
      await kernel.execute(`import os\nos.chdir(${JSON.stringify(folder)})`);
      const result = await kernel.execute(KERNEL_FOLDER_PROBE_CODE, { silent: true });
      const state = parseKernelStateProbe(result.outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join(''));
      assert.ok(state?.workingDirectoryId, 'the probe names the folder');
      assert.equal(state.workingDirectory, folder);
      assert.equal(isFolderHere(state), true, 'a local kernel is in the folder its path names here');
      // What a kernel elsewhere would say: the same path, another folder (or a path not here).
      assert.equal(isFolderHere({ ...state, workingDirectoryId: { ...state.workingDirectoryId, ino: `${state.workingDirectoryId.ino}1` } }), false);
      assert.equal(isFolderHere({ ...state, workingDirectory: join(folder, 'not-here') }), false);
      assert.equal(isFolderHere({ variables: [], workingDirectory: folder }), false, 'a kernel that did not name its folder is not trusted');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('gives undefined for output that is not the probe\'s answer', () => {
    assert.equal(parseKernelStateProbe('hello'), undefined);
    assert.equal(parseKernelStateProbe('__CODEACT_VARIABLES__{not json__CODEACT_VARIABLES_END__'), undefined);
    assert.equal(parseKernelStateProbe('__CODEACT_VARIABLES__[]__CODEACT_VARIABLES_END__'), undefined);
    assert.deepEqual(parseKernelStateProbe('__CODEACT_VARIABLES__{"variables": [{"name": 3}, {"name": "x", "type": "int", "summary": "1"}], "cwd": "/srv"}__CODEACT_VARIABLES_END__'), {
      variables: [{ name: 'x', type: 'int', summary: '1' }],
      workingDirectory: '/srv',
    });
  });
});
