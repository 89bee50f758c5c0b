import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './codeServer';

/** A fresh copy of the fixture workspace, so tests can write notebooks without touching the repo. */
export function createTestWorkspace(label: string): string {
  const folder = mkdtempSync(join(tmpdir(), `codeact-ws-${label}-`));
  cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), folder, { recursive: true });
  return folder;
}

export function removeTestWorkspace(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}
