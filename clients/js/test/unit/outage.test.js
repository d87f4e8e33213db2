// @ts-check
/**
 * The client's reconnect delays over an outage, with fake time and a fake
 * WebSocket: connections refused at once do not escalate the delay (it
 * grows with the time spent failing), a connection healthy for a while
 * ends the outage, and one lost soon after it opened does not.
 */

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';

import { TrackwireClient } from '../../src/client.js';

/** A WebSocket that fails at once, or opens, as the test says. */
class FakeSocket {
  /** @type {FakeSocket[]} */
  static made = [];
  static opens = false;
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    /** @type {any} */
    this.onopen = null;
    /** @type {any} */
    this.onclose = null;
    /** @type {any} */
    this.onmessage = null;
    /** @type {any} */
    this.onerror = null;
    FakeSocket.made.push(this);
    const opens = FakeSocket.opens;
    setTimeout(() => {
      if (opens) {
        this.readyState = 1;
        this.onopen?.();
      } else {
        this.readyState = 3;
        this.onclose?.({ code: 1006, reason: '' });
      }
    }, 1);
  }
  /** @param {string} data */
  send(data) {
    if (JSON.parse(data).type === 'ping') setTimeout(() => this.onmessage?.({ data: '{"type":"pong"}' }), 1);
  }
  /** The server goes away. */
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  close() {
    this.readyState = 3;
  }
}

test('quick failures do not escalate the delay; a connection healthy for 10 s ends the outage', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_000_000 });
  mock.method(Math, 'random', () => 0.999999999); // every delay at its cap
  /** @type {number[]} */
  const delays = [];
  /** @type {number[]} when each delay was chosen */
  const times = [];
  const client = new TrackwireClient({
    url: 'http://127.0.0.1:9',
    storage: null,
    shareTabs: false,
    transports: ['websocket'],
    WebSocket: /** @type {any} */ (FakeSocket),
    telemetry: {
      onReconnectAttempt: ({ delayMs }) => {
        delays.push(delayMs);
        times.push(Date.now());
      },
    },
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  /** Lets the client's promises settle, then moves the clock. @param {number} ms */
  const tick = async (ms) => {
    await settle();
    mock.timers.tick(ms);
    await settle();
    mock.timers.tick(1); // the fake socket's answer
    await settle();
  };
  try {
    FakeSocket.opens = false;
    client.watchOrder('Z-1');
    await tick(1);
    // Five seconds of connections refused at once.
    while (Date.now() < 1_005_000) await tick(Math.max(1, delays.at(-1) ?? 1));
    assert.ok(delays.length >= 4, `several attempts: ${delays}`);
    // Each delay is at most half the outage so far (counting the attempts,
    // the fifth would have been 8 s).
    const outage = times.map((at) => at - (times[0] ?? at));
    assert.ok(
      delays.every((ms, i) => ms <= Math.max(500, outage[i] / 2)),
      `no delay over half the outage: ${delays} after ${outage} ms`,
    );
    assert.ok((delays.at(-1) ?? 0) >= 2000, `the delay grew with the time: ${delays}`);

    /** The server back at the next attempt, then gone after `ms`. @param {number} ms */
    const liveFor = async (ms) => {
      FakeSocket.opens = true;
      await tick((delays.at(-1) ?? 0) + 1);
      assert.equal(client.getState().status, 'live');
      await tick(ms);
      FakeSocket.opens = false;
      FakeSocket.made.at(-1)?.drop();
    };
    // Back, but lost again 2 s later: still the same outage.
    await liveFor(2000);
    assert.ok((delays.at(-1) ?? 0) > 2500, `a short spell live does not end the outage: ${delays}`);
    // Live for 11 s, then lost: a new outage, short delays again.
    await liveFor(11000);
    assert.equal(delays.at(-1), 500, `a new outage starts from the base delay: ${delays}`);
  } finally {
    client.close();
    mock.timers.reset();
    mock.restoreAll();
  }
});
