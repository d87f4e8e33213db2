// @ts-check
/**
 * The public API, as code and as declarations. The declarations in types/
 * are generated from the sources' JSDoc (`npm run types`; scripts/js-test
 * fails when the committed ones are stale, and type-checks the React
 * bindings and the pages against them); here: the client carries nothing
 * public but its documented methods, and what index.d.ts declares is what
 * index.js exports.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import * as sdk from '../../src/index.js';

/** The documented API of TrackwireClient (README.md), and nothing else. */
const PUBLIC_METHODS = [
  'close',
  'connect',
  'get',
  'getOrder',
  'getState',
  'markRead',
  'mutate',
  'mutationOutcomes',
  'onStateChange',
  'reauthenticate',
  'sendMessage',
  'stopTyping',
  'typing',
  'watch',
  'watchOrder',
];

const VALUE_EXPORTS = ['FINAL_STATUSES', 'MAIN_PATH', 'STATUSES', 'TRANSPORTS', 'TrackwireClient', 'backoffDelay', 'timelineSteps'];

test('the client exposes only its documented methods', () => {
  const client = new sdk.TrackwireClient({ url: 'http://127.0.0.1:9', storage: null, shareTabs: false });
  try {
    const methods = Object.getOwnPropertyNames(sdk.TrackwireClient.prototype).filter((name) => name !== 'constructor');
    assert.deepEqual(methods.sort(), PUBLIC_METHODS);
    assert.deepEqual(Reflect.ownKeys(client), [], 'no public fields: the internals are behind a #private field');
    assert.equal(client.getState().status, 'idle');
    // @ts-expect-error the internals are not part of the declared type either
    void client.link;
  } finally {
    client.close();
  }
});

test('index.d.ts declares what index.js exports', async () => {
  assert.deepEqual(Object.keys(sdk).sort(), VALUE_EXPORTS);
  const declared = await readFile(new URL('../../types/index.d.ts', import.meta.url), 'utf8');
  const names = [...declared.matchAll(/^export \{([^}]+)\} from/gm)].flatMap((m) => m[1].split(',').map((n) => n.trim()));
  assert.deepEqual(names.sort(), VALUE_EXPORTS);
  for (const type of ['ConnectionState', 'OrderView', 'OverlaidView', 'TopicSnapshot', 'TimelineStep', 'ClientOptions', 'Watch']) {
    assert.match(declared, new RegExp(`^export type ${type} = `, 'm'), type);
  }
});
