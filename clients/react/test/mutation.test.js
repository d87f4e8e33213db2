// @ts-check
import '../test-support/dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act } from 'react';
import { useMutation } from '../src/index.js';
import { FakeClient } from '../test-support/fake-client.js';
import { renderHook } from '../test-support/render.js';

/** @typedef {import('../src/index.js').MutationResult} MutationResult */

test('useMutation: pending while the answer is awaited, then the confirmed outcome', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useMutation('o1'));
  assert.equal(recorder.last.pending, false);
  assert.equal(recorder.last.lastOutcome, null);
  const mutate = recorder.last.mutate;

  /** @type {Promise<MutationResult> | undefined} */
  let result;
  await act(async () => {
    result = recorder.last.mutate('change_instructions', { text: 'ring twice' });
  });
  assert.equal(client.calls.mutate, 1);
  assert.deepEqual(
    { orderId: client.mutations[0].orderId, action: client.mutations[0].action, args: client.mutations[0].args },
    { orderId: 'o1', action: 'change_instructions', args: { text: 'ring twice' } },
  );
  assert.equal(recorder.last.pending, true);

  await act(async () => {
    client.answer(0, { state: 'confirmed', seq: 7 });
    await result;
  });
  assert.deepEqual(await result, { state: 'confirmed', seq: 7 });
  assert.equal(recorder.last.pending, false);
  assert.deepEqual(recorder.last.lastOutcome, { state: 'confirmed', seq: 7 });
  assert.equal(recorder.last.mutate, mutate, 'mutate keeps its identity');
  unmount();
});

test('useMutation: a rolled-back outcome, and pending until the last of two answers', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useMutation('o1'));
  /** @type {Promise<MutationResult>[]} */
  const results = [];
  await act(async () => {
    results.push(recorder.last.mutate('cancel'));
    results.push(recorder.last.mutate('change_instructions', { text: 'gate code 42' }));
  });
  assert.equal(recorder.last.pending, true);

  await act(async () => {
    client.answer(0, { state: 'rolled_back', code: 'invalid_transition', reason: 'already shipped' });
    await results[0];
  });
  assert.equal(recorder.last.pending, true, 'one still waits');
  assert.deepEqual(recorder.last.lastOutcome, { state: 'rolled_back', code: 'invalid_transition', reason: 'already shipped' });

  await act(async () => {
    client.answer(1, { state: 'confirmed', seq: 9 });
    await results[1];
  });
  assert.equal(recorder.last.pending, false);
  assert.equal(recorder.last.lastOutcome?.state, 'confirmed');
  unmount();
});

test('useMutation: a new order id starts over', async () => {
  const client = new FakeClient();
  let id = 'o1';
  const { recorder, rerender, unmount } = renderHook(client, () => useMutation(id));
  /** @type {Promise<MutationResult> | undefined} */
  let result;
  await act(async () => {
    result = recorder.last.mutate('cancel');
  });
  assert.equal(recorder.last.pending, true);
  id = 'o2';
  rerender();
  assert.equal(recorder.last.pending, false, 'the new order has nothing pending');
  await act(async () => {
    client.answer(0, { state: 'confirmed', seq: 3 });
    await result;
  });
  assert.equal(recorder.last.lastOutcome, null, "the old order's answer is not shown for the new one");
  unmount();
});

test('useMutation: an answer after unmount renders nothing', async () => {
  const client = new FakeClient();
  const { recorder, unmount } = renderHook(client, () => useMutation('o1'));
  /** @type {Promise<MutationResult> | undefined} */
  let result;
  await act(async () => {
    result = recorder.last.mutate('cancel');
  });
  unmount();
  const renders = recorder.renders;
  await act(async () => {
    client.answer(0, { state: 'confirmed', seq: 3 });
    await result;
  });
  assert.deepEqual(await result, { state: 'confirmed', seq: 3 }, 'the caller still gets the answer');
  assert.equal(recorder.renders, renders);
});
