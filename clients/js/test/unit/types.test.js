// @ts-check
/**
 * The hand-kept index.d.ts against the sources: tsc (scripts/js-test runs
 * it first) checks that the implementation satisfies every declared type;
 * at run time, that every declared export exists.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as declared from '../../src/index.js';
import { TrackwireClient as Implementation } from '../../src/client.js';
import { emptyOrder } from '../../src/order-state.js';
import { timelineSteps as implementedSteps } from '../../src/timeline.js';
import { initialState } from '../../src/state.js';

test('the implementation satisfies the declared types', () => {
  /** @type {declared.TrackwireClient} */
  const client = new Implementation({ url: 'http://127.0.0.1:9', storage: null, shareTabs: false });
  /** @type {declared.ConnectionState} */
  const state = initialState();
  assert.equal(client.getState().status, state.status);
  /** @type {declared.OrderView} */
  const view = emptyOrder('X-1');
  /** @type {declared.TimelineStep[]} */
  const steps = implementedSteps(view);
  assert.ok(Array.isArray(steps));
  client.close();
});

test('every declared export exists', () => {
  for (const name of ['TrackwireClient', 'backoffDelay', 'timelineSteps', 'MAIN_PATH', 'FINAL_STATUSES', 'TRANSPORTS']) {
    assert.ok(name in declared, name);
  }
});
