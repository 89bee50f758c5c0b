// A newcomer's `npm ci` (the first step of `npm start`) ends without npm 11's "install scripts
// not yet covered by allowScripts" warning: every dependency with an install script is reviewed
// in package.json's `allowScripts` (true: it runs, false: it is skipped), and no stale entry
// is left there. npm 12 blocks the scripts of packages that are not listed.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/repoRoot';

interface LockedPackage {
  readonly hasInstallScript?: boolean;
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(repoRoot, name), 'utf8')) as T;
}

/** The package name of a lockfile key ("node_modules/a/node_modules/@scope/b" → "@scope/b"). */
function packageName(lockKey: string): string {
  return lockKey.slice(lockKey.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('install scripts of dependencies (npm allowScripts)', () => {
  const manifest = readJson<{ allowScripts?: Record<string, boolean> }>('package.json');
  const lock = readJson<{ packages: Record<string, LockedPackage> }>('package-lock.json');
  const withScripts = [...new Set(Object.entries(lock.packages).filter(([key, entry]) => key !== '' && entry.hasInstallScript).map(([key]) => packageName(key)))].sort();
  // Entries may pin a version ("esbuild@0.25.12"); the name is what is matched here.
  const reviewed = Object.keys(manifest.allowScripts ?? {}).map((key) => key.replace(/(?<=.)@[^@]*$/, ''));

  it('lists every dependency that has an install script', () => {
    assert.deepEqual(withScripts.filter((name) => !reviewed.includes(name)), [], 'not in package.json allowScripts');
  });

  it('lists nothing that is no longer installed with an install script', () => {
    assert.deepEqual(reviewed.filter((name) => !withScripts.includes(name)), [], 'stale in package.json allowScripts');
  });
});
