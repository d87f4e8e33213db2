// @ts-check
/**
 * In headless Chromium: two tabs of one origin share one connection (the
 * leader's), both show live updates, and when the leader's tab closes the
 * other takes over the connection and stays live.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { api, startServer } from '../support/server.js';
import { openSdkPage, waitForStatus } from './page.js';

test('two tabs share one connection, and the second takes over when the first closes', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const created = await api(server.url, 'POST', '/v1/orders', {
      id: 'T-1',
      customer: 'cust-t',
      items: [{ name: 'Tea', quantity: 1 }],
      address: '1 Main St',
    });
    assert.equal(created.status, 201);
    const context = await browser.newContext();
    const first = await context.newPage();
    const second = await context.newPage();
    /** @type {Map<import('playwright-core').Page, number>} */
    const sockets = new Map([[first, 0], [second, 0]]);
    for (const page of [first, second]) {
      page.on('websocket', () => sockets.set(page, (sockets.get(page) ?? 0) + 1));
    }
    await openSdkPage(first, server.url, 'T-1');
    await waitForStatus(first, 'T-1', 'placed');
    await openSdkPage(second, server.url, 'T-1');
    await waitForStatus(second, 'T-1', 'placed');

    let reply = await api(server.url, 'POST', '/v1/orders/T-1/events', { type: 'status_changed', status: 'confirmed' });
    assert.equal(reply.status, 201);
    await waitForStatus(first, 'T-1', 'confirmed');
    await waitForStatus(second, 'T-1', 'confirmed');
    assert.deepEqual([sockets.get(first), sockets.get(second)], [1, 0], 'one WebSocket, in the first tab');

    await first.close();
    reply = await api(server.url, 'POST', '/v1/orders/T-1/events', { type: 'status_changed', status: 'preparing' });
    assert.equal(reply.status, 201);
    await waitForStatus(second, 'T-1', 'preparing');
    assert.equal(sockets.get(second), 1, 'the second tab connected once it led');
    const status = await second.evaluate(() => {
      // @ts-ignore the page's global
      return window.client.getState().status;
    });
    assert.equal(status, 'live');
  } finally {
    await browser.close();
    await server.stop();
  }
});
