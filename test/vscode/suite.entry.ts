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

export async function run(): Promise<void> {
  mirrorConsoleToFile();
  const grep = process.env['CODEACT_TEST_GREP'];
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  // The runner opens the workspace trusted, or (a second run) in Restricted Mode for the
  // *.untrusted.test.ts files, or (a third) beside a Jupyter-like kernel extension for the
  // *.jupyter.test.ts files.
  const suffix =
    process.env['CODEACT_WORKSPACE_TRUST'] === 'untrusted' ? '.untrusted.test.js' : process.env['CODEACT_SUITE_FILES'] === 'jupyter' ? '.jupyter.test.js' : '.vscode.test.js';
  for (const file of testFiles(__dirname, suffix)) mocha.addFile(file);
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
