// @ts-check
/**
 * Test support: Debian's Chromium driven by playwright-core.
 *
 * Playwright's own browser download does not work here, so this launches
 * the system Chromium (`apt-get install chromium`, done by scripts/js-setup).
 * Each launch gets a fresh temporary profile (Playwright makes and deletes
 * it). The flags keep Chromium off the network except for the pages a test
 * opens: this machine refuses other connections, and Chromium's background
 * services would otherwise retry them.
 */

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The Chromium binary; `$CHROMIUM_PATH` overrides Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Test pages are answered by Playwright (page.route), so Chromium cannot
  // tell they came from the loopback server and would block their
  // WebSocket to it as a public page reaching into the local network.
  '--disable-features=LocalNetworkAccessChecks',
]);

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Launches headless Chromium. Close it with `browser.close()`.
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchBrowser() {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot launch Chromium at ${CHROMIUM_PATH} (run scripts/js-setup to install it): ${message}`,
    );
  }
}

/**
 * `<repo>/target/test-output/screenshots`, created if missing (not committed).
 * @returns {string}
 */
export function screenshotDir() {
  const dir = path.join(REPO_ROOT, 'target', 'test-output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
