#!/usr/bin/env node
// Runs the test tiers and prints one closing line "tests: N passed, N failed".
//   node scripts/test.mjs              all tiers: unit, vscode, ui
//   node scripts/test.mjs unit ui      only those tiers
//   --runner electron                  run the vscode tier with @vscode/test-electron instead of
//                                      code-server (needs to download VS Code: laptops, public CI)
// Tiers:
//   unit    mocha in Node: modules without `vscode`, plus real ipykernel and HTTP where they need it
//   vscode  the same mocha inside a real VS Code's extension host (code-server here)
//   ui      Playwright clicking in the real VS Code workbench like a person
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TIERS = ['unit', 'vscode', 'ui'];

function testFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...testFiles(path, suffix));
    else if (name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/** Child mode: run one tier's compiled mocha files in this process and write its stats. */
async function runMochaChild(tier, statsFile) {
  const { default: Mocha } = await import('mocha');
  const grep = process.env.CODEACT_TEST_GREP;
  const mocha = new Mocha({ reporter: 'spec', timeout: tier === 'ui' ? 180_000 : 60_000, color: true, ...(grep ? { grep } : {}) });
  const files = testFiles(join(root, 'out', 'test', tier), `.${tier}.test.js`);
  if (tier === 'ui') files.unshift(join(root, 'out', 'test', 'ui', 'hooks.entry.js'));
  for (const file of files) mocha.addFile(file);
  await new Promise((resolve) => {
    const runner = mocha.run((failed) => {
      const { passes = 0, failures = failed, pending = 0 } = runner.stats ?? {};
      writeStats(statsFile, { passes, failures, pending });
      process.exitCode = failed > 0 ? 1 : 0;
      resolve();
    });
  });
}

function writeStats(file, stats) {
  mkdirSync(dirname(file), { recursive: true });
  // Synchronous so the parent can read it right after this process exits.
  writeFileSync(file, JSON.stringify(stats));
}

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--mocha-child') {
    await runMochaChild(args[1], args[2]);
    return;
  }
  const runnerIndex = args.indexOf('--runner');
  const runnerName = runnerIndex >= 0 ? args[runnerIndex + 1] : 'code-server';
  const tiers = args.filter((a, i) => TIERS.includes(a) && args[i - 1] !== '--runner');
  const selected = tiers.length > 0 ? tiers : TIERS;

  const buildArgs = ['esbuild.config.mjs', ...(process.env.CODEACT_TESTS_ONLY_BUILD ? ['--tests-only'] : [])];
  if (run('node', buildArgs) !== 0) {
    console.error('build failed');
    process.exit(1);
  }
  // Each run has its own stats folder, so two runs at once cannot disturb each other.
  const statsDir = mkdtempSync(join(tmpdir(), 'codeact-test-stats-'));
  const totals = { passes: 0, failures: 0, pending: 0 };
  const broken = [];
  for (const tier of selected) {
    console.log(`\n=== ${tier} tests ===`);
    const statsFile = join(statsDir, `${tier}.json`);
    const status = tier === 'vscode'
      ? run('node', [join('out', 'test', 'harness', 'runVSCodeTests.entry.js'), '--runner', runnerName, '--stats', statsFile])
      : run('node', [fileURLToPath(import.meta.url), '--mocha-child', tier, statsFile]);
    let stats;
    try {
      stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    } catch {
      stats = undefined;
    }
    if (!stats) {
      broken.push(`${tier}: exited ${status} without results`);
      totals.failures += 1;
      continue;
    }
    totals.passes += stats.passes;
    totals.failures += stats.failures;
    totals.pending += stats.pending;
    if (status !== 0 && stats.failures === 0) {
      broken.push(`${tier}: exited ${status}`);
      totals.failures += 1;
    }
    if (stats.passes + stats.failures === 0) {
      broken.push(`${tier}: ran no test`);
      totals.failures += 1;
    }
  }
  rmSync(statsDir, { recursive: true, force: true });
  for (const line of broken) console.error(`broken tier: ${line}`);
  console.log(`\ntests: ${totals.passes} passed, ${totals.failures} failed` + (totals.pending ? `, ${totals.pending} skipped` : ''));
  process.exit(totals.failures === 0 ? 0 : 1);
}

await main();
