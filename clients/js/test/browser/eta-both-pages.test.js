// @ts-check
/**
 * In headless Chromium against a real server: one order's ETA reads the
 * same on the customer's tracking page and in the dispatcher's table and
 * order panel (web/assets/format.js, `etaText`; docs/pages.md, "ETAs").
 * The ETA is 95 minutes away: the rule says "in 1 h 35 min" on both (the
 * dashboard used to round it to "in 2 h").
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { startServer } from '../support/server.js';
import { TIMEOUT, assertNoPageErrors, createOrder, openTrackPage, watchPageErrors } from './track-support.js';

const ORDER = 'ZX-7401';

test('the customer and the dispatcher read one ETA the same way', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    // 95.4 minutes: "1 h 35 min" for the next 54 seconds.
    await createOrder(server.url, ORDER, { eta: new Date(Date.now() + 95.4 * 60000).toISOString() });

    const customer = await openTrackPage(browser, server.url, ORDER);
    await customer.locator('#eta:not([hidden])').waitFor({ timeout: TIMEOUT });
    const customerTime = (await customer.locator('#eta-time').innerText()).trim();
    assert.equal((await customer.locator('#eta-relative').innerText()).trim(), 'in 1 h 35 min');

    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const dispatcher = await context.newPage();
    watchPageErrors(dispatcher);
    await dispatcher.goto(`${server.url}/dispatch`);
    const row = dispatcher.locator(`#rows tr[data-id="${ORDER}"]`);
    await row.waitFor({ timeout: TIMEOUT });
    assert.equal((await row.locator('td[data-label="ETA"] time').innerText()).trim(), customerTime, 'the table shows the same time');
    await row.locator('.row-select').click();
    const eta = dispatcher.locator('#detail .detail-eta');
    await eta.waitFor({ timeout: TIMEOUT });
    assert.equal((await eta.innerText()).trim(), `ETA ${customerTime} (in 1 h 35 min)`, 'the order panel says the same');

    assertNoPageErrors(customer);
    assertNoPageErrors(dispatcher);
  } finally {
    await browser.close();
    await server.stop();
  }
});
