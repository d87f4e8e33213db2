// @ts-check
import '../test-support/dom.js';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { act } from 'react';
import { useConnectionStatus, useTrackwire } from '../src/index.js';
import { FakeClient } from '../test-support/fake-client.js';
import { renderHook } from '../test-support/render.js';

test('useTrackwire outside a TrackwireProvider throws a clear error', () => {
  assert.throws(
    () => renderHook(null, () => useTrackwire()),
    (error) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^useTrackwire: no TrackwireClient here\. Wrap the tree in <TrackwireProvider client=\{client\}>/);
      return true;
    },
  );
});

test('TrackwireProvider refuses a missing client', () => {
  assert.throws(() => renderHook(undefined, () => useTrackwire()), {
    name: 'TypeError',
    message: /TrackwireProvider: the `client` prop must be a TrackwireClient/,
  });
});

test('useTrackwire returns the provider client, and the provider does not close it', () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useTrackwire());
  assert.equal(recorder.last, client);
  unmount();
  assert.equal(client.getState().status, 'idle', 'unmounting the provider leaves the client open');
});

test('useConnectionStatus follows the client state changes', () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useConnectionStatus());
  const status = () => recorder.last.status;
  assert.equal(status(), 'idle');
  assert.equal(client.stateListeners.size, 1, 'one state listener while mounted (StrictMode)');

  act(() => client.setState({ status: 'connecting', transport: 'websocket', attempt: 0 }));
  assert.equal(status(), 'connecting');
  act(() => client.setState({ status: 'live', transport: 'websocket', since: 1 }));
  assert.deepEqual(recorder.last, { status: 'live', transport: 'websocket', since: 1 });
  assert.equal(recorder.last, client.getState(), 'the very state object, not a copy');
  act(() => client.setState({ status: 'reconnecting', attempt: 1, nextRetryAt: 5, reason: 'closed (1006)' }));
  assert.equal(status(), 'reconnecting');

  const renders = recorder.renders;
  unmount();
  assert.equal(client.stateListeners.size, 0, 'no state listener after unmount');
  client.setState({ status: 'closed', reason: 'bye' });
  assert.equal(recorder.renders, renders, 'no render after unmount');
});

test('the package imports only react and the client package at run time, by name', async () => {
  const specifiers = [];
  for (const file of ['index.js', 'hooks.js']) {
    const source = await readFile(new URL(`../src/${file}`, import.meta.url), 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
      specifiers.push(match[1]);
    }
  }
  // No relative path out of the package: it must work once installed from npm.
  assert.deepEqual([...new Set(specifiers)].sort(), ['./hooks.js', '@trackwire/client', 'react']);
});
