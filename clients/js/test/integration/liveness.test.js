// @ts-check
/**
 * The SDK notices a link that went silent without closing (the server
 * process frozen: its sockets stay open, nothing arrives) within two
 * heartbeat intervals, and reconnects; and a client on a fallback moves
 * back up to WebSocket once it works again.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { api, startServer } from '../support/server.js';
import { until } from '../support/wait.js';

const ORDER = { customer: 'cust-l', items: [{ name: 'Tea', quantity: 1 }], address: '1 Main St' };

test('a silent link is found dead within two heartbeats, and the client comes back', async () => {
  const server = await startServer({ args: ['--heartbeat', '1'] });
  try {
    assert.equal((await api(server.url, 'POST', '/v1/orders', { id: 'L-1', ...ORDER })).status, 201);
    const client = new TrackwireClient({
      url: server.url,
      WebSocket: /** @type {any} */ (WebSocket),
      storage: null,
      heartbeatMs: 1000,
      backoff: { baseMs: 100, maxMs: 300 },
    });
    // Every state is recorded as it happens: with full jitter a retry can
    // follow at once, so polling could miss a short `reconnecting`.
    /** @type {string[]} */
    const states = [];
    client.onStateChange(() => states.push(client.getState().status));
    try {
      const watch = client.watchOrder('L-1');
      await until(() => watch.snapshot().status === 'live', 'live');
      const pid = server.pid();
      assert.ok(pid);
      const before = states.length;
      process.kill(pid, 'SIGSTOP');
      const frozenAt = Date.now();
      try {
        await until(() => states.slice(before).includes('reconnecting'), 'noticed dead', 10000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const noticedAfter = Date.now() - frozenAt;
      assert.ok(noticedAfter < 6000, `noticed after ${noticedAfter} ms`);
      await until(() => client.getState().status === 'live', 'live again');
      const reply = await api(server.url, 'POST', '/v1/orders/L-1/events', { type: 'status_changed', status: 'confirmed' });
      assert.equal(reply.status, 201);
      await until(() => watch.snapshot().order?.status === 'confirmed', 'events flow again');
    } finally {
      // A client left open would keep retrying, and the test process alive.
      client.close();
    }
  } finally {
    await server.stop();
  }
});

test('on a fallback, a probe moves the client back up to WebSocket once it works', async () => {
  const server = await startServer();
  try {
    assert.equal((await api(server.url, 'POST', '/v1/orders', { id: 'P-1', ...ORDER })).status, 201);
    // A network that blocks WebSocket until `blocked` turns false: the
    // upgrade fails before it opens, as behind such a proxy.
    let blocked = true;
    class BlockableWebSocket extends WebSocket {
      /** @param {string} url @param {string} protocol */
      constructor(url, protocol) {
        super(blocked ? url.replace('/v1/ws', '/v1/blocked') : url, protocol);
      }
    }
    /** @type {{from: string, to: string}[]} */
    const changes = [];
    const client = new TrackwireClient({
      url: server.url,
      WebSocket: /** @type {any} */ (BlockableWebSocket),
      storage: null,
      probeIntervalMs: 200,
      telemetry: { onTransportChange: (change) => changes.push(change) },
    });
    const watch = client.watchOrder('P-1');
    await until(() => client.getState().status === 'degraded', 'degraded on a fallback');
    assert.equal(/** @type {any} */ (client.getState()).transport, 'sse');
    blocked = false;
    await until(() => client.getState().status === 'live', 'back on WebSocket');
    assert.equal(/** @type {any} */ (client.getState()).transport, 'websocket');
    assert.deepEqual(changes, [
      { from: 'websocket', to: 'sse' },
      { from: 'sse', to: 'websocket' },
    ]);
    const reply = await api(server.url, 'POST', '/v1/orders/P-1/events', { type: 'status_changed', status: 'confirmed' });
    assert.equal(reply.status, 201);
    await until(() => watch.snapshot().order?.status === 'confirmed', 'events over WebSocket');
    client.close();
  } finally {
    await server.stop();
  }
});
