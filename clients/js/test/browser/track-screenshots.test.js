// @ts-check
/**
 * The tracking page's look, for people to review: screenshots of an order
 * out for delivery (delayed, courier moving) on a desktop and on a 360 px
 * phone, and of a delivered order, written to target/test-output/screenshots.
 * Along the way: no horizontal scrolling at 360 px, and every control is
 * reached by Tab with a visible focus ring.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { startServer } from '../support/server.js';
import { advance, assertNoPageErrors, createOrder, openTrackPage, record, TIMEOUT, waitForStep } from './track-support.js';

/**
 * Sends a few positions along a street, one every 100 ms.
 * @param {string} url
 * @param {string} id
 * @param {number} from index of the first position
 * @param {number} count
 */
async function drive(url, id, from, count) {
  for (let i = from; i < from + count; i += 1) {
    await record(url, id, { type: 'location', lat: 52.5079 + i * 0.0003, lng: 13.3915 - i * 0.00006, heading: 350, ts: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('screenshots of the tracking page on a desktop and at 360 px, with no horizontal scroll and visible focus', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  const dir = screenshotDir();
  try {
    await createOrder(server.url, 'ZX-1001');
    await advance(server.url, 'ZX-1001', ['confirmed', 'preparing']);
    await record(server.url, 'ZX-1001', { type: 'courier_assigned', courier: { id: 'courier-max', name: 'Max Mustermann' } });
    await advance(server.url, 'ZX-1001', ['shipped', 'out_for_delivery']);
    await record(server.url, 'ZX-1001', {
      type: 'delayed',
      reason: 'Heavy traffic on Friedrichstraße',
      eta: new Date(Date.now() + 18 * 60000).toISOString(),
    });
    await drive(server.url, 'ZX-1001', 0, 4);

    for (const [name, viewport] of /** @type {const} */ ([
      ['track-desktop.png', { width: 1280, height: 900 }],
      ['track-mobile-360.png', { width: 360, height: 740 }],
    ])) {
      const page = await openTrackPage(browser, server.url, 'ZX-1001', { viewport });
      await waitForStep(page, 'out_for_delivery', 'current');
      await drive(server.url, 'ZX-1001', 4, 5);
      await page.locator('#map-card:not(.is-waiting)').waitFor({ timeout: TIMEOUT });
      await page.locator('#warning', { hasText: 'Heavy traffic' }).waitFor({ timeout: TIMEOUT });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= viewport.width, `${name}: the page is ${width} px wide in a ${viewport.width} px window`);
      await page.screenshot({ path: path.join(dir, name), fullPage: true });
      assertNoPageErrors(page);
      await page.context().close();
    }

    // Keyboard: Tab reaches every control, each with a visible focus ring.
    const page = await openTrackPage(browser, server.url, 'ZX-1001', { viewport: { width: 360, height: 740 } });
    /** @type {string[]} */
    const reached = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = /** @type {HTMLElement | null} */ (document.activeElement);
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { name: el.id || el.className || el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
      });
      if (!focus) break;
      reached.push(focus.name);
      assert.ok(focus.outline !== 'none' && focus.width >= 2, `${focus.name} shows its focus: ${JSON.stringify(focus)}`);
    }
    assert.ok(reached.includes('instructions-edit'), `Tab reaches the Edit button: ${JSON.stringify(reached)}`);
    await page.locator('#instructions-edit').focus();
    await page.screenshot({ path: path.join(dir, 'track-mobile-360-focus.png') });
    await page.context().close();

    // Delivered: final, no map, no "reconnecting".
    await advance(server.url, 'ZX-1001', ['delivered']);
    for (const [name, viewport] of /** @type {const} */ ([
      ['track-delivered-desktop.png', { width: 1280, height: 900 }],
      ['track-delivered-360.png', { width: 360, height: 740 }],
    ])) {
      const done = await openTrackPage(browser, server.url, 'ZX-1001', { viewport });
      await waitForStep(done, 'delivered', 'done');
      await done.locator('#connection[data-tone="final"]').waitFor({ timeout: TIMEOUT });
      await done.screenshot({ path: path.join(dir, name), fullPage: true });
      assertNoPageErrors(done);
      await done.context().close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});
