// @ts-check
/**
 * The ops console's arithmetic (web/assets/ops-figures.js): every node's
 * figures summed, topics and refusals merged across nodes, the freshness
 * buckets added up and named, durations and rates in words.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { busiestTopics, durationText, freshness, rateText, refusalsByCode, totals } from '../../../../web/assets/ops-figures.js';

/** @typedef {import('../../src/index.js').NodeFigures} NodeFigures */

/**
 * @param {string} node
 * @param {Partial<NodeFigures>} figures
 * @returns {NodeFigures}
 */
function figures(node, figures) {
  return {
    node,
    ts: 1,
    uptimeSeconds: 10,
    connections: { ws: 0, sse: 0, longpoll: 0 },
    deliveriesPerSecond: 0,
    deliveries: 0,
    slowConsumerCuts: 0,
    slowConsumerCutsRecent: 0,
    refusals: [],
    topics: [],
    clientLag: { boundsMs: [50, 1000], counts: [0, 0, 0] },
    ...figures,
  };
}

const A = figures('a', {
  connections: { ws: 3, sse: 1, longpoll: 0 },
  deliveriesPerSecond: 12.5,
  deliveries: 100,
  slowConsumerCuts: 2,
  slowConsumerCutsRecent: 1,
  refusals: [{ code: 'forbidden', recent: 2, total: 5 }],
  topics: [
    { tenant: 'acme', topic: 'orders', subscribers: 2, perSecond: 4 },
    { tenant: 'acme', topic: 'order:A-1', subscribers: 1, perSecond: 1 },
  ],
  clientLag: { boundsMs: [50, 1000], counts: [1, 2, 3] },
});
const B = figures('b', {
  connections: { ws: 1, sse: 0, longpoll: 2 },
  deliveriesPerSecond: 0.5,
  deliveries: 7,
  refusals: [
    { code: 'unauthorized', recent: 3, total: 3 },
    { code: 'forbidden', recent: 0, total: 1 },
  ],
  topics: [{ tenant: 'acme', topic: 'order:A-1', subscribers: 4, perSecond: 5 }],
  clientLag: { boundsMs: [50, 1000], counts: [1, 0, 1] },
});

test('totals add every node up', () => {
  assert.deepEqual(totals([A, B]), {
    nodes: 2,
    connections: { ws: 4, sse: 1, longpoll: 2 },
    connectionsTotal: 7,
    deliveriesPerSecond: 13,
    deliveries: 107,
    cutsRecent: 1,
    cuts: 2,
    refusalsRecent: 5,
    refusals: 9,
  });
  assert.equal(totals([]).connectionsTotal, 0);
});

test('a topic on two nodes adds up, and the busiest comes first', () => {
  assert.deepEqual(busiestTopics([A, B]), [
    { tenant: 'acme', topic: 'order:A-1', subscribers: 5, perSecond: 6 },
    { tenant: 'acme', topic: 'orders', subscribers: 2, perSecond: 4 },
  ]);
  assert.equal(busiestTopics([A, B], 1).length, 1);
});

test('refusals by code, the most in the last minute first', () => {
  assert.deepEqual(refusalsByCode([A, B]), [
    { code: 'unauthorized', recent: 3, total: 3 },
    { code: 'forbidden', recent: 2, total: 6 },
  ]);
});

test('the freshness buckets of every node, in words; other buckets are left out', () => {
  const other = figures('c', { clientLag: { boundsMs: [10], counts: [9, 9] } });
  assert.deepEqual(freshness([A, B, other]), [
    { label: '≤ 50 ms', count: 2 },
    { label: '≤ 1 s', count: 2 },
    { label: '> 1 s', count: 4 },
  ]);
  assert.deepEqual(freshness([]), [{ label: '> 0 ms', count: 0 }]);
});

test('durations and rates in words', () => {
  assert.equal(durationText(45), '45 s');
  assert.equal(durationText(600), '10 min');
  assert.equal(durationText(3720), '1 h 2 min');
  assert.equal(durationText(7200), '2 h');
  assert.equal(durationText(200000), '2 d 7 h');
  assert.equal(rateText(0), '0');
  assert.equal(rateText(0.44), '0.4');
  assert.equal(rateText(1250.4), '1,250');
});
