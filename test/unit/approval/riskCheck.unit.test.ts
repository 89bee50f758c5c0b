/**
 * The risky-code check end to end in Node: the real helper (IPython's transformer and `ast` in
 * the test's Python) behind the port, then the approval policy with auto-approve on. A bypass
 * must ask; an ordinary data-science action must not. Needs Python with IPython (CODEACT_TEST_PYTHON).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkApproval } from '../../../src/agent/approvalPolicy';
import { type RiskAnalyzer, type RiskFinding, analyzeFailingClosed, riskReasons } from '../../../src/agent/riskAnalyzer';
import { RiskCheckProcess } from '../../../src/kernel/riskCheckProcess';
import { repoRoot } from '../../harness/repoRoot';
import { BYPASSES, ORDINARY } from './riskCheckCases';

const PYTHON = process.env.CODEACT_TEST_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'src', 'kernel', 'python', 'codeact_risk_check.py');

function verdictUnderAutoApprove(risks: readonly RiskFinding[]): string {
  return checkApproval({ workspaceTrusted: true, risks, invisibleCharacters: [], autoApproveSetting: true, allowAllInChat: false, autoApprovedInTask: 0, autoApproveMaxActions: 100, riskyCodeAlwaysAsks: true }).kind;
}

describe('risky-code check (fails closed)', function () {
  let folder: string;
  let check: RiskCheckProcess;

  before(function () {
    folder = mkdtempSync(join(tmpdir(), 'codeact-risk-'));
    writeFileSync(join(folder, 'data.csv'), 'a,b\n1,2\n');
    mkdirSync(join(folder, 'out'));
    symlinkSync(tmpdir(), join(folder, 'link'));
    // A module file in the folder shadows the library of that name: importing it runs it.
    writeFileSync(join(folder, 'tqdm.py'), 'print("not the real tqdm")\n');
    check = new RiskCheckProcess({ pythonPath: () => PYTHON, scriptPath: SCRIPT });
  });

  after(function () {
    check.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  const analyze = (code: string): Promise<RiskFinding[]> => analyzeFailingClosed(check, code, { folder, workingFolder: folder }, undefined, 20_000);

  let bypassCount = 0;
  for (const [kind, cases] of Object.entries(BYPASSES)) {
    describe(`bypass: ${kind}`, function () {
      for (const code of cases) {
        bypassCount += 1;
        it(JSON.stringify(code).slice(0, 100), async function () {
          const risks = await analyze(code);
          assert.ok(!risks.some((risk) => risk.category === 'checkFailed'), riskReasons(risks).join('; '));
          assert.equal(verdictUnderAutoApprove(risks), 'ask', 'ran without asking');
        });
      }
    });
  }

  describe('ordinary data-science actions', function () {
    for (const code of ORDINARY) {
      it(JSON.stringify(code).slice(0, 100), async function () {
        const risks = await analyze(code);
        assert.deepEqual(riskReasons(risks), []);
        assert.equal(verdictUnderAutoApprove(risks), 'autoRun');
      });
    }
  });

  it(`holds at least 150 bypasses and 60 ordinary actions`, function () {
    assert.ok(bypassCount >= 150, String(bypassCount));
    assert.ok(ORDINARY.length >= 60, String(ORDINARY.length));
  });

  it('gives each reason once, in line order, with its line', async function () {
    const risks = await analyze("import os\nx = 1\nos.remove('a')\nm.system('x')");
    assert.deepEqual(
      risks.map((risk) => risk.line),
      [3, 4],
    );
    assert.deepEqual(riskReasons(risks), ['calls `os.remove`', 'uses a name the check cannot resolve: `m.system`']);
  });

  it('explains without auto-approve: every action asks, the reasons are still found', async function () {
    const risks = await analyze("import posix\nposix.system('id')");
    assert.ok(riskReasons(risks).includes('calls `posix.system`'), riskReasons(risks).join('; '));
    const verdict = checkApproval({ workspaceTrusted: true, risks: [], invisibleCharacters: [], autoApproveSetting: false, allowAllInChat: false, autoApprovedInTask: 0, autoApproveMaxActions: 100, riskyCodeAlwaysAsks: true });
    assert.equal(verdict.kind, 'ask');
  });

  it('asks when a file in the folder shadows an allowlisted module', async function () {
    const risks = await analyze('import tqdm');
    assert.deepEqual(riskReasons(risks), ['imports `tqdm`, which a file in the folder may shadow']);
  });

  describe("relative paths resolve in the kernel's working folder", function () {
    const write = "import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('result.csv')";
    const at = (workingFolder: string | undefined): Promise<RiskFinding[]> =>
      analyzeFailingClosed(check, write, { folder, ...(workingFolder ? { workingFolder } : {}) }, undefined, 20_000);

    it('a relative write from a kernel in a subfolder of the folder runs', async function () {
      assert.deepEqual(riskReasons(await at(join(folder, 'out'))), []);
    });

    it('asks for a relative write once the kernel moved out of the folder (an earlier %cd or os.chdir)', async function () {
      const outside = mkdtempSync(join(tmpdir(), 'codeact-risk-moved-'));
      try {
        const risks = await at(outside);
        assert.deepEqual(riskReasons(risks), ['writes with `.to_csv` outside the folder: `result.csv`']);
        assert.equal(verdictUnderAutoApprove(risks), 'ask');
        // The same write from the folder itself runs: the kernel's folder is what decides.
        assert.equal(verdictUnderAutoApprove(await at(folder)), 'autoRun');
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });

    it("asks for relative writes and imports when the kernel's working folder could not be read, not for plain computing", async function () {
      const risks = await at(undefined);
      assert.deepEqual(riskReasons(risks), [
        "imports `pandas`, which a file in the kernel's working folder (not known) may shadow",
        "writes with `.to_csv` to `result.csv`, relative to the kernel's working folder, which the check could not read",
      ]);
      assert.deepEqual(await analyzeFailingClosed(check, 'total = sum(range(10))\nprint(total)', { folder }, undefined, 20_000), []);
    });

    it("asks when a file in the kernel's working folder shadows a module, even outside the folder", async function () {
      const moved = mkdtempSync(join(tmpdir(), 'codeact-risk-shadow-'));
      try {
        writeFileSync(join(moved, 'numpy.py'), 'print("not numpy")\n');
        const risks = await analyzeFailingClosed(check, 'import numpy as np', { folder, workingFolder: moved }, undefined, 20_000);
        assert.deepEqual(riskReasons(risks), ['imports `numpy`, which a file in the folder may shadow']);
      } finally {
        rmSync(moved, { recursive: true, force: true });
      }
    });
  });

  it('fails closed on input too deep to read, and answers the next check', async function () {
    const risks = await analyze('x = ' + '('.repeat(5000) + ')'.repeat(5000));
    assert.equal(verdictUnderAutoApprove(risks), 'ask');
    assert.deepEqual(await analyze('print(1)'), []);
  });

  describe('fails closed', function () {
    it('asks when the interpreter does not exist', async function () {
      const missing = new RiskCheckProcess({ pythonPath: () => join(folder, 'no-python'), scriptPath: SCRIPT });
      const risks = await analyzeFailingClosed(missing, 'print(1)', { folder, workingFolder: folder });
      missing.dispose();
      assert.equal(risks[0]?.category, 'checkFailed');
      assert.match(risks[0]?.reason ?? '', /could not be checked/);
      assert.equal(verdictUnderAutoApprove(risks), 'ask');
    });

    it('asks when the helper cannot import IPython or crashes', async function () {
      const script = join(folder, 'crash.py');
      writeFileSync(script, 'import sys\nprint(\'{"error": "IPython is not importable"}\', flush=True)\nsys.exit(3)\n');
      const crashing = new RiskCheckProcess({ pythonPath: () => PYTHON, scriptPath: script });
      const risks = await analyzeFailingClosed(crashing, 'print(1)', { folder, workingFolder: folder });
      crashing.dispose();
      assert.match(risks[0]?.reason ?? '', /IPython is not importable/);
      assert.equal(verdictUnderAutoApprove(risks), 'ask');
    });

    it('asks when the helper does not answer in time, and recovers with a new helper', async function () {
      const script = join(folder, 'hang.py');
      writeFileSync(script, 'import sys, time\nprint(\'{"ready": true}\', flush=True)\ntime.sleep(60)\n');
      const hanging = new RiskCheckProcess({ pythonPath: () => PYTHON, scriptPath: script, checkTimeoutMs: 300 });
      const risks = await analyzeFailingClosed(hanging, 'print(1)', { folder, workingFolder: folder });
      hanging.dispose();
      assert.match(risks[0]?.reason ?? '', /no answer within 300 ms/);
      assert.equal(verdictUnderAutoApprove(risks), 'ask');
    });

    it('asks when the check rejects or hangs (the port alone)', async function () {
      const rejecting: RiskAnalyzer = { analyze: () => Promise.reject(new Error('boom')) };
      const hangingPort: RiskAnalyzer = { analyze: () => new Promise(() => undefined) };
      assert.equal(verdictUnderAutoApprove(await analyzeFailingClosed(rejecting, 'x', {})), 'ask');
      const late = await analyzeFailingClosed(hangingPort, 'x', {}, undefined, 50);
      assert.match(late[0]?.reason ?? '', /longer than 50 ms/);
    });

    it('asks for writes when the folder is unknown', async function () {
      const noFolder = new RiskCheckProcess({ pythonPath: () => PYTHON, scriptPath: SCRIPT });
      const risks = await analyzeFailingClosed(noFolder, "open('out.txt', 'w')", { workingFolder: folder }, undefined, 20_000);
      noFolder.dispose();
      assert.equal(verdictUnderAutoApprove(risks), 'ask');
    });
  });
});

describe('risky-code check: reading Python as IPython would', function () {
  it('a cell it reads as plain Python is one IPython runs unchanged (every case of the tables)', function () {
    const cases = [...Object.values(BYPASSES).flat(), ...ORDINARY];
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(repoRoot, 'src', 'kernel', 'python'))})`,
      'from codeact_risk_check import plain_python',
      'from IPython.core.inputtransformer2 import TransformerManager',
      't = TransformerManager()',
      'bad = [c for c in json.load(sys.stdin) if plain_python(c) is not None and t.transform_cell(c).rstrip() != c.rstrip()]',
      'print(json.dumps(bad))',
    ].join('\n');
    const result = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout) as unknown, []);
  });
});
