// @ts-check
/**
 * In headless Chromium: the server refuses WebSocket upgrades (as a proxy
 * that cannot pass them would) and the SDK falls back to SSE, says so in
 * its state, and still shows live updates.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { api, startServer } from '../support/server.js';
import { openSdkPage, waitForStatus } from './page.js';

test('with WebSocket refused the SDK falls back to SSE and stays live', async () => {
  const server = await startServer({ args: ['--disable-websocket'] });
  const browser = await launchBrowser();
  try {
    const created = await api(server.url, 'POST', '/v1/orders', {
      id: 'F-1',
      customer: 'cust-f',
      items: [{ name: 'Tea', quantity: 1 }],
      address: '1 Main St',
    });
    assert.equal(created.status, 201);
    const page = await browser.newPage();
    /** @type {string[]} */
    const sockets = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await openSdkPage(page, server.url, 'F-1');
    await waitForStatus(page, 'F-1', 'placed');
    const state = await page.evaluate(() => {
      // @ts-ignore the page's global
      const s = window.client.getState();
      return { status: s.status, transport: s.transport, reason: s.reason };
    });
    assert.deepEqual(
      { status: state.status, transport: state.transport },
      { status: 'degraded', transport: 'sse' },
      JSON.stringify(state),
    );
    assert.match(state.reason, /websocket/);

    for (const status of ['confirmed', 'preparing']) {
      const reply = await api(server.url, 'POST', '/v1/orders/F-1/events', { type: 'status_changed', status });
      assert.equal(reply.status, 201);
      await waitForStatus(page, 'F-1', status);
    }
    assert.equal(sockets.length, 1, 'one refused WebSocket attempt, then SSE');
    await page.screenshot({ path: path.join(screenshotDir(), 'sdk-fallback-sse.png') });
  } finally {
    await browser.close();
    await server.stop();
  }
});
