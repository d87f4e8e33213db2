// @ts-check
import '../test-support/dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act } from 'react';
import { fromSnapshot } from '../../js/src/order-state.js';
import { useOrder } from '../src/index.js';
import { FakeClient } from '../test-support/fake-client.js';
import { renderHook } from '../test-support/render.js';

/**
 * A server view of order `id`.
 * @param {string} id
 * @param {Record<string, unknown>} [fields]
 */
function orderView(id, fields = {}) {
  return fromSnapshot({
    id,
    status: 'confirmed',
    seq: 2,
    epoch: 'e1',
    address: '1 Main St',
    createdAt: '2025-01-01T10:00:00Z',
    updatedAt: '2025-01-01T10:05:00Z',
    ...fields,
  });
}

test('useOrder under StrictMode: one live watcher while mounted, none after unmount', () => {
  const client = new FakeClient();
  const { unmount } = renderHook(client, () => useOrder('o1'));
  assert.ok(client.calls.watch >= 2, `StrictMode mounted twice (watch calls: ${client.calls.watch})`);
  assert.equal(client.watcherCount('order:o1'), 1, 'exactly one live watcher');
  assert.deepEqual([...client.wire], ['order:o1']);
  assert.equal(client.calls.watch - client.calls.unsubscribe, 1);
  assert.equal(client.stateListeners.size, 1, 'one connection listener');

  unmount();
  assert.equal(client.watcherCount('order:o1'), 0, 'no watcher after unmount');
  assert.equal(client.wire.size, 0, 'unsubscribed on the wire');
  assert.equal(client.calls.wireSubscribe, client.calls.wireUnsubscribe);
  assert.equal(client.listenerCount(), 0, 'nothing left listening');
});

test('useOrder: re-rendering does not resubscribe', () => {
  const client = new FakeClient();
  const { recorder, rerender, unmount } = renderHook(client, () => useOrder('o1'));
  const watches = client.calls.watch;
  const renders = recorder.renders;
  for (let i = 0; i < 5; i += 1) rerender(() => useOrder('o1'));
  assert.ok(recorder.renders > renders, 'it did render again');
  assert.equal(client.calls.watch, watches, 'no new watch');
  assert.equal(client.calls.unsubscribe, watches - 1, 'no unsubscribe');
  assert.equal(client.watcherCount('order:o1'), 1);
  unmount();
});

test('useOrder: loading before anything is known (order null, timeline [])', () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useOrder('o1'));
  const state = recorder.last;
  assert.equal(state.order, null);
  assert.deepEqual(state.timeline, []);
  assert.equal(state.status, 'loading');
  assert.equal(state.error, null);
  assert.equal(state.lastUpdated, 0);
  assert.equal(state.connection, client.getState());

  // The client's blank view of an order it has heard nothing of is not shown.
  act(() => client.emit('order:o1', { order: fromSnapshot({ id: 'o1' }) }));
  assert.equal(recorder.last.order, null);
  unmount();
});

test('useOrder: a change from the client re-renders with the new order and its timeline', () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useOrder('o1'));

  const first = orderView('o1');
  act(() => client.emit('order:o1', { status: 'live', order: first, lastUpdated: 1000 }));
  assert.equal(recorder.last.order, first, 'the client view itself (nothing pending)');
  assert.equal(recorder.last.status, 'live');
  assert.equal(recorder.last.lastUpdated, 1000);
  const current = recorder.last.timeline.filter((s) => s.kind === 'step' && s.state === 'current');
  assert.deepEqual(
    current.map((s) => s.kind === 'step' && s.status),
    ['confirmed'],
  );

  const shipped = orderView('o1', { status: 'shipped', seq: 4 });
  act(() => client.emit('order:o1', { order: shipped, lastUpdated: 2000 }));
  assert.equal(recorder.last.order?.status, 'shipped');
  assert.equal(recorder.last.lastUpdated, 2000);
  const steps = recorder.last.timeline.filter((s) => s.kind === 'step');
  assert.deepEqual(
    steps.map((s) => s.kind === 'step' && `${s.status}:${s.state}`),
    ['placed:done', 'confirmed:done', 'preparing:done', 'shipped:current', 'out_for_delivery:pending', 'delivered:pending'],
  );

  act(() => client.emit('order:o1', { status: 'error', error: 'forbidden' }));
  assert.equal(recorder.last.status, 'error');
  assert.equal(recorder.last.error, 'forbidden');
  unmount();
});

test('useOrder: the result keeps its identity until something changes', () => {
  const client = new FakeClient();
  const { recorder, rerender, unmount } = renderHook(client, () => useOrder('o1'));
  act(() => client.emit('order:o1', { status: 'live', order: orderView('o1'), lastUpdated: 1 }));
  const before = recorder.last;
  rerender(() => useOrder('o1'));
  assert.equal(recorder.last, before, 'same object after a re-render');
  assert.equal(recorder.last.timeline, before.timeline);

  // Pending mutations: the overlay makes a new object on each call, yet the
  // hook's value stays put between changes (or React would loop).
  act(() => void client.mutate('o1', 'change_instructions', { text: 'ring twice' }));
  const pending = recorder.last;
  assert.equal(pending.order?.instructions, 'ring twice');
  rerender(() => useOrder('o1'));
  rerender(() => useOrder('o1'));
  assert.equal(recorder.last, pending);
  assert.equal(recorder.last.order, pending.order);

  act(() => client.setState({ status: 'live', transport: 'websocket', since: 5 }));
  assert.notEqual(recorder.last, pending, 'a new value for a new connection state');
  assert.equal(recorder.last.order, pending.order, 'with the same order');
  assert.equal(recorder.last.connection.status, 'live');
  unmount();
});

test('useOrder shows pending optimistic changes, and drops them when rolled back', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useOrder('o1'));
  act(() => client.emit('order:o1', { status: 'live', order: orderView('o1'), lastUpdated: 1 }));

  /** @type {Promise<unknown> | undefined} */
  let answer;
  act(() => {
    answer = client.mutate('o1', 'cancel');
  });
  const shown = /** @type {any} */ (recorder.last.order);
  assert.equal(shown.status, 'cancelled');
  assert.deepEqual(shown.pending, { status: true });
  assert.equal(recorder.last.timeline.at(-1)?.kind, 'final', 'the timeline follows the overlay');

  await act(async () => {
    client.answer(0, { state: 'rolled_back', code: 'invalid_transition', reason: 'too late' });
    await answer;
  });
  assert.equal(recorder.last.order?.status, 'confirmed', 'rolled back');
  assert.equal(/** @type {any} */ (recorder.last.order).pending, undefined);
  unmount();
});

test('useOrder: changing the id moves the watch to the new order', () => {
  const client = new FakeClient();
  client.emit('order:o2', { status: 'live', order: orderView('o2', { status: 'preparing' }), lastUpdated: 1 });
  const { recorder, rerender, unmount } = renderHook(client, () => useOrder('o1'));
  assert.equal(client.watcherCount('order:o1'), 1);

  rerender(() => useOrder('o2'));
  assert.equal(client.watcherCount('order:o1'), 0, 'the old order is let go');
  assert.equal(client.watcherCount('order:o2'), 1);
  assert.equal(recorder.last.order?.id, 'o2');
  assert.equal(recorder.last.order?.status, 'preparing');
  assert.ok(
    recorder.values.every((v) => v.order === null || v.order.id !== 'o1'),
    'never showed another order than asked',
  );
  unmount();
  assert.equal(client.listenerCount(), 0);
});

test('useOrder(null) watches nothing until there is an id', () => {
  const client = new FakeClient();
  /** @type {string | null} */
  let id = null;
  const { recorder, rerender, unmount } = renderHook(client, () => useOrder(id));
  assert.equal(client.calls.watch, 0);
  assert.equal(recorder.last.order, null);
  assert.equal(recorder.last.status, 'loading');
  id = 'o1';
  rerender();
  assert.equal(client.watcherCount('order:o1'), 1);
  unmount();
  assert.equal(client.listenerCount(), 0);
});

test('useOrder: the first render shows what the client already has (client.get)', () => {
  const client = new FakeClient({ withGet: true });
  const view = orderView('o1', { status: 'preparing' });
  client.emit('order:o1', { status: 'live', order: view, lastUpdated: 1 });
  const other = client.watchOrder('o1'); // another component watches it already
  const { recorder, unmount } = renderHook(client, () => useOrder('o1'));
  assert.equal(recorder.values[0].order, view, 'no loading flash on the first render');
  unmount();
  assert.equal(client.watcherCount('order:o1'), 1, 'the other watcher stays');
  other.unsubscribe();
});

test('unmounted components get no updates', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useOrder('o1'));
  act(() => client.emit('order:o1', { status: 'live', order: orderView('o1'), lastUpdated: 1 }));
  /** @type {Promise<unknown> | undefined} */
  let answer;
  act(() => {
    answer = client.mutate('o1', 'cancel');
  });
  unmount();
  const renders = recorder.renders;

  await act(async () => {
    client.emit('order:o1', { order: orderView('o1', { status: 'shipped', seq: 4 }), lastUpdated: 2 });
    client.setState({ status: 'live', transport: 'sse', since: 3 });
    client.answer(0, { state: 'confirmed', seq: 5 });
    await answer;
  });
  assert.equal(recorder.renders, renders, 'no render after unmount');
  assert.equal(client.listenerCount(), 0);
});
