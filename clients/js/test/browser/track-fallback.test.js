// @ts-check
/**
 * The tracking page behind a proxy that refuses WebSocket upgrades: the
 * page still updates live through the SDK's fallback, and its badge says
 * which one.
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
  waitForAnnouncements,
  waitForBadge,
  waitForStep,
} from './track-support.js';

test('with WebSocket refused the tracking page stays live through a fallback', async () => {
  const server = await startServer({ args: ['--disable-websocket'] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-3001');
    const page = await openTrackPage(browser, server.url, 'ZX-3001');
    await waitForBadge(page, 'degraded', /^Live \(/);
    await waitForStep(page, 'placed', 'current');

    await record(server.url, 'ZX-3001', { type: 'status_changed', status: 'confirmed' });
    await waitForStep(page, 'confirmed', 'current');
    await waitForAnnouncements(page, 1);
    await record(server.url, 'ZX-3001', { type: 'delayed', reason: 'The kitchen is very busy' });
    await page.locator('#warning', { hasText: 'The kitchen is very busy' }).waitFor({ timeout: 15000 });
    await waitForStep(page, 'delayed', 'active');
    await waitForAnnouncements(page, 2);
    await record(server.url, 'ZX-3001', { type: 'status_changed', status: 'preparing' });
    await waitForStep(page, 'preparing', 'current');
    await waitForStep(page, 'delayed', 'resolved');
    await waitForAnnouncements(page, 3);
    assert.deepEqual(await announcements(page), [
      'Order status: Confirmed.',
      'Delayed: The kitchen is very busy.',
      'Order status: Being prepared.',
    ]);
    await waitForBadge(page, 'degraded', /^Live \(streaming\)$/);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await server.stop();
  }
});
