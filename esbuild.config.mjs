// Builds the three bundles:
//   dist/extension.js  the extension host (node, cjs, `vscode` external)
//   dist/webview.js    the chat webview (browser, iife) with dist/webview.css and the codicon font
//   out/test/**        test entry points (node, cjs), one bundle per test file
// Flags: --watch rebuilds on change, --production minifies and drops sourcemaps.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, cpSync, mkdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// --tests-only builds just the test bundles (fast, and independent of a half-edited extension).
const testsOnly = process.argv.includes('--tests-only');

/** Lists files under `dir` whose names end with one of `suffixes`. */
function filesUnder(dir, suffixes) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, suffixes));
    else if (suffixes.some((s) => name.endsWith(s))) found.push(path);
  }
  return found;
}

/** Copies files the bundles load at run time but do not import (the Python bridge). */
const copyRuntimeFiles = {
  name: 'copy-runtime-files',
  setup(build) {
    build.onEnd(() => {
      if (!existsSync('src/kernel/python')) return;
      mkdirSync('dist/python', { recursive: true });
      cpSync('src/kernel/python', 'dist/python', { recursive: true, filter: (p) => !p.includes('__pycache__') });
    });
  },
};

/** Prints build errors in the problem-matcher format of the `watch` task. */
const reportProblems = {
  name: 'report-problems',
  setup(build) {
    if (!watch) return;
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [reportProblems],
};

const appBuilds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // Prompt templates (src/agent/prompts/*.md) are bundled as strings.
    loader: { '.md': 'text' },
    plugins: [...common.plugins, copyRuntimeFiles],
  },
  {
    ...common,
    entryPoints: { webview: 'media/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
  },
];

const builds = testsOnly ? [] : appBuilds;
if (!production) {
  const testEntries = filesUnder('test', ['.test.ts']).concat(filesUnder('test', ['.entry.ts']));
  builds.push({
    ...common,
    entryPoints: testEntries,
    outdir: 'out/test',
    outbase: 'test',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Loaded from node_modules at run time: the VS Code API is injected by the extension host,
    // and mocha/playwright must be the single copies their runners use.
    external: ['vscode', 'mocha', 'playwright-core', 'openai', '@vscode/test-electron'],
    loader: { '.md': 'text' },
  });
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  console.log(`built ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}: ${builds.map((b) => b.outfile ?? relative('.', b.outdir)).join(', ')}`);
}
