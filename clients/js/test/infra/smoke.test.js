// @ts-check
/**
 * The JS test infrastructure, end to end: the real server starts, answers,
 * accepts the test tokens, is seen by headless Chromium, and comes back on
 * the same port with the same data after a SIGKILL.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';

/** @type {import('../support/server.js').TestServer} */
let server;

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
});

after(async () => {
  await server?.stop();
});

test('the server answers /v1/health', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  const health = await api(server.url, 'GET', '/v1/health');
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, { status: 'ok' });
});

test('token() makes tokens the server accepts; another secret is refused', async () => {
  const good = token({ sub: 'shop-backend', tenant: 'demo', role: 'service', ttl: 60 });
  assert.equal(good.split('.').length, 3, 'a JWT has three parts');
  const ok = await api(server.url, 'GET', '/v1/orders', undefined, good);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  const forged = token({
    sub: 'shop-backend',
    role: 'service',
    secret: 'not-the-server-secret-0123456789abcdef',
  });
  const refused = await api(server.url, 'GET', '/v1/orders', undefined, forged);
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.equal(typeof refused.body?.error?.code, 'string');
});

test('headless Chromium opens the server', async (t) => {
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const response = await page.goto(`${server.url}/v1/health`);
  assert.equal(response?.status(), 200);
  const text = await page.textContent('body');
  assert.match(text ?? '', /ok/);
  await page.screenshot({ path: path.join(screenshotDir(), 'infra-smoke-health.png') });
});

test('kill and restart: same port, same data', async () => {
  const created = await api(server.url, 'POST', '/v1/orders', {
    id: 'SMOKE-1',
    customer: 'cust-1',
    items: [{ name: 'Tea' }],
    address: '1 Main St',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const { port, url, dataDir } = server;
  const before = server.pid();
  await server.kill();
  assert.equal(server.pid(), undefined);
  await assert.rejects(fetch(`${url}/v1/health`), 'nothing listens after the kill');

  await server.restart();
  assert.notEqual(server.pid(), before);
  assert.equal(server.port, port);
  assert.equal(server.url, url);
  assert.equal(server.dataDir, dataDir);
  assert.equal((await api(url, 'GET', '/v1/health')).status, 200);
  const order = await api(url, 'GET', '/v1/orders/SMOKE-1');
  assert.equal(order.status, 200, JSON.stringify(order.body));
});

test('a server that cannot start is reported with its stderr', async () => {
  await assert.rejects(startServer({ args: ['--no-such-flag'] }), (error) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, /exited \(code \d+\) before listening/);
    assert.match(error.message, /no-such-flag/);
    return true;
  });
});
