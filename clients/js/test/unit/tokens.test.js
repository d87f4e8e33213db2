// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { TrackwireClient } from '../../src/client.js';

test('a REST call does not take the token refresh the connection is owed', async () => {
  /** @type {boolean[]} */
  const asked = [];
  /** @type {string[]} */
  const posted = [];
  const client = new TrackwireClient({
    url: 'http://127.0.0.1:9',
    storage: null,
    shareTabs: false,
    transports: ['polling'],
    getToken: ({ refresh }) => {
      asked.push(refresh);
      return refresh ? 'fresh' : 'cached';
    },
    fetch: /** @type {any} */ (
      async (/** @type {string} */ url) => {
        posted.push(url);
        return new Response('{}', { status: 204 });
      }
    ),
  });
  try {
    // As after a close with a token code (4001, 4004): the next token is to be fresh.
    client.tokens.refreshDue = true;
    client.typing('ZX-1');
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.ok(posted.some((url) => url.endsWith('/v1/orders/ZX-1/chat/typing')), `${posted}`);
    assert.deepEqual(asked, [true], 'the REST call gets a fresh token too');
    assert.equal(await client.token(), 'fresh', 'and the connection still gets its refresh');
    assert.equal(await client.token(), 'cached', 'once');
  } finally {
    client.close();
  }
});
