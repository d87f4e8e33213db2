// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { isAuthRefusal, isTokenError, retryPlan } from '../../src/reconnect.js';

const top = () => 0.999999999;

test('4003 stops; every other close retries', () => {
  assert.deepEqual(retryPlan(4003, { outageMs: 0, serverAfterMs: null }), { stop: true });
  assert.equal(retryPlan(1006, { outageMs: 0, serverAfterMs: null }).stop, false);
});

test('a refused token is refreshed before the next attempt', () => {
  for (const code of [4001, 4004, 401]) {
    assert.ok(isAuthRefusal(code), String(code));
    assert.deepEqual(retryPlan(code, { outageMs: 0, serverAfterMs: null }, top), { stop: false, delayMs: 500, refreshToken: true });
  }
  assert.equal(isAuthRefusal(1006), false);
  assert.ok(isTokenError('token_expired'));
  assert.equal(isTokenError('slow_consumer'), false);
});

test('a drain waits what the server asked; 4009 retries at once; else backoff', () => {
  const drain = retryPlan(1012, { outageMs: 20000, serverAfterMs: 2000 }, () => 0);
  assert.deepEqual(drain, { stop: false, delayMs: 2000, refreshToken: false });
  const conflict = retryPlan(4009, { outageMs: 20000, serverAfterMs: null }, top);
  assert.deepEqual(conflict, { stop: false, delayMs: 0, refreshToken: false });
  // 1012 without a `reconnect` frame first: plain backoff.
  const restart = retryPlan(1012, { outageMs: 8000, serverAfterMs: null }, top);
  assert.deepEqual(restart, { stop: false, delayMs: 4000, refreshToken: false });
  const capped = retryPlan(1006, { outageMs: 8000, serverAfterMs: null, backoff: { baseMs: 100, maxMs: 350 } }, top);
  assert.equal(capped.stop === false && capped.delayMs, 350);
});

test('the delay grows with the time spent failing, not with the number of quick failures', () => {
  // Five seconds of connections refused at once: the next attempt comes
  // within 2.5 s, however many attempts failed (counting them, it was up
  // to 8 s or 16 s).
  for (const outageMs of [0, 400, 999]) {
    assert.deepEqual(retryPlan(1006, { outageMs, serverAfterMs: null }, top), { stop: false, delayMs: 500, refreshToken: false });
  }
  const plan = retryPlan(1006, { outageMs: 5000, serverAfterMs: null }, top);
  assert.deepEqual(plan, { stop: false, delayMs: 2500, refreshToken: false });
  // A long outage backs off to the cap.
  const long = retryPlan(1006, { outageMs: 10 * 60000, serverAfterMs: null }, top);
  assert.equal(long.stop === false && long.delayMs, 30000);
});
