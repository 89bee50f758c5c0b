// The mocha suite run inside a real VS Code's extension host. Both runners load this module
// as `extensionTestsPath` and call run(): @vscode/test-electron on desktop VS Code, and
// code-server here (test/harness/runVSCodeTests.entry.ts).
import Mocha from 'mocha';
import { readdirSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

function testFiles(dir: string, suffix: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/**
 * Mirrors the reporter's output to a file when CODEACT_TEST_LOG is set: the extension host's
 * console is not the terminal under code-server, so the runner prints the file instead.
 */
function mirrorConsoleToFile(): void {
  const logFile = process.env['CODEACT_TEST_LOG'];
  if (!logFile) return;
  const originalLog = console.log.bind(console);
  const mirroredLog = (...args: unknown[]): void => {
    appendFileSync(logFile, format(...args) + '\n');
    originalLog(...args);
  };
  console.log = mirroredLog;
  // Mocha's reporters captured console.log when mocha was loaded.
  Mocha.reporters.Base.consoleLog = mirroredLog;
}

/**
 * The runner opens the workspace trusted for the *.vscode.test.ts files, or (a second run) in
 * Restricted Mode for the *.untrusted.test.ts files, or (a third) beside a Jupyter-like kernel
 * extension, where the *.jupyter.test.ts files run and then the whole *.vscode.test.ts suite
 * again: everything must work for a user who has the Jupyter extension. The activation tests
 * always go first (they check that nothing activated CodeAct yet, and files sort by name), and
 * the Jupyter ones before the rest, which select CodeAct Python for their notebooks.
 */
function suiteFiles(): string[] {
  if (process.env['CODEACT_WORKSPACE_TRUST'] === 'untrusted') return testFiles(__dirname, '.untrusted.test.js');
  const isActivation = (file: string): boolean => /activation\.vscode\.test\.js$/.test(file);
  const all = testFiles(__dirname, '.vscode.test.js');
  const activation = all.filter(isActivation);
  const rest = all.filter((file) => !isActivation(file));
  const jupyter = process.env['CODEACT_SUITE_FILES'] === 'jupyter' ? testFiles(__dirname, '.jupyter.test.js') : [];
  return [...activation, ...jupyter, ...rest];
}

export async function run(): Promise<void> {
  mirrorConsoleToFile();
  const grep = process.env['CODEACT_TEST_GREP'];
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  for (const file of suiteFiles()) mocha.addFile(file);
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const statsFile = process.env['CODEACT_TEST_STATS'];
      if (statsFile) {
        const { passes, failures: failed, pending } = runner.stats ?? { passes: 0, failures: failures, pending: 0 };
        writeFileSync(statsFile, JSON.stringify({ passes, failures: failed, pending }));
      }
      if (failures > 0) reject(new Error(`${failures} tests failed`));
      else resolve();
    });
  });
}
