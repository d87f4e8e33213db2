// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { backoffCap, backoffDelay, outageCap, outageDelay, serverDelay, serverJitterCap } from '../../src/backoff.js';

/**
 * A small seeded PRNG (mulberry32), so the spread tests are repeatable.
 * @param {number} seed
 * @returns {() => number}
 */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('backoff cap doubles from 500 ms per attempt up to 30 s', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 50, 5000].map((n) => backoffCap(n)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000],
  );
  assert.equal(backoffCap(-3), 500, 'a negative attempt counts as the first');
  assert.equal(backoffCap(Number.NaN), 500);
  assert.equal(backoffCap(2, { baseMs: 100, maxMs: 350 }), 350);
  assert.equal(backoffCap(1, { baseMs: 100 }), 200);
});

test('backoff delay is full jitter: 0 at the bottom, the cap at the top', () => {
  assert.equal(backoffDelay(3, {}, () => 0), 0);
  assert.equal(backoffDelay(3, {}, () => 0.999999999), 4000);
  assert.equal(backoffDelay(3, {}, () => 0.5), 2000);
  assert.equal(backoffDelay(3, {}, () => 1), 4000, 'a bad random() above 1 stays within the cap');
  assert.equal(backoffDelay(3, {}, () => -1), 0, 'a bad random() below 0 stays at 0');
  assert.equal(backoffDelay(0, { baseMs: 0 }, () => 0.7), 0);
});

test('backoff delays never exceed the cap, for every attempt', () => {
  const random = seeded(42);
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const cap = backoffCap(attempt);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(attempt, {}, random);
      assert.ok(Number.isInteger(delay), 'whole milliseconds');
      assert.ok(delay >= 0 && delay <= cap, `attempt ${attempt}: ${delay} within [0, ${cap}]`);
      assert.ok(delay <= 30000);
    }
  }
});

test('1000 backoff samples spread evenly over the whole range', () => {
  const random = seeded(7);
  const cap = backoffCap(3); // 4000
  const samples = Array.from({ length: 1000 }, () => backoffDelay(3, {}, random));
  const buckets = new Array(10).fill(0);
  for (const s of samples) buckets[Math.min(9, Math.floor((s / (cap + 1)) * 10))] += 1;
  for (const count of buckets) assert.ok(count > 60 && count < 140, `bucket of ${count} in ${buckets}`);
  assert.ok(Math.min(...samples) < cap * 0.02, 'reaches near 0');
  assert.ok(Math.max(...samples) > cap * 0.98, 'reaches near the cap');
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  assert.ok(Math.abs(mean - cap / 2) < cap * 0.05, `mean ${mean} near half the cap`);
  assert.ok(new Set(samples).size > 500, 'not a handful of values');
});

test('backoff delays grow with the attempt until the cap', () => {
  const random = seeded(99);
  /** @param {number} attempt */
  const mean = (attempt) => {
    let sum = 0;
    for (let i = 0; i < 1000; i += 1) sum += backoffDelay(attempt, {}, random);
    return sum / 1000;
  };
  const means = [0, 1, 2, 3, 4, 5].map(mean);
  for (let i = 1; i < means.length; i += 1) {
    assert.ok(means[i] > means[i - 1] * 1.6, `attempt ${i} mean ${means[i]} grows from ${means[i - 1]}`);
  }
  const capped = mean(20);
  assert.ok(capped > 13500 && capped < 16500, `capped mean ${capped} near 15 s`);
});

test('server delay honours afterMs and adds a little jitter, never less', () => {
  assert.equal(serverDelay(2000, () => 0), 2000);
  assert.equal(serverDelay(2000, () => 0.999999), 2000 + serverJitterCap(2000));
  assert.equal(serverJitterCap(2000), 200);
  assert.equal(serverJitterCap(0), 50, 'at least a little');
  assert.equal(serverJitterCap(60000), 1000, 'at most a second');
  const random = seeded(3);
  const samples = Array.from({ length: 1000 }, () => serverDelay(4321, random));
  for (const s of samples) {
    assert.ok(Number.isInteger(s));
    assert.ok(s >= 4321 && s <= 4321 + serverJitterCap(4321), `${s}`);
  }
  assert.ok(new Set(samples).size > 100, 'jittered');
  assert.ok(serverDelay(-5, () => 0.5) >= 0, 'a bad afterMs counts as 0');
  assert.ok(serverDelay(Number.NaN, () => 0.5) >= 0);
  assert.equal(serverDelay(10.2, () => 0), 11, 'rounded up, never below');
});

test('the outage cap is half the time spent failing, from 500 ms up to 30 s', () => {
  assert.deepEqual(
    [0, 500, 1000, 2000, 5000, 20000, 60000, 600000].map((ms) => outageCap(ms)),
    [500, 500, 500, 1000, 2500, 10000, 30000, 30000],
  );
  assert.equal(outageCap(-5), 500, 'a negative time counts as none');
  assert.equal(outageCap(Number.NaN), 500);
  assert.equal(outageCap(8000, { baseMs: 100, maxMs: 350 }), 350);
  assert.equal(outageDelay(5000, {}, () => 0), 0);
  assert.equal(outageDelay(5000, {}, () => 0.999999999), 2500);
  const random = seeded(7);
  for (let i = 0; i < 1000; i += 1) {
    const delay = outageDelay(5000, {}, random);
    assert.ok(Number.isInteger(delay) && delay >= 0 && delay <= 2500, String(delay));
  }
});
