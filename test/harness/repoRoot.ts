import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the first folder above this bundle with a package.json (bundles sit at different depths). */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}
