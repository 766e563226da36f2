import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * One way for the browser tests to start Chromium: the system's binary
 * (`npx playwright install` cannot download browsers on these machines),
 * headless, with the background chatter switched off.
 */
export const CHROMIUM = process.env.OMT_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots of the browser tests land here (git-ignored). */
export const TEST_RESULTS = join(__dirname, '..', '..', 'test-results');

/** The README's tour shows these; a test rewrites them only when asked (OMT_UPDATE_DOCS_SCREENSHOTS=1). */
export const DOCS = join(__dirname, '..', '..', 'docs');

/**
 * A full-page screenshot into test-results/, and, with
 * OMT_UPDATE_DOCS_SCREENSHOTS=1, a copy under docs/ for the README.
 */
export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<void> {
  const path = join(TEST_RESULTS, name);
  await page.screenshot({ path, fullPage: true });
  if (options.docs && process.env.OMT_UPDATE_DOCS_SCREENSHOTS === '1') {
    await mkdir(DOCS, { recursive: true });
    await copyFile(path, join(DOCS, name));
  }
}

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
