// Test-only extensions that the VS Code tier loads next to CodeAct (see test/fixtures/*/):
// each is its package.json plus its bundled extension.entry.ts, staged as an installable
// extension folder.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repoRoot';

export interface FixtureExtension {
  /** publisher.name */
  readonly id: string;
  /** Proposed APIs it uses: the runner must enable them for it. */
  readonly apiProposals: readonly string[];
  /** The staged extension folder. */
  readonly folder: string;
}

/** Copies test/fixtures/<name> (manifest) and its bundle from out/test into `parent`. */
export function stageFixtureExtension(name: string, parent: string): FixtureExtension {
  const source = join(repoRoot, 'test', 'fixtures', name);
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string; enabledApiProposals?: string[] };
  const id = `${manifest.publisher}.${manifest.name}`;
  const folder = join(parent, `${id}-${manifest.version}`);
  mkdirSync(folder, { recursive: true });
  // In the repository `main` points at the bundle in out/ (so F5 can load the folder as is);
  // the staged copy carries its bundle beside the manifest.
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ ...manifest, main: './extension.js' }, null, 2));
  cpSync(join(repoRoot, 'out', 'test', 'fixtures', name, 'extension.entry.js'), join(folder, 'extension.js'));
  return { id, apiProposals: manifest.enabledApiProposals ?? [], folder };
}
