// @ts-check
/**
 * Chat, typing and presence through the SDK against the real server: two
 * people in an order's chat see each other's messages, typing (which ends
 * on its own when the stop is lost) and presence; read receipts arrive.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';

/**
 * Creates order `id` with cust-c as its customer and courier-c as its courier.
 * @param {string} url @param {string} id
 */
async function createOrder(url, id) {
  const created = await api(url, 'POST', '/v1/orders', {
    id,
    customer: 'cust-c',
    courier: 'courier-c',
    items: [{ name: 'Tea', quantity: 1 }],
    address: '1 Main St',
  });
  assert.equal(created.status, 201);
}

test('two people chat, see each other typing and present, and read receipts arrive', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  try {
    await createOrder(server.url, 'C-1');
    /** @param {string} sub @param {string} role */
    const person = (sub, role) =>
      new TrackwireClient({
        url: server.url,
        WebSocket: /** @type {any} */ (WebSocket),
        storage: null,
        shareTabs: false,
        getToken: () => token({ sub, role }),
      });
    const customer = person('cust-c', 'customer');
    const courier = person('courier-c', 'courier');
    const hers = customer.watch('chat:C-1');
    const his = courier.watch('chat:C-1');
    await until(() => hers.snapshot().status === 'live' && his.snapshot().status === 'live', 'both live');
    await until(() => hers.snapshot().present.length === 2, 'both present');
    assert.deepEqual(hers.snapshot().present.map((m) => m.subject).sort(), ['courier-c', 'cust-c']);

    courier.typing('C-1');
    await until(() => hers.snapshot().typing.includes('courier-c'), 'she sees him typing');
    await courier.sendMessage('C-1', 'Five minutes away');
    await until(() => hers.snapshot().messages?.length === 1, 'the message');
    const message = hers.snapshot().messages?.[0];
    assert.equal(message?.text, 'Five minutes away');
    assert.equal(message?.from, 'courier-c');
    assert.deepEqual(hers.snapshot().typing, [], 'a message ends the typing');

    // An explicit stop clears it at once, long before it would expire.
    courier.typing('C-1');
    await until(() => hers.snapshot().typing.includes('courier-c'), 'typing again');
    const stoppedAt = Date.now();
    courier.stopTyping('C-1');
    await until(() => hers.snapshot().typing.length === 0, 'the stop arrived');
    assert.ok(Date.now() - stoppedAt < 2500, 'cleared by the stop, not by expiry');

    customer.markRead('C-1', message?.seq ?? 0);
    await until(() => his.snapshot().reads['cust-c'] === message?.seq, 'he sees her receipt');

    // A lost stop: typing expires on its own at the receiver.
    customer.typing('C-1');
    await until(() => his.snapshot().typing.includes('cust-c'), 'he sees her typing');
    customer.close(); // gone without a stop
    await until(() => his.snapshot().typing.length === 0, 'expired on its own', 10000);
    await until(() => his.snapshot().present.length === 1, 'she left');
    courier.close();
  } finally {
    await server.stop();
  }
});

test('on a one-way transport, typing and read receipts go over REST and still arrive', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  /** @type {TrackwireClient[]} */
  const clients = [];
  try {
    await createOrder(server.url, 'C-2');
    /** @param {string} sub @param {string} role @param {any} [transports] */
    const person = (sub, role, transports) => {
      const client = new TrackwireClient({
        url: server.url,
        WebSocket: /** @type {any} */ (WebSocket),
        transports,
        storage: null,
        shareTabs: false,
        getToken: () => token({ sub, role }),
      });
      clients.push(client);
      return client;
    };
    const customer = person('cust-c', 'customer', ['sse']);
    const courier = person('courier-c', 'courier');
    const hers = customer.watch('chat:C-2');
    const his = courier.watch('chat:C-2');
    await until(() => hers.snapshot().status === 'live' && his.snapshot().status === 'live', 'both live');
    assert.equal(/** @type {any} */ (customer.getState()).transport, 'sse');

    customer.typing('C-2');
    await until(() => his.snapshot().typing.includes('cust-c'), 'he sees her typing, sent over REST');
    customer.stopTyping('C-2');
    await until(() => his.snapshot().typing.length === 0, 'her stop arrived');

    await courier.sendMessage('C-2', 'At the door');
    await until(() => hers.snapshot().messages?.length === 1, 'she gets the message over SSE');
    const seq = hers.snapshot().messages?.[0].seq ?? 0;
    customer.markRead('C-2', seq);
    await until(() => his.snapshot().reads['cust-c'] === seq, 'he sees her receipt, sent over REST');
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
});
