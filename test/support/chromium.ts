import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * One way for the browser tests to start Chromium: the system's binary
 * (`npx playwright install` cannot download browsers on these machines),
 * headless, with the background chatter switched off.
 */
export const CHROMIUM = process.env.OMT_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of the browser tests land here (git-ignored). */
export const TEST_RESULTS = join(__dirname, '..', '..', 'test-results');

/** Whether Chromium is installed; when it is not, the caller skips its suite; this says so. */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.warn(`${suite} SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set OMT_CHROMIUM).`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  await mkdir(TEST_RESULTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
