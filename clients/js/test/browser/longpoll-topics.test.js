// @ts-check
/**
 * Long-poll when the page's topics change: the poll for the old set is
 * given up, even one that was about to go out (the transport was waiting
 * for the token), so the server never holds a poll of this client for
 * topics it no longer wants, and the next poll carries every topic.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { TEST_SECRET, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';
import { createOrder } from './track-support.js';

test('a change of topics leaves one long-poll held, for the new set, even as a poll was about to go out', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'P-1');
    const page = await browser.newPage();
    /** @type {{ topics: string, outcome: string }[]} */
    const polls = [];
    /** @type {Map<import('playwright-core').Request, { topics: string, outcome: string }>} */
    const byRequest = new Map();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname !== '/v1/poll') return;
      const poll = { topics: url.searchParams.get('topics') ?? '', outcome: 'pending' };
      polls.push(poll);
      byRequest.set(request, poll);
    });
    page.on('requestfailed', (request) => {
      const poll = byRequest.get(request);
      if (poll) poll.outcome = request.failure()?.errorText ?? 'failed';
    });
    page.on('requestfinished', (request) => {
      const poll = byRequest.get(request);
      if (poll) poll.outcome = 'answered';
    });
    // As the tracking page does: once the order shows, its chat is watched
    // too, while the transport fetches the token for its next poll.
    const bearer = token({ sub: 'disp-dana', role: 'dispatcher', tenant: 'demo' });
    const html = `<!doctype html><meta charset="utf-8"><title>long-poll topics</title>
<script type="module">
  import { TrackwireClient } from '/sdk/index.js';
  const client = new TrackwireClient({ transports: ['long-poll'], getToken: async () => ${JSON.stringify(bearer)} });
  window.client = client;
  const order = client.watchOrder('P-1', () => {
    if (order.snapshot().order?.seq > 0 && !window.chat) window.chat = client.watch('chat:P-1');
  });
</script>`;
    await page.route(`${server.url}/test/topics.html`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await page.goto(`${server.url}/test/topics.html`);
    await until(() => polls.some((p) => p.topics === 'order:P-1,chat:P-1' && p.outcome === 'pending'), 'a held poll for the order and its chat');
    const old = polls.filter((p) => p.topics === 'order:P-1');
    assert.ok(
      old.every((p) => p.outcome !== 'pending'),
      `no poll for the old topic set is left held: ${JSON.stringify(polls)}`,
    );
    assert.equal(polls.filter((p) => p.outcome === 'pending').length, 1, `one poll held: ${JSON.stringify(polls)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
