// @ts-check
/**
 * The SDK on the operators' `ops` topic against the real server, on each
 * transport of its fallback chain: a snapshot of the nodes, then each
 * node's signals as they come, latest-wins (the figures' `ts` only moves
 * forward). A tenant's admin gets the topic refused with `forbidden`.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import WebSocket from 'ws';

import { TrackwireClient } from '../../src/index.js';
import { TEST_SECRET, startServer, token } from '../support/server.js';
import { until } from '../support/wait.js';

/** @type {import('../support/server.js').TestServer} */
let server;

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET, '--node-id', 'sdk-ops-node'] });
});

after(async () => {
  await server?.stop();
});

/**
 * @param {string} role
 * @param {import('../../src/index.js').Transport[]} transports
 */
function client(role, transports) {
  return new TrackwireClient({
    url: server.url,
    WebSocket: /** @type {any} */ (WebSocket),
    transports,
    storage: null,
    shareTabs: false,
    reportFreshness: false,
    getToken: () => token({ sub: `${role}-1`, role }),
  });
}

for (const transport of /** @type {const} */ (['websocket', 'sse', 'long-poll'])) {
  test(`an operator watches every node's figures over ${transport}`, async () => {
    const operator = client('operator', [transport]);
    try {
      const ops = operator.watch('ops');
      await until(() => (ops.snapshot().nodes?.length ?? 0) > 0, 'the nodes');
      const first = /** @type {import('../../src/index.js').NodeFigures[]} */ (ops.snapshot().nodes)[0];
      assert.equal(first.node, 'sdk-ops-node');
      assert.equal(ops.snapshot().status, 'live');
      assert.equal(operator.getState().status === 'live' || operator.getState().status === 'degraded', true);
      // The next second's figures replace them.
      await until(() => (ops.snapshot().nodes?.[0]?.ts ?? 0) > first.ts, 'newer figures');
      assert.equal(ops.snapshot().nodes?.length, 1);
      const now = /** @type {import('../../src/index.js').NodeFigures[]} */ (ops.snapshot().nodes)[0];
      assert.ok(now.uptimeSeconds >= first.uptimeSeconds);
      // A long-poll is counted only while a request is held, so only the
      // two streams are sure to be seen open.
      if (transport !== 'long-poll') {
        assert.ok((now.connections[transport === 'websocket' ? 'ws' : 'sse'] ?? 0) >= 1, JSON.stringify(now.connections));
      }
    } finally {
      operator.close();
    }
  });
}

test("a tenant's admin is refused the ops topic", async () => {
  const admin = client('admin', ['websocket']);
  try {
    const ops = admin.watch('ops');
    await until(() => ops.snapshot().status === 'error', 'the refusal');
    assert.equal(ops.snapshot().error, 'forbidden');
    assert.equal(ops.snapshot().nodes?.length, 0);
  } finally {
    admin.close();
  }
});
