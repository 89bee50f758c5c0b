#!/usr/bin/env node
// `npm run bench [executor|cell|render|large|footprint|risk|prompt ...]`: builds, then runs the benchmark
// (test/bench/bench.entry.ts). Ratios are against baselines measured in the same run.
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync('node', ['esbuild.config.mjs'], { cwd: root, stdio: 'inherit' });
execFileSync('node', [join('out', 'test', 'bench', 'bench.entry.js'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
