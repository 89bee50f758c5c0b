// Launches Chromium through playwright-core: Debian's /usr/bin/chromium here (no browser
// download is possible), or Playwright's own browser where CODEACT_CHROMIUM is unset and it
// is installed.
import { Browser, chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string | undefined {
  const configured = process.env['CODEACT_CHROMIUM'];
  if (configured) return configured;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  return chromium.launch({ headless: true, args: CHROMIUM_FLAGS, ...(executablePath ? { executablePath } : {}) });
}
