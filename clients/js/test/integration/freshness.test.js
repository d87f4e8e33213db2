// @ts-check
/**
 * The SDK's freshness reports against the real server: a client that
 * applies events reports their lag to `POST /v1/telemetry`, and the
 * server's `/metrics` (on `--metrics-listen`) counts them in the tenant's
 * histogram.
 */

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';

/** @type {import('../support/server.js').TestServer} */
let server;
let metricsUrl = '';

/** @returns {Promise<number>} a free loopback port */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The sum of the samples of `series` (name and labels exactly as rendered).
 * @param {string} series
 */
async function scraped(series) {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${series} `))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

before(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET, '--metrics-listen', `127.0.0.1:${port}`] });
});

after(async () => {
  await server?.stop();
});

test('applied events are reported as lag samples in the tenant histogram', async () => {
  const service = token({ sub: 'backend', role: 'service', tenant: 'acme' });
  const created = await api(
    server.url,
    'POST',
    '/v1/orders',
    { id: 'F-1', customer: 'cust-f', items: [{ name: 'Tea', quantity: 1 }], address: '1 Main St' },
    service,
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const dispatcher = token({ sub: 'dispatch-1', role: 'dispatcher', tenant: 'acme' });
  const client = new TrackwireClient({
    url: server.url,
    WebSocket: /** @type {any} */ (WebSocket),
    storage: null,
    shareTabs: false,
    getToken: () => dispatcher,
    freshness: { intervalMs: 100, lagSampleRate: 1 },
  });
  try {
    const watch = client.watchOrder('F-1');
    await until(() => watch.snapshot().status === 'live', 'live');
    for (const text of ['Gate A', 'Gate B', 'Gate C']) {
      const recorded = await api(server.url, 'POST', '/v1/orders/F-1/events', { type: 'instructions_changed', text }, service);
      assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
    }
    await until(() => watch.snapshot().order?.instructions === 'Gate C', 'the events applied');
    const series = 'trackwire_client_lag_seconds_count{tenant="acme"}';
    const deadline = Date.now() + 10_000;
    let count = 0;
    while ((count = await scraped(series)) < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(count >= 3, `${series} = ${count}`);
  } finally {
    client.close();
  }
});
