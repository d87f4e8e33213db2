// @ts-check
/**
 * The SDK against the real server: optimistic mutations confirmed and
 * rolled back, tokens (a customer sees only her orders; a short-lived
 * token is refreshed in band and the connection stays), and a reload that
 * resumes from the stored position instead of starting blind.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';

/** @type {import('../support/server.js').TestServer} */
let server;

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  for (const [id, customer] of [['M-1', 'cust-m'], ['M-2', 'cust-m'], ['N-1', 'cust-n'], ['S-1', 'cust-m']]) {
    const reply = await api(server.url, 'POST', '/v1/orders', {
      id,
      customer,
      items: [{ name: 'Tea', quantity: 1 }],
      address: '1 Main St',
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
  }
});

after(async () => {
  await server?.stop();
});

/** @param {Partial<import('../../src/client.js').ClientOptions>} [options] */
function client(options = {}) {
  return new TrackwireClient({
    url: server.url,
    WebSocket: /** @type {any} */ (WebSocket),
    storage: null,
    ...options,
  });
}

test('an optimistic cancel shows at once and is confirmed; an invalid change rolls back with the reason', async () => {
  const c = client();
  const watch = c.watchOrder('M-1');
  await until(() => watch.snapshot().status === 'live', 'live');
  const cancelled = c.mutate('M-1', 'cancel', { reason: 'changed my mind' });
  assert.equal(c.getOrder('M-1')?.status, 'cancelled', 'shown at once');
  assert.equal(c.mutationOutcomes().at(-1)?.state, 'pending');
  const outcome = await cancelled;
  assert.equal(outcome.state, 'confirmed');
  await until(() => watch.snapshot().order?.status === 'cancelled', 'the server event');
  assert.equal(watch.snapshot().status, 'final');

  const refused = await c.mutate('M-1', 'change_instructions', { text: 'Gate B' });
  assert.equal(refused.state, 'rolled_back');
  assert.equal(refused.code, 'order_final');
  assert.equal(c.getOrder('M-1')?.instructions, null, 'rolled back');
  c.close();
});

test('a customer sees her orders only; a short-lived token is refreshed in band', async () => {
  /** @type {boolean[]} */
  const asked = [];
  const c = client({
    getToken: ({ refresh }) => {
      asked.push(refresh);
      // Two seconds: the server warns at once (its lead is a minute).
      return token({ sub: 'cust-m', role: 'customer', ttl: 2 });
    },
  });
  const mine = c.watchOrder('M-2');
  const theirs = c.watchOrder('N-1');
  await until(() => mine.snapshot().status === 'live', 'her order');
  await until(() => theirs.snapshot().status === 'error', "another's order refused");
  assert.equal(theirs.snapshot().error, 'forbidden');
  await until(() => asked.includes(true), 'a refresh on auth_expiring');
  // Past the first token's expiry the connection is still the same one.
  await new Promise((resolve) => setTimeout(resolve, 2500)); // the token's lifetime passing is the point
  const reply = await api(server.url, 'POST', '/v1/orders/M-2/events', { type: 'status_changed', status: 'confirmed' });
  assert.equal(reply.status, 201);
  await until(() => mine.snapshot().order?.status === 'confirmed', 'live after the refresh');
  assert.equal(c.getState().status, 'live');
  c.close();
});

test('a reload resumes from the stored position and view, by replay', async () => {
  /** @type {Map<string, string>} */
  const saved = new Map();
  const storage = {
    getItem: (/** @type {string} */ key) => saved.get(key) ?? null,
    setItem: (/** @type {string} */ key, /** @type {string} */ value) => void saved.set(key, value),
    removeItem: (/** @type {string} */ key) => void saved.delete(key),
  };
  const before = client({ storage });
  const first = before.watchOrder('S-1');
  await until(() => first.snapshot().order?.seq === 1, 'the history');
  before.close();
  for (const status of ['confirmed', 'preparing']) {
    const reply = await api(server.url, 'POST', '/v1/orders/S-1/events', { type: 'status_changed', status });
    assert.equal(reply.status, 201);
  }
  /** @type {boolean[]} */
  const replays = [];
  const after = client({ storage, telemetry: { onReplay: ({ recovered }) => replays.push(recovered) } });
  const second = after.watchOrder('S-1');
  assert.equal(second.snapshot().order?.seq, 1, 'the stored view, before any network');
  await until(() => second.snapshot().order?.status === 'preparing', 'caught up');
  assert.deepEqual(replays, [true], 'resumed by since, not a snapshot');
  assert.deepEqual(
    second.snapshot().order?.timeline.map((e) => e.seq),
    [1, 2, 3],
  );
  after.close();
});

test('the feed shows every order, their events and their couriers moving; a reload starts it from a snapshot', async () => {
  /** @type {Map<string, string>} */
  const saved = new Map();
  const storage = {
    getItem: (/** @type {string} */ key) => saved.get(key) ?? null,
    setItem: (/** @type {string} */ key, /** @type {string} */ value) => void saved.set(key, value),
    removeItem: (/** @type {string} */ key) => void saved.delete(key),
  };
  const first = client({ storage });
  const feed = first.watch('orders');
  await until(() => feed.snapshot().feed?.orders.has('M-2') === true, 'the feed snapshot');
  const location = { type: 'location', lat: 52.52, lng: 13.4, ts: Date.now() };
  const reply = await api(server.url, 'POST', '/v1/orders/M-2/events', location);
  assert.equal(reply.status, 202, JSON.stringify(reply.body));
  await until(() => feed.snapshot().feed?.orders.get('M-2')?.location?.lat === 52.52, 'the courier moved');
  const count = feed.snapshot().feed?.orders.size ?? 0;
  first.close();

  // A reload: the feed comes back whole, not as a fragment from its offset.
  const second = client({ storage });
  const again = second.watch('orders');
  await until(() => (again.snapshot().feed?.orders.size ?? 0) >= count, 'every order again');
  second.close();
});
