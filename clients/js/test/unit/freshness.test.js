// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FreshnessReporter, MAX_SAMPLES, MAX_SAMPLE_MS, telemetrySender } from '../../src/freshness.js';

/** @returns {{ sent: import('../../src/freshness.js').FreshnessReport[], send: (r: any) => Promise<any> }} */
function recorder(outcome = 'sent') {
  /** @type {import('../../src/freshness.js').FreshnessReport[]} */
  const sent = [];
  return { sent, send: async (report) => (sent.push(report), outcome) };
}

test('lag is sampled at the given rate, degraded spells all kept, both capped and clamped', async () => {
  const { sent, send } = recorder();
  let n = 0;
  // Every fourth draw is under 0.25.
  const reporter = new FreshnessReporter(send, { lagSampleRate: 0.25, random: () => [0.1, 0.5, 0.7, 0.9][n++ % 4] });
  for (let i = 0; i < 8; i++) reporter.lag(100 + i);
  reporter.degraded(1500.4);
  reporter.degraded(-3);
  reporter.degraded(Number.NaN);
  reporter.lag(1e12);
  await reporter.flush();
  assert.deepEqual(sent, [{ lagMs: [100, 104, MAX_SAMPLE_MS], degradedMs: [1500, 0, 0] }]);
  await reporter.flush();
  assert.equal(sent.length, 1, 'nothing new: nothing sent');

  const all = new FreshnessReporter(send, { lagSampleRate: 1 });
  for (let i = 0; i < MAX_SAMPLES + 20; i++) {
    all.lag(i);
    all.degraded(i);
  }
  const report = all.take();
  assert.equal(report?.lagMs.length, MAX_SAMPLES);
  assert.equal(report?.degradedMs.length, MAX_SAMPLES);
});

test('a server that does not take reports is not asked again; a failed one is', async () => {
  const unsupported = recorder('unsupported');
  const reporter = new FreshnessReporter(unsupported.send, { lagSampleRate: 1 });
  reporter.lag(5);
  await reporter.flush();
  reporter.lag(6);
  await reporter.flush();
  assert.equal(unsupported.sent.length, 1);

  const failed = recorder('failed');
  const again = new FreshnessReporter(failed.send, { lagSampleRate: 1 });
  again.lag(5);
  await again.flush();
  again.lag(6);
  await again.flush();
  assert.equal(failed.sent.length, 2);
});

test('the sender posts JSON with the token and maps the answers', async () => {
  /** @type {{url: string, init: any}[]} */
  const calls = [];
  const answers = [204, 404, 422, 503];
  const fetch = /** @type {any} */ (async (/** @type {string} */ url, /** @type {any} */ init) => {
    calls.push({ url, init });
    const status = answers[calls.length - 1];
    return { status, ok: status < 300 };
  });
  const send = telemetrySender({ baseUrl: 'http://node', fetch, token: async () => 'tok' });
  const report = { lagMs: [1], degradedMs: [] };
  assert.equal(await send(report), 'sent');
  assert.equal(await send(report), 'unsupported');
  assert.equal(await send(report), 'unsupported');
  assert.equal(await send(report), 'failed');
  assert.equal(calls[0].url, 'http://node/v1/telemetry');
  assert.equal(calls[0].init.method, 'POST');
  assert.equal(calls[0].init.headers.authorization, 'Bearer tok');
  assert.deepEqual(JSON.parse(calls[0].init.body), report);

  const offline = telemetrySender({
    baseUrl: 'http://node',
    fetch: /** @type {any} */ (async () => {
      throw new TypeError('offline');
    }),
    token: async () => null,
  });
  assert.equal(await offline(report), 'failed');
});

test('reports go out on the interval and stop when paused', async () => {
  const { sent, send } = recorder();
  const reporter = new FreshnessReporter(send, { intervalMs: 20, lagSampleRate: 1 });
  reporter.start();
  reporter.lag(42);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(sent, [{ lagMs: [42], degradedMs: [] }]);
  reporter.pause();
  reporter.lag(43);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(sent.length, 1);
});
