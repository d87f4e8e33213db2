// @ts-check
/**
 * The SDK against the real server: the server is killed mid-stream, events
 * are recorded after it comes back and before the client has reconnected,
 * and the client ends with exactly the server's events, once each, in
 * order, over WebSocket, SSE and long-poll alike.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { api, startServer } from '../support/server.js';
import { until } from '../support/wait.js';

/** @param {string} url @param {string} id @param {string} text */
async function note(url, id, text) {
  const reply = await api(url, 'POST', `/v1/orders/${id}/events`, { type: 'instructions_changed', text });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.event.seq;
}

for (const transport of /** @type {const} */ (['websocket', 'sse', 'long-poll'])) {
  test(`${transport}: after a kill and restart the client has exactly the server's events`, async () => {
    const server = await startServer({ args: ['--heartbeat', '1', '--poll-wait', '1'] });
    try {
      const created = await api(server.url, 'POST', '/v1/orders', {
        id: 'R-1',
        customer: 'cust-r',
        items: [{ name: 'Tea', quantity: 1 }],
        address: '1 Main St',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const client = new TrackwireClient({
        url: server.url,
        transports: [transport],
        WebSocket: /** @type {any} */ (WebSocket),
        storage: null,
        heartbeatMs: 1000,
        backoff: { baseMs: 200, maxMs: 1000 },
      });
      /** @type {string[]} */
      const states = [];
      client.onStateChange(() => states.push(client.getState().status));
      const watch = client.watchOrder('R-1');
      const order = () => watch.snapshot().order;
      await until(() => watch.snapshot().status === 'live', 'live');
      for (const n of [1, 2]) await note(server.url, 'R-1', `before ${n}`);
      await until(() => order()?.seq === 3, 'the live notes');

      await server.kill();
      // Recorded states, not polling: a retry may follow `reconnecting` at once.
      await until(() => states.includes('reconnecting'), 'reconnecting');
      await server.restart();
      const last = await note(server.url, 'R-1', 'while away 1');
      await note(server.url, 'R-1', 'while away 2');
      const status = await api(server.url, 'POST', '/v1/orders/R-1/events', { type: 'status_changed', status: 'confirmed' });
      assert.equal(status.status, 201);
      await until(() => order()?.seq === last + 2, 'caught up');
      await until(() => client.getState().status === 'live', 'live again');

      const history = await api(server.url, 'GET', '/v1/orders/R-1/events?since=0');
      const expected = history.body.events.map((/** @type {any} */ e) => [e.seq, e.type]);
      const timeline = order()?.timeline.map((e) => [e.seq, e.type]);
      assert.deepEqual(timeline, expected, 'exactly the server history, once each');
      assert.equal(order()?.status, 'confirmed');
      assert.equal(order()?.instructions, 'while away 2');
      assert.ok(states.includes('reconnecting'));
      client.close();
    } finally {
      await server.stop();
    }
  });
}
