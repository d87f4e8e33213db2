// @ts-check
/**
 * The token refresh a refused connection is owed, through the client's
 * public API, with a fake WebSocket server: a REST call made meanwhile
 * (a keystroke's typing signal) gets a fresh token too, without taking the
 * refresh from the reconnect, and only the one reconnect gets it.
 */

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import { TrackwireClient } from '../../src/index.js';

/** Tokens of one person (the same claims), told apart by their signature. */
const CLAIMS = Buffer.from(JSON.stringify({ sub: 'ada', tenant: 't1', role: 'customer' })).toString('base64url');
/** @param {string} signature */
const tokenSigned = (signature) => `e30.${CLAIMS}.${signature}`;

/** A WebSocket whose server opens at once and accepts every `auth`. */
class FakeSocket {
  /** @type {FakeSocket[]} */
  static made = [];
  /** @type {Array<() => void>} */
  static waiters = [];

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    /** @type {string | null} the token of this connection's `auth` frame */
    this.auth = null;
    /** @type {any} */
    this.onopen = null;
    /** @type {any} */
    this.onclose = null;
    /** @type {any} */
    this.onmessage = null;
    /** @type {any} */
    this.onerror = null;
    FakeSocket.made.push(this);
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }

  /** @param {string} data */
  send(data) {
    const frame = JSON.parse(data);
    if (frame.type !== 'auth') return;
    this.auth = frame.token;
    queueMicrotask(() => this.onmessage?.({ data: '{"type":"authenticated"}' }));
    for (const wake of FakeSocket.waiters.splice(0)) wake();
  }

  /** The server closes the connection. @param {number} code @param {string} reason */
  closeFromServer(code, reason) {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  close() {
    this.readyState = 3;
  }

  /**
   * The token the `n`th connection authenticated with, once it has.
   * @param {number} n
   * @returns {Promise<string | null>}
   */
  static async authOf(n) {
    while (!FakeSocket.made[n]?.auth) await new Promise((resolve) => FakeSocket.waiters.push(() => resolve(undefined)));
    return FakeSocket.made[n].auth;
  }
}

test('a REST call does not take the token refresh the connection is owed', async () => {
  mock.method(Math, 'random', () => 0); // reconnect delays of 0 ms
  /** @type {{ url: string, authorization: string | null }[]} */
  const posted = [];
  /** @type {() => void} */
  let postedOne = () => {};
  const typingPosted = new Promise((resolve) => (postedOne = () => resolve(undefined)));
  const client = new TrackwireClient({
    url: 'http://127.0.0.1:9',
    storage: null,
    shareTabs: false,
    transports: ['websocket'],
    WebSocket: /** @type {any} */ (FakeSocket),
    getToken: ({ refresh }) => tokenSigned(refresh ? 'fresh' : 'cached'),
    fetch: /** @type {any} */ (
      async (/** @type {string} */ url, /** @type {RequestInit} */ init) => {
        posted.push({ url, authorization: new Headers(init?.headers).get('authorization') });
        if (url.endsWith('/chat/typing')) postedOne();
        return new Response(null, { status: 204 });
      }
    ),
  });
  try {
    client.watchOrder('ZX-1');
    assert.equal(await FakeSocket.authOf(0), tokenSigned('cached'));

    // The server refuses the token (4001): the next connection is owed a
    // fresh one. A keystroke before it opens goes over REST.
    FakeSocket.made[0].closeFromServer(4001, 'token expired');
    client.typing('ZX-1');
    await typingPosted;
    const typing = posted.find((p) => p.url.endsWith('/v1/orders/ZX-1/chat/typing'));
    assert.equal(typing?.authorization, `Bearer ${tokenSigned('fresh')}`, 'the REST call gets a fresh token too');
    assert.equal(await FakeSocket.authOf(1), tokenSigned('fresh'), 'and the connection still gets its refresh');

    // Lost for another reason: the next connection takes the token as it is.
    FakeSocket.made[1].closeFromServer(1006, '');
    assert.equal(await FakeSocket.authOf(2), tokenSigned('cached'), 'the refresh was owed once');
  } finally {
    client.stopTyping('ZX-1');
    client.close();
    mock.restoreAll();
  }
});
