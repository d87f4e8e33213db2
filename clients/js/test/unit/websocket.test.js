// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { WebSocketTransport } from '../../src/transports/websocket.js';

/** A socket whose upgrade is never answered, unless the test opens it. */
class SilentSocket {
  /** @type {SilentSocket[]} */
  static made = [];
  /** @param {string} url @param {string} protocol */
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.readyState = 0;
    this.closedWith = /** @type {number | null} */ (null);
    /** @type {(() => void) | null} */
    this.onopen = null;
    /** @type {((event: {code: number, reason: string}) => void) | null} */
    this.onclose = null;
    /** @type {any} */
    this.onmessage = null;
    /** @type {any} */
    this.onerror = null;
    SilentSocket.made.push(this);
  }
  /** @param {number} code */
  close(code) {
    this.closedWith = code;
  }
}

/** @returns {{ closes: any[], opens: number, handlers: any }} */
function recorder() {
  const seen = { closes: /** @type {any[]} */ ([]), opens: 0, handlers: /** @type {any} */ (null) };
  seen.handlers = {
    onOpen: () => (seen.opens += 1),
    onFrame: () => {},
    onActivity: () => {},
    onInvalid: () => {},
    onClose: (/** @type {any} */ info) => seen.closes.push(info),
  };
  return seen;
}

const session = /** @type {any} */ ({ topics: [], positions: () => ({}), token: async () => null });

/** A transport opened on a SilentSocket with a 1 s open timeout, and what it reported. */
function openSilent() {
  SilentSocket.made = [];
  const transport = new WebSocketTransport({
    baseUrl: 'http://127.0.0.1:1',
    WebSocket: /** @type {any} */ (SilentSocket),
    openTimeoutMs: 1000,
  });
  const seen = recorder();
  transport.open(seen.handlers, session);
  return { transport, socket: SilentSocket.made[0], seen };
}

test('an upgrade that is never answered fails after the open timeout, as not opened', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { socket, seen } = openSilent();
  assert.equal(socket.url, 'ws://127.0.0.1:1/v1/ws');
  t.mock.timers.tick(999);
  assert.deepEqual(seen.closes, []);
  t.mock.timers.tick(1);
  assert.deepEqual(seen.closes, [{ code: 0, reason: 'the connection did not open in time', opened: false }]);
  assert.notEqual(socket.closedWith, null, 'the pending socket is closed');
  // A close event arriving later is not reported a second time.
  socket.onclose?.({ code: 1006, reason: '' });
  assert.equal(seen.closes.length, 1);
});

test('a socket that opens in time is not timed out', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { socket, seen } = openSilent();
  t.mock.timers.tick(500);
  socket.readyState = 1;
  socket.onopen?.();
  t.mock.timers.tick(5000);
  assert.equal(seen.opens, 1);
  assert.deepEqual(seen.closes, []);
  socket.onclose?.({ code: 1001, reason: 'going away' });
  assert.deepEqual(seen.closes, [{ code: 1001, reason: 'going away', opened: true }]);
});

test('closed by the client before it opened, a socket reports no timeout later', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { transport, seen } = openSilent();
  transport.close();
  t.mock.timers.tick(5000);
  assert.deepEqual(seen.closes, []);
});

test('a URL the WebSocket refuses is a connection that never opened, not a hang', async () => {
  class Refusing {
    constructor() {
      throw new SyntaxError('Invalid URL');
    }
  }
  const transport = new WebSocketTransport({ baseUrl: 'nonsense', WebSocket: /** @type {any} */ (Refusing) });
  const seen = recorder();
  transport.open(seen.handlers, session);
  assert.deepEqual(seen.closes, [], 'reported after open() returns, as a close would be');
  await Promise.resolve();
  assert.deepEqual(seen.closes, [{ code: 0, reason: 'Invalid URL', opened: false }]);
});
