// @ts-check
/**
 * The tracking page when the browser goes offline (Playwright's
 * `context.setOffline`): the badge stops saying "Live" at once and says
 * how old the data is, the polite live region says the connection was lost
 * (once), and when the network is back the page resyncs, shows what
 * happened meanwhile, and says it is connected again (once).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { startServer } from '../support/server.js';
import {
  announcements,
  assertNoPageErrors,
  createOrder,
  openTrackPage,
  record,
  waitForBadge,
  waitForStep,
} from './track-support.js';

/** "At once": well before the two heartbeat intervals (50 s) it took. */
const AT_ONCE_MS = 2000;

test('offline, the badge says so at once and the page resyncs when the network is back', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-7501');
    const page = await openTrackPage(browser, server.url, 'ZX-7501');
    await waitForBadge(page, 'live', /^Live$/);
    await record(server.url, 'ZX-7501', { type: 'status_changed', status: 'confirmed' });
    await waitForStep(page, 'confirmed', 'current');

    await page.context().setOffline(true);
    await waitForBadge(page, 'offline', /^Offline – showing data from \d/, AT_ONCE_MS);
    // Meanwhile the shop moves on.
    await record(server.url, 'ZX-7501', { type: 'status_changed', status: 'preparing' });
    await record(server.url, 'ZX-7501', { type: 'delayed', reason: 'The kitchen is very busy' });
    await page.waitForFunction(
      // @ts-ignore the recorder's global
      () => window.__announcements.some((/** @type {string} */ text) => /^Connection lost/.test(text)),
      null,
      { timeout: AT_ONCE_MS * 2 },
    );
    // Still offline a while later: the badge has not gone back to "Live".
    await page.waitForTimeout(1500);
    assert.match((await page.locator('#connection').innerText()).trim(), /Offline/);

    const back = Date.now();
    await page.context().setOffline(false);
    await waitForBadge(page, 'live', /^Live$/);
    await waitForStep(page, 'preparing', 'current');
    await page.locator('#warning', { hasText: 'The kitchen is very busy' }).waitFor({ timeout: 15000 });
    console.log(`# live again ${Date.now() - back} ms after the network came back`);
    await page.waitForFunction(
      // @ts-ignore the recorder's global
      () => window.__announcements.some((/** @type {string} */ text) => /^Connected again/.test(text)),
      null,
      { timeout: 15000 },
    );
    const said = await announcements(page);
    assert.equal(said.filter((text) => /^Connection lost/.test(text)).length, 1, JSON.stringify(said));
    assert.equal(said.filter((text) => /^Connected again/.test(text)).length, 1, JSON.stringify(said));
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await server.stop();
  }
});
