// Runs test/vscode/suite.entry.ts inside a real VS Code.
//   --runner code-server (default here): code-server from npm, driven by Playwright + Chromium
//   --runner electron: @vscode/test-electron, which downloads desktop VS Code (laptops, public CI)
//   --stats FILE: where the suite writes {passes, failures, pending}
//   --suite FILE: another compiled suite module (the benchmark uses its own)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launchBrowser } from './browser';
import { UNTRUSTED_SETTINGS, quietWorkbenchSettings, repoRoot, startCodeServer, workbenchUrl } from './codeServer';
import { stageFixtureExtension } from './fixtureExtensions';
import { createTestWorkspace, removeTestWorkspace } from './workspace';

const DEFAULT_SUITE = join(repoRoot, 'out', 'test', 'vscode', 'suite.entry.js');
const TIMEOUT_MS = 15 * 60_000;
/** test/fixtures/<name> extensions loaded beside CodeAct: a model offered through vscode.lm. */
const FIXTURE_EXTENSIONS = ['scripted-lm'];
/**
 * The third run's extra fixture: a kernel extension that stands where the Jupyter extension
 * would (its id, its commands and API, its controller's behaviour), for *.jupyter.test.ts.
 */
const JUPYTER_FIXTURE = 'jupyter-like';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

/** One run of a suite: which module, where its results go, and whether the folder is trusted. */
interface SuiteRun {
  readonly suite: string;
  readonly statsFile: string;
  readonly logFile: string;
  /** Restricted Mode: the suite's *.untrusted.test.ts files run in a folder that is not trusted. */
  readonly untrusted: boolean;
  /** Beside a Jupyter-like kernel extension: the suite's *.jupyter.test.ts files. */
  readonly besideJupyter?: boolean;
}

function fixturesOf(run: SuiteRun): string[] {
  return run.besideJupyter ? [...FIXTURE_EXTENSIONS, JUPYTER_FIXTURE] : FIXTURE_EXTENSIONS;
}

function suiteEnv(run: SuiteRun): Record<string, string> {
  return {
    CODEACT_TEST_STATS: run.statsFile,
    ...(run.untrusted ? { CODEACT_WORKSPACE_TRUST: 'untrusted' } : {}),
    ...(run.besideJupyter ? { CODEACT_SUITE_FILES: 'jupyter' } : {}),
  };
}

async function runInCodeServer(run: SuiteRun): Promise<number> {
  const { suite, statsFile, logFile } = run;
  writeFileSync(logFile, '');
  const workspace = createTestWorkspace('vscode');
  const server = await startCodeServer({
    workspace,
    userSettings: quietWorkbenchSettings(),
    untrusted: run.untrusted,
    keepLogsIn: join(repoRoot, 'test-artifacts', 'logs', run.untrusted ? 'vscode-untrusted' : run.besideJupyter ? 'vscode-jupyter' : 'vscode'),
    fixtureExtensions: fixturesOf(run),
    env: { ...suiteEnv(run), CODEACT_TEST_LOG: logFile },
  });
  const browser = await launchBrowser();
  let printed = 0;
  const printNewLog = (): void => {
    if (!existsSync(logFile)) return;
    const text = readFileSync(logFile, 'utf8');
    process.stdout.write(text.slice(printed));
    printed = text.length;
  };
  const ticker = setInterval(printNewLog, 500);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const workbenchErrors: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const line = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      if (type === 'error') workbenchErrors.push(line);
    });
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.goto(workbenchUrl(server, workspace, { testsPath: suite }));
    const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(124), TIMEOUT_MS));
    const code = await Promise.race([exitCode, timeout]);
    printNewLog();
    if (code === 124) console.error('vscode tests timed out');
    if (code !== 0 && !existsSync(statsFile)) {
      console.error('The suite did not report results. Workbench errors:\n' + workbenchErrors.slice(-30).join('\n'));
      console.error('code-server output (tail):\n' + server.output().slice(-5000));
    }
    return code;
  } finally {
    clearInterval(ticker);
    await browser.close();
    await server.stop();
    removeTestWorkspace(workspace);
  }
}

async function runInElectron(run: SuiteRun): Promise<number> {
  const { runTests } = await import('@vscode/test-electron');
  const workspace = createTestWorkspace('vscode');
  const fixturesDir = mkdtempSync(join(tmpdir(), 'codeact-fixture-exts-'));
  const fixtures = fixturesOf(run).map((name) => stageFixtureExtension(name, fixturesDir));
  // Restricted Mode needs trust turned on without its startup prompt: a profile of our own.
  const userDataDir = join(fixturesDir, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(run.untrusted ? UNTRUSTED_SETTINGS : {}));
  try {
    return await runTests({
      // Fixture extensions load as development extensions beside CodeAct.
      extensionDevelopmentPath: [repoRoot, ...fixtures.map((fixture) => fixture.folder)],
      extensionTestsPath: run.suite,
      launchArgs: [
        workspace,
        ...(run.untrusted ? ['--user-data-dir', userDataDir] : ['--disable-workspace-trust']),
        '--skip-welcome',
        '--skip-release-notes',
        ...fixtures.filter((fixture) => fixture.apiProposals.length > 0).flatMap((fixture) => ['--enable-proposed-api', fixture.id]),
      ],
      extensionTestsEnv: suiteEnv(run),
    });
  } catch (error) {
    console.error(`@vscode/test-electron failed: ${String(error)}`);
    return 1;
  } finally {
    removeTestWorkspace(workspace);
    rmSync(fixturesDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runner = argument('--runner', 'code-server');
  const statsFile = argument('--stats', join(repoRoot, 'test-artifacts', 'stats', 'vscode.json'));
  const logFile = join(repoRoot, 'test-artifacts', 'vscode-tests.log');
  rmSync(statsFile, { force: true });
  mkdirSync(dirname(statsFile), { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  const runOne = (run: SuiteRun): Promise<number> => (runner === 'electron' ? runInElectron(run) : runInCodeServer(run));
  const explicitSuite = process.argv.includes('--suite') ? argument('--suite', DEFAULT_SUITE) : undefined;
  if (explicitSuite) {
    process.exit(await runOne({ suite: explicitSuite, statsFile, logFile, untrusted: false }));
  }
  // The suite runs three times: in a trusted folder; its Restricted Mode tests in an untrusted
  // one; its tests of kernels that are not CodeAct's beside a Jupyter-like kernel extension.
  const runs: SuiteRun[] = [
    { suite: DEFAULT_SUITE, statsFile: `${statsFile}.trusted`, logFile, untrusted: false },
    { suite: DEFAULT_SUITE, statsFile: `${statsFile}.untrusted`, logFile, untrusted: true },
    { suite: DEFAULT_SUITE, statsFile: `${statsFile}.jupyter`, logFile, untrusted: false, besideJupyter: true },
  ];
  let code = 0;
  const total = { passes: 0, failures: 0, pending: 0 };
  // CODEACT_VSCODE_RUNS=trusted,untrusted,jupyter picks runs (while working on one of them).
  const picked = process.env['CODEACT_VSCODE_RUNS']?.split(',');
  const runName = (run: SuiteRun): string => (run.untrusted ? 'untrusted' : run.besideJupyter ? 'jupyter' : 'trusted');
  for (const run of runs.filter((r) => !picked || picked.includes(runName(r)))) {
    if (run.untrusted) console.log('\n  (the same extension in an untrusted folder: Restricted Mode)');
    if (run.besideJupyter) console.log('\n  (beside a kernel extension that behaves as the Jupyter extension does)');
    const status = await runOne(run);
    if (status !== 0) code = status;
    if (!existsSync(run.statsFile)) continue;
    const stats = JSON.parse(readFileSync(run.statsFile, 'utf8')) as typeof total;
    total.passes += stats.passes;
    total.failures += stats.failures;
    total.pending += stats.pending;
    rmSync(run.statsFile, { force: true });
  }
  writeFileSync(statsFile, JSON.stringify(total));
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
