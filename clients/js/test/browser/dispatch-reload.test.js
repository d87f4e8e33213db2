// @ts-check
/**
 * The dispatcher dashboard of a tenant with more active orders than the
 * feed's snapshot holds (it carries the newest 100): after a reload every
 * active order is listed, with its customer, address and items, also the
 * oldest, also one whose next event comes after the reload.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { api, startServer } from '../support/server.js';

const T = { timeout: 30000 };
const ORDERS = 207;

test('after a reload the dashboard lists every one of 207 active orders, with full rows', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const ids = Array.from({ length: ORDERS }, (_, i) => `L-${String(i + 1).padStart(3, '0')}`);
    // In order, so L-001 is the oldest.
    for (const id of ids) {
      const reply = await api(server.url, 'POST', '/v1/orders', {
        id,
        customer: { id: `cust-${id}`, name: `Customer ${id}` },
        items: [{ name: 'Pad thai', quantity: 1 }],
        address: `${id} Long Street, Berlin`,
      });
      assert.equal(reply.status, 201);
    }
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    await page.goto(`${server.url}/dispatch`);
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    await page.reload();
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    await page.waitForFunction((n) => (document.getElementById('summary')?.textContent ?? '').startsWith(`${n} orders`), ORDERS, T);
    assert.equal(await page.locator('.status-button[data-status="active"] .status-button-count').textContent(), String(ORDERS));

    // An old order's next event: its row keeps what the list said of it.
    const reply = await api(server.url, 'POST', '/v1/orders/L-002/events', { type: 'status_changed', status: 'confirmed' });
    assert.equal(reply.status, 201);
    await page.waitForFunction(() => document.querySelector('.status-button[data-status="confirmed"] .status-button-count')?.textContent === '1', null, T);

    // The oldest orders, at the end of the list.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    for (const [id, status] of [['L-001', 'placed'], ['L-002', 'confirmed']]) {
      const row = page.locator(`#rows tr[data-id="${id}"]`);
      await row.waitFor(T);
      assert.equal(await row.getAttribute('data-status'), status);
      const text = await row.innerText();
      assert.match(text, new RegExp(`Customer ${id}`), text);
      assert.match(text, new RegExp(`${id} Long Street`), text);
      assert.match(text, /Pad thai/, text);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});
