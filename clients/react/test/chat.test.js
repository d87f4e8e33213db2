// @ts-check
import '../test-support/dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act } from 'react';
import { useChat, usePresence, useTyping } from '../src/index.js';
import { FakeClient } from '../test-support/fake-client.js';
import { renderHook } from '../test-support/render.js';

test('useChat shows messages, typists, presence and receipts, and its actions reach the client', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useChat('o1'));
  assert.deepEqual(recorder.last.messages, []);
  assert.equal(client.watcherCount('chat:o1'), 1);
  const message = { seq: 1, text: 'hi', clientMessageId: 'c1', at: '2025-01-01T10:00:00Z', from: 'max' };
  const present = [{ subject: 'max', role: 'courier', since: '2025-01-01T09:59:00Z' }];
  act(() =>
    client.emit('chat:o1', { status: 'live', messages: [message], typing: ['max'], present, reads: { max: 1 } }),
  );
  assert.deepEqual(recorder.last.messages, [message]);
  assert.deepEqual(recorder.last.typing, ['max']);
  assert.deepEqual(recorder.last.present, present);
  assert.deepEqual(recorder.last.reads, { max: 1 });
  recorder.last.onType();
  recorder.last.markRead(1);
  assert.deepEqual(await recorder.last.send('on my way'), { clientMessageId: 'm3' });
  assert.deepEqual(client.chatCalls, [
    ['typing', 'o1', null],
    ['markRead', 'o1', 1],
    ['sendMessage', 'o1', 'on my way'],
  ]);
  unmount();
  assert.equal(client.watcherCount('chat:o1'), 0, 'nothing left watching');
});

test('usePresence and useTyping follow their topic', () => {
  const client = new FakeClient();
  const presence = renderHook(client, () => usePresence('order:o1'));
  const typing = renderHook(client, () => useTyping('o1'));
  const present = [{ subject: 'ada', role: 'customer', since: '2025-01-01T09:00:00Z' }];
  act(() => client.emit('order:o1', { status: 'live', present }));
  act(() => client.emit('chat:o1', { status: 'live', typing: ['ada'] }));
  assert.deepEqual(presence.recorder.last, present);
  assert.deepEqual(typing.recorder.last.typing, ['ada']);
  presence.unmount();
  typing.unmount();
  assert.equal(client.listenerCount(), 0);
});
