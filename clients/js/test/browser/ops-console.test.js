// @ts-check
/**
 * In headless Chromium: the operators' console (/ops) against a real
 * server. Opened as the operator it goes live and shows this node; then
 * traffic made here (a WebSocket client of the SDK and an SSE stream
 * watching an order, events recorded for them, a refused request, a
 * client's freshness report) shows up in it live: connections by
 * transport, deliveries, the busiest topic, the refusal by its code, the
 * freshness bars. A tenant's admin gets the page's refusal instead of
 * figures. A screenshot of the console with traffic.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { launchBrowser, screenshotDir } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';

/** @typedef {import('playwright-core').Page} Page */

const T = { timeout: 15000 };

/** @type {import('../support/server.js').TestServer} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET, '--node-id', 'ops-test-node'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * A page logged in as `persona` (what /login stores).
 * @param {{ subject: string, role: string, name: string }} persona
 */
async function pageAs(persona) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, reducedMotion: 'reduce' });
  const stored = { ...persona, description: '', tenant: 'demo', token: token({ sub: persona.subject, role: persona.role }) };
  await page.addInitScript((value) => sessionStorage.setItem('trackwire.persona.v1', value), JSON.stringify(stored));
  return page;
}

/**
 * The text of the node row's cells (Node, Up for, WebSocket, SSE, Long-poll, …).
 * @param {Page} page
 */
async function nodeRow(page) {
  return page.locator('#node-rows tr[data-key="ops-test-node"] > *').allTextContents();
}

test('the console shows the traffic live, for the operator only', async () => {
  const page = await pageAs({ subject: 'ops-olga', role: 'operator', name: 'Olga Operator' });
  /** @type {TrackwireClient | null} */
  let watcher = null;
  const sse = new AbortController();
  try {
    await page.goto(`${server.url}/ops`);
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    await page.locator('#node-rows tr[data-key="ops-test-node"]').waitFor(T);
    // The console's own WebSocket is counted; nothing else is open yet.
    await page.waitForFunction(() => document.querySelector('#total-by-transport')?.textContent === 'WebSocket 1 · SSE 0 · Long-poll 0', null, T);
    assert.equal(await page.locator('#ops-problem').isHidden(), true);
    assert.match(await page.locator('#ops-summary').innerText(), /^1 node · 1 connection · /);

    // Traffic: an order, a WebSocket watcher (the SDK) and an SSE stream.
    const service = token({ sub: 'shop', role: 'service' });
    const created = await api(server.url, 'POST', '/v1/orders', { id: 'OPS-1', customer: 'cust-1', items: [{ name: 'Tea' }], address: '1 Main St' }, service);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    watcher = new TrackwireClient({
      url: server.url,
      WebSocket: /** @type {any} */ (WebSocket),
      storage: null,
      shareTabs: false,
      reportFreshness: false,
      getToken: () => token({ sub: 'dispatch-dana', role: 'dispatcher' }),
    });
    const watch = watcher.watch('order:OPS-1', () => {});
    await until(() => watch.snapshot().status === 'live', 'the SDK watcher is live');
    const stream = await fetch(`${server.url}/v1/sse?topics=order:OPS-1`, {
      headers: { authorization: `Bearer ${service}` },
      signal: sse.signal,
    });
    assert.equal(stream.status, 200);
    for (const text of ['gate 1', 'gate 2', 'gate 3']) {
      const recorded = await api(server.url, 'POST', '/v1/orders/OPS-1/events', { type: 'instructions_changed', text }, service);
      assert.equal(recorded.status, 201);
    }
    await until(() => watch.snapshot().order?.instructions === 'gate 3', 'the watcher got every event');
    // A refusal (a tenant's admin asking for the figures) and a report.
    const admin = token({ sub: 'admin-1', role: 'admin' });
    assert.equal((await api(server.url, 'GET', '/v1/ops/stats', undefined, admin)).status, 403);
    const report = await api(server.url, 'POST', '/v1/telemetry', { lagMs: [30, 40, 180, 700, 700, 3000] }, service);
    assert.equal(report.status, 204);

    // The figures follow, without a reload.
    await page.waitForFunction(() => document.querySelector('#total-by-transport')?.textContent === 'WebSocket 2 · SSE 1 · Long-poll 0', null, T);
    const row = await nodeRow(page);
    assert.deepEqual(row.slice(2, 5), ['2', '1', '0'], row.join(' | '));
    await page.locator('#topic-rows tr', { hasText: 'order:OPS-1' }).waitFor(T);
    const topic = await page.locator('#topic-rows tr', { hasText: 'order:OPS-1' }).locator('> *').allTextContents();
    assert.deepEqual(topic.slice(0, 3), ['demo', 'order:OPS-1', '2'], topic.join(' | '));
    await page.locator('#refusal-rows tr[data-key="forbidden"]').waitFor(T);
    const refused = await page.locator('#refusal-rows tr[data-key="forbidden"] > *').allTextContents();
    assert.equal(refused[0], 'forbidden');
    assert.ok(Number(refused[1]) >= 1, refused.join(' | '));
    await page.waitForFunction(() => Number(document.querySelector('#total-delivered')?.textContent?.split(' ')[0]) >= 6, null, T);
    await page.locator('#freshness li').first().waitFor(T);
    const buckets = await page.locator('#freshness li').evaluateAll((items) =>
      items.map((li) => [li.querySelector('.ops-bucket__label')?.textContent, li.querySelector('.ops-bucket__count')?.textContent]),
    );
    assert.deepEqual(buckets.slice(0, 5), [
      ['≤ 50 ms', '2'],
      ['≤ 100 ms', '0'],
      ['≤ 250 ms', '1'],
      ['≤ 500 ms', '0'],
      ['≤ 1 s', '2'],
    ]);
    assert.ok(await page.locator('#freshness-empty').isHidden());
    await page.screenshot({ path: path.join(screenshotDir(), 'ops-console.png'), fullPage: true });

    // The SSE stream closes: the console says so, live.
    sse.abort();
    await page.waitForFunction(() => document.querySelector('#total-by-transport')?.textContent === 'WebSocket 2 · SSE 0 · Long-poll 0', null, T);
  } finally {
    sse.abort();
    watcher?.close();
    await page.close();
  }
});

test('a tenant admin is refused the console', async () => {
  const page = await pageAs({ subject: 'admin-1', role: 'admin', name: 'Ann Admin' });
  try {
    await page.goto(`${server.url}/ops`);
    await page.locator('#ops-problem:not([hidden])').waitFor(T);
    assert.match(await page.locator('#ops-problem').innerText(), /for operators/);
    assert.equal(await page.locator('#node-rows tr').count(), 0);
    assert.equal(await page.locator('#total-connections').innerText(), '–');
  } finally {
    await page.close();
  }
});
