// @ts-check
/**
 * The customer's tracking page in headless Chromium: a customer, logged in
 * as themselves, watches ZX-1001 go from placed to delivered while the
 * shop's events are recorded through the REST API. Every step shows as it
 * happens, the courier moves on the map (before dispatch the page says the
 * map is to come, instead of showing an empty one), the page ends saying
 * the order is final, and the live region announced each status change
 * exactly once.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { TEST_SECRET, startServer, token } from '../support/server.js';
import {
  announcements,
  assertNoPageErrors,
  badge,
  createOrder,
  customerPersona,
  openTrackPage,
  record,
  timeline,
  TIMEOUT,
  waitForAnnouncements,
  waitForBadge,
  waitForStep,
} from './track-support.js';

const MAIN_PATH = ['placed', 'confirmed', 'preparing', 'shipped', 'out_for_delivery', 'delivered'];

test('a customer watches ZX-1001 go from placed to delivered, live, and hears each status change once', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-1001');
    const persona = customerPersona('cust-ada', token({ sub: 'cust-ada', role: 'customer', tenant: 'demo' }));
    const page = await openTrackPage(browser, server.url, 'ZX-1001', { persona });

    await waitForStep(page, 'placed', 'current');
    await waitForBadge(page, 'live', /^Live$/);
    assert.equal(await page.locator('#status-headline').textContent(), 'Order placed');
    assert.match((await page.locator('#session').textContent()) ?? '', /Ada Lovelace/);
    assert.deepEqual(await announcements(page), [], 'nothing is announced on the first load');
    // Before dispatch: a note where the map will be, no empty map.
    assert.equal(await page.locator('#map').isVisible(), false, 'no map strip before dispatch');
    assert.match((await page.locator('#map-upcoming').innerText()).trim(), /follow your courier here once your order is out for delivery/);

    /** @type {string[]} */
    const expected = [];
    /** @param {string} status @param {string} label */
    const step = async (status, label) => {
      await record(server.url, 'ZX-1001', { type: 'status_changed', status });
      await waitForStep(page, status, status === 'delivered' ? 'done' : 'current');
      expected.push(`Order status: ${label}.`);
      await waitForAnnouncements(page, expected.length);
    };

    await step('confirmed', 'Confirmed');
    await step('preparing', 'Being prepared');
    await record(server.url, 'ZX-1001', {
      type: 'courier_assigned',
      courier: { id: 'courier-max', name: 'Max Mustermann', phone: '+49 30 1234567' },
    });
    await page.locator('#courier-name', { hasText: 'Max Mustermann' }).waitFor({ timeout: TIMEOUT });
    await step('shipped', 'Shipped');
    await record(server.url, 'ZX-1001', { type: 'eta_changed', eta: new Date(Date.now() + 15 * 60000).toISOString() });
    await step('out_for_delivery', 'Out for delivery');

    // The courier's position, as the courier app sends it.
    for (let i = 0; i < 3; i += 1) {
      await record(server.url, 'ZX-1001', { type: 'location', lat: 52.508 + i * 0.001, lng: 13.3915, heading: 0, ts: Date.now() + i });
    }
    await page.locator('#map-card:not(.is-waiting) #map svg').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#map-upcoming').isVisible(), false);
    await page.locator('#map-caption', { hasText: "Max Mustermann's position" }).waitFor({ timeout: TIMEOUT });

    await step('delivered', 'Delivered');

    // Every step done, and the page says the order is final.
    const rows = await timeline(page);
    assert.deepEqual(
      rows.map((r) => [r.status, r.state]),
      MAIN_PATH.map((s) => [s, 'done']),
    );
    assert.ok(rows.every((r) => r.datetime), 'each step has its time');
    await waitForBadge(page, 'final', /Final/);
    assert.equal((await badge(page)).text, 'Final – this order is complete');
    assert.equal(await page.locator('#status-headline').textContent(), 'Delivered');
    assert.equal(await page.locator('#map-card').isVisible(), false, 'no map once delivered');

    // One announcement per status change: none for the courier, the ETA or the positions.
    assert.deepEqual(await announcements(page), expected);
    const text = (await page.locator('body').textContent()) ?? '';
    assert.ok(!text.includes('1234567'), "the courier's phone is never shown to a customer");
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await server.stop();
  }
});
