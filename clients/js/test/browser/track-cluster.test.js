// @ts-check
/**
 * The tracking page through a load balancer in front of a three-node
 * cluster (PostgreSQL, Redis, nginx with the repository's config), while
 * the node that serves the page is killed with -9: the badge says
 * Reconnecting, then Live again (on another node), and the timeline ends
 * exactly as the history says, each step once.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { startCluster } from '../support/cluster.js';
import { api } from '../support/server.js';
import {
  advance,
  assertNoPageErrors,
  createOrder,
  openTrackPage,
  timeline,
  waitForBadge,
  waitForStep,
} from './track-support.js';

test('a node killed under the tracking page: Reconnecting, then Live on another node, no duplicate step', async (t) => {
  // nginx sends everything to the first node while it lives, so the test
  // knows which node holds the page; then that node dies.
  const cluster = await startCluster({ primary: true });
  if (!cluster) {
    t.skip('the cluster services are not available');
    return;
  }
  const browser = await launchBrowser();
  try {
    await createOrder(cluster.url, 'CL-7001');
    const page = await openTrackPage(browser, cluster.url, 'CL-7001');
    await waitForBadge(page, 'live', /^Live$/);
    await advance(cluster.url, 'CL-7001', ['confirmed']);
    await waitForStep(page, 'confirmed', 'current');

    await cluster.nodes[0].kill();
    await waitForBadge(page, 'offline', /^Reconnecting/);
    // Recorded on the survivors while the page is away: it gets them by replay.
    await advance(cluster.url, 'CL-7001', ['preparing', 'shipped']);
    await waitForBadge(page, ['live', 'degraded'], /^Live/, 30000);
    await waitForStep(page, 'shipped', 'current');
    // Live on the new node: what comes next arrives too.
    await advance(cluster.url, 'CL-7001', ['out_for_delivery']);
    await waitForStep(page, 'out_for_delivery', 'current');

    const history = await api(cluster.url, 'GET', '/v1/orders/CL-7001/events?since=0');
    assert.equal(history.status, 200);
    /** @type {string[]} */
    const reached = ['placed'];
    for (const event of history.body.events) {
      if (event.type === 'status_changed') reached.push(event.payload.status);
    }
    assert.deepEqual(reached, ['placed', 'confirmed', 'preparing', 'shipped', 'out_for_delivery']);
    const rows = await timeline(page);
    const steps = rows.filter((r) => r.kind === 'step').map((r) => r.status);
    assert.deepEqual(steps, ['placed', 'confirmed', 'preparing', 'shipped', 'out_for_delivery', 'delivered'], 'each step once');
    const done = rows.filter((r) => r.kind === 'step' && r.state === 'done').map((r) => r.status);
    assert.deepEqual(done, ['placed', 'confirmed', 'preparing', 'shipped']);
    assert.equal(await page.locator('#timeline li').count(), rows.length);
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await cluster.stop();
  }
});
