// @ts-check
import '../test-support/dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act } from 'react';
import { useTopic } from '../src/index.js';
import { FakeClient } from '../test-support/fake-client.js';
import { renderHook } from '../test-support/render.js';

test('useTopic returns the topic snapshot itself and follows its changes', () => {
  const client = new FakeClient();
  const { recorder, rerender, unmount } = renderHook(client, () => useTopic('chat:o1'));
  assert.equal(recorder.last, client.snapshotOf('chat:o1'));
  assert.equal(recorder.last.status, 'loading');
  assert.equal(client.watcherCount('chat:o1'), 1);

  const message = { seq: 1, text: 'on my way', clientMessageId: 'c1', at: '2025-01-01T10:00:00Z' };
  act(() => client.emit('chat:o1', { status: 'live', messages: [message], lastUpdated: 10 }));
  assert.equal(recorder.last, client.snapshotOf('chat:o1'), 'the very snapshot, stable between changes');
  assert.deepEqual(recorder.last.messages, [message]);

  const watches = client.calls.watch;
  rerender();
  assert.equal(client.calls.watch, watches, 'no resubscribe on a re-render');
  unmount();
  assert.equal(client.listenerCount(), 0);
  assert.equal(client.wire.size, 0);
});

test('useTopic: each component watches on its own, the wire subscription lasts while any does', () => {
  const client = new FakeClient();
  const a = renderHook(client, () => useTopic('orders'));
  const b = renderHook(client, () => useTopic('orders'));
  assert.equal(client.watcherCount('orders'), 2);
  assert.deepEqual([...client.wire], ['orders']);
  assert.equal(client.calls.wireSubscribe - client.calls.wireUnsubscribe, 1, 'one subscription on the wire');
  a.unmount();
  assert.equal(client.watcherCount('orders'), 1);
  assert.deepEqual([...client.wire], ['orders']);
  act(() => client.emit('orders', { status: 'live', feed: { orders: new Map(), offset: 3 } }));
  assert.equal(b.recorder.last.feed?.offset, 3);
  b.unmount();
  assert.equal(client.wire.size, 0);
});

test('useTopic: the placeholder before subscribing has an empty view of its kind', () => {
  const client = new FakeClient();
  /** @type {import('../src/index.js').TopicSnapshot[]} */
  const firsts = [];
  for (const topic of ['orders', 'chat:o1', 'order:o1']) {
    const { recorder, unmount } = renderHook(client, () => useTopic(topic), { strict: false });
    firsts.push(recorder.values[0]);
    unmount();
  }
  // The hook's own placeholder (this fake has no get): loading, empty views.
  assert.deepEqual(
    firsts.map((s) => [s.topic, s.status, s.feed?.offset ?? null, s.messages?.length ?? null, s.order]),
    [
      ['orders', 'loading', 0, null, null],
      ['chat:o1', 'loading', null, 0, null],
      ['order:o1', 'loading', null, null, null],
    ],
  );
});

test('useTopic(null) watches nothing', () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useTopic(null));
  assert.equal(client.calls.watch, 0);
  assert.equal(recorder.last.status, 'loading');
  unmount();
});
