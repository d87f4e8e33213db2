// @ts-check
/**
 * The tracking page says plainly when an order cannot be shown: it does not
 * exist, or it belongs to another customer.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { TEST_SECRET, startServer, token } from '../support/server.js';
import { assertNoPageErrors, createOrder, customerPersona, openTrackPage, TIMEOUT } from './track-support.js';

test('an unknown order, or another customer’s, is said so plainly', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-5001');

    const missing = await openTrackPage(browser, server.url, 'ZX-9999', { waitReady: false });
    await missing.locator('#problem-title', { hasText: "We can't find order ZX-9999" }).waitFor({ timeout: TIMEOUT });
    assert.equal(await missing.locator('#main').getAttribute('data-problem'), 'order_not_found');
    assert.equal(await missing.locator('#order').isVisible(), false);
    assertNoPageErrors(missing);

    const bob = customerPersona('cust-bob', token({ sub: 'cust-bob', role: 'customer', tenant: 'demo' }), 'Bob');
    const other = await openTrackPage(browser, server.url, 'ZX-5001', { persona: bob, waitReady: false });
    await other.locator('#problem:not([hidden])').waitFor({ timeout: TIMEOUT });
    const code = await other.locator('#main').getAttribute('data-problem');
    assert.ok(code === 'forbidden' || code === 'order_not_found', String(code));
    const title = (await other.locator('#problem-title').textContent()) ?? '';
    assert.match(title, code === 'forbidden' ? /belongs to another account/ : /can't find order ZX-5001/);
    assert.equal(await other.locator('#order').isVisible(), false, 'nothing of the order is shown');
    assertNoPageErrors(other);
  } finally {
    await browser.close();
    await server.stop();
  }
});
