// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { BoundedSet, TopicPipeline } from '../../src/pipeline.js';

/** @typedef {import('../../src/pipeline.js').Envelope} Envelope */

const TOPIC = 'order:ZX-1';

/**
 * A durable event of order:ZX-1.
 * @param {number} seq
 * @param {{ id?: string, epoch?: string, type?: string, payload?: Record<string, unknown>, topic?: string, offset?: number }} [over]
 * @returns {Envelope}
 */
function durable(seq, over = {}) {
  /** @type {Envelope} */
  const env = {
    id: over.id ?? `ev-${over.epoch ?? 'E'}-${seq}`,
    type: over.type ?? 'status_changed',
    topic: over.topic ?? TOPIC,
    seq,
    epoch: over.epoch ?? 'E',
    occurredAt: '2026-01-01T00:00:00Z',
    version: 1,
    payload: over.payload ?? { status: 'confirmed' },
  };
  if (over.offset !== undefined) env.offset = over.offset;
  return env;
}

/**
 * A location signal.
 * @param {string} id
 * @param {number} ts
 * @param {string} [topic]
 * @returns {Envelope}
 */
function location(id, ts, topic = TOPIC) {
  return { id, type: 'location', topic, occurredAt: '2026-01-01T00:00:00Z', version: 1, payload: { lat: 1, lng: 2, ts } };
}

/**
 * @param {Envelope[]} ready
 * @returns {Array<number | undefined>}
 */
const seqs = (ready) => ready.map((e) => e.seq);

test('in-order events are applied at once and move the position', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  for (const seq of [1, 2, 3]) {
    const r = p.accept(durable(seq));
    assert.deepEqual(seqs(r.ready), [seq]);
    assert.equal(r.gap, false);
    assert.equal(r.duplicate, false);
    assert.equal(r.stale, false);
    assert.equal(r.invalid, undefined);
  }
  assert.deepEqual(p.position(), { seq: 3, epoch: 'E' });
});

test('dedupe: the same id twice is a duplicate', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  assert.equal(p.accept(durable(1)).ready.length, 1);
  const again = p.accept(durable(1));
  assert.equal(again.duplicate, true);
  assert.deepEqual(again.ready, []);
  const signal = location('sig-1', 10);
  assert.equal(p.accept(signal).ready.length, 1);
  assert.equal(p.accept(signal).duplicate, true, 'a signal seen twice by id');
});

test('dedupe: a durable event at or below the applied seq is dropped, whatever its id', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 5, epoch: 'E' });
  for (const seq of [1, 4, 5]) {
    const r = p.accept(durable(seq, { id: `other-${seq}` }));
    assert.equal(r.duplicate, true, `seq ${seq}`);
    assert.deepEqual(r.ready, []);
  }
  assert.deepEqual(seqs(p.accept(durable(6)).ready), [6]);
  assert.deepEqual(p.position(), { seq: 6, epoch: 'E' });
});

test('dedupe memory is bounded: after capacity + 1 ids the oldest is forgotten', () => {
  const set = new BoundedSet(3);
  for (const id of ['a', 'b', 'c']) set.add(id);
  assert.ok(set.has('a'));
  set.add('d');
  assert.equal(set.size, 3);
  assert.ok(!set.has('a'), 'oldest forgotten');
  assert.ok(set.has('b') && set.has('c') && set.has('d'));

  const p = new TopicPipeline({ topic: TOPIC, dedupeCapacity: 3 });
  p.accept(location('a', 1));
  p.accept(location('b', 2));
  p.accept(location('c', 3));
  assert.ok(p.hasSeen('a'));
  p.accept(location('d', 4));
  assert.ok(!p.hasSeen('a'), 'a is forgotten after capacity + 1 ids');
  assert.ok(p.hasSeen('b') && p.hasSeen('d'));
  const r = p.accept(location('a', 5));
  assert.equal(r.duplicate, false, 'a forgotten id is no longer a duplicate');
  assert.equal(r.ready.length, 1);
});

test('reorder: 3 then 2 after 1 are released in order', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  assert.deepEqual(seqs(p.accept(durable(1)).ready), [1]);
  const three = p.accept(durable(3));
  assert.deepEqual(three.ready, [], 'waits for 2');
  assert.equal(three.gap, false);
  assert.equal(p.buffered, 1);
  assert.deepEqual(p.position(), { seq: 1, epoch: 'E' });
  assert.deepEqual(seqs(p.accept(durable(2)).ready), [2, 3]);
  assert.equal(p.buffered, 0);
  assert.deepEqual(p.position(), { seq: 3, epoch: 'E' });
});

test('reorder: a longer shuffle comes out in order, and a buffered seq seen twice is a duplicate', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 10, epoch: 'E' });
  /** @type {number[]} */
  const out = [];
  for (const seq of [14, 12, 13, 12, 11, 15]) {
    const r = p.accept(durable(seq, { id: `x-${seq}-${out.length}` }));
    if (seq === 12 && r.duplicate) continue;
    out.push(...seqs(r.ready).map(Number));
  }
  assert.deepEqual(out, [11, 12, 13, 14, 15]);
  const dup = new TopicPipeline({ topic: TOPIC });
  dup.reset({ seq: 0, epoch: 'E' });
  dup.accept(durable(3, { id: 'first' }));
  assert.equal(dup.accept(durable(3, { id: 'second' })).duplicate, true);
});

test('gap: an event beyond the reorder window clears the buffer and is not applied', () => {
  const p = new TopicPipeline({ topic: TOPIC, reorderWindow: 4 });
  p.reset({ seq: 1, epoch: 'E' });
  assert.equal(p.accept(durable(3)).gap, false);
  assert.equal(p.accept(durable(5)).gap, false, '5 is within 4 of 1');
  assert.equal(p.buffered, 2);
  const far = p.accept(durable(6));
  assert.equal(far.gap, true, '6 is more than 4 ahead of 1');
  assert.deepEqual(far.ready, []);
  assert.equal(p.buffered, 0, 'buffer cleared');
  assert.deepEqual(p.position(), { seq: 1, epoch: 'E' }, 'nothing applied past the gap');
  // The caller resyncs: the replay fills in from 2.
  assert.deepEqual(seqs(p.accept(durable(2)).ready), [2]);
  assert.deepEqual(seqs(p.accept(durable(3)).ready), [3], 'was cleared, so it comes again');
});

test('gap: the default window is 32', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  assert.equal(p.accept(durable(32)).gap, false);
  assert.equal(p.accept(durable(33)).gap, true);
});

test('gap: an event of another epoch', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 5, epoch: 'A' });
  p.accept(durable(7, { epoch: 'A' }));
  assert.equal(p.buffered, 1);
  const other = p.accept(durable(6, { epoch: 'B' }));
  assert.equal(other.gap, true);
  assert.deepEqual(other.ready, []);
  assert.equal(p.buffered, 0);
  assert.deepEqual(p.position(), { seq: 5, epoch: 'A' });
  assert.equal(p.accept(durable(1, { epoch: 'B' })).gap, true, 'even a low seq of another epoch');
  // After the snapshot of the new epoch:
  p.reset({ seq: 2, epoch: 'B' });
  assert.deepEqual(seqs(p.accept(durable(3, { epoch: 'B' })).ready), [3]);
  assert.deepEqual(p.position(), { seq: 3, epoch: 'B' });
});

test('the first epoch seen is taken when none is known (a chat replayed from its start)', () => {
  const p = new TopicPipeline({ topic: 'chat:ZX-1' });
  assert.deepEqual(p.position(), { seq: 0, epoch: null });
  const r = p.accept(durable(1, { topic: 'chat:ZX-1', type: 'chat_message', payload: { text: 'hi', clientMessageId: 'c1' } }));
  assert.equal(r.ready.length, 1);
  assert.deepEqual(p.position(), { seq: 1, epoch: 'E' });
});

test('reset clears the reorder buffer and keeps the ids seen', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  p.accept(durable(1));
  p.accept(durable(3));
  p.reset({ seq: 4, epoch: 'E' });
  assert.equal(p.buffered, 0);
  assert.deepEqual(p.position(), { seq: 4, epoch: 'E' });
  assert.ok(p.hasSeen('ev-E-1'));
  assert.deepEqual(seqs(p.accept(durable(5)).ready), [5]);
});

test('invalid envelopes are refused with the reason', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  p.reset({ seq: 0, epoch: 'E' });
  const base = durable(1);
  /** @type {Array<[unknown, RegExp]>} */
  const cases = [
    [null, /object/],
    ['text', /object/],
    [{ ...base, id: undefined }, /^id/],
    [{ ...base, id: 7 }, /^id/],
    [{ ...base, type: '' }, /^type/],
    [{ ...base, topic: 'order:OTHER' }, /^topic/],
    [{ ...base, payload: null }, /^payload/],
    [{ ...base, payload: [1] }, /^payload/],
    [{ ...base, seq: 0 }, /^seq/],
    [{ ...base, seq: 1.5 }, /^seq/],
    [{ ...base, seq: '1' }, /^seq/],
    [{ ...base, epoch: undefined }, /^epoch/],
    [{ ...base, epoch: '' }, /^epoch/],
    [{ ...location('s', 1), epoch: 'E' }, /^epoch/],
    [{ ...location('s', 1), offset: 3 }, /^seq/],
    [{ ...base, offset: -1 }, /^offset/],
  ];
  for (const [envelope, reason] of cases) {
    const r = p.accept(envelope);
    assert.match(r.invalid ?? '', reason, JSON.stringify(envelope));
    assert.deepEqual(r.ready, []);
  }
  assert.deepEqual(p.position(), { seq: 0, epoch: 'E' });
  assert.equal(p.accept(base).ready.length, 1, 'a valid one still goes through');
});

test('ephemeral signals are latest-wins by payload.ts: older or equal are stale', () => {
  const p = new TopicPipeline({ topic: TOPIC });
  assert.equal(p.accept(location('l1', 100)).ready.length, 1);
  const older = p.accept(location('l2', 50));
  assert.equal(older.stale, true);
  assert.deepEqual(older.ready, []);
  assert.equal(p.accept(location('l3', 100)).stale, true, 'as old is stale too');
  assert.equal(p.accept(location('l4', 101)).ready.length, 1);
  // Another kind has its own clock.
  const typing = { id: 't1', type: 'typing', topic: TOPIC, payload: { active: true, ts: 20 } };
  assert.equal(p.accept(typing).ready.length, 1);
  // Signals without a usable ts are taken as they come.
  for (const [i, payload] of [{ active: true }, { active: false, ts: 0 }, { active: true, ts: 0 }].entries()) {
    const r = p.accept({ id: `nots-${i}`, type: 'typing', topic: 'order:ZX-1', payload });
    assert.equal(r.stale, false);
    assert.equal(r.ready.length, 1);
  }
  // Signals never move the durable position.
  assert.deepEqual(p.position(), { seq: 0, epoch: null });
});

test('the orders feed orders by offset and takes every order topic', () => {
  const p = new TopicPipeline({ topic: 'orders', by: 'offset' });
  p.reset({ offset: 10 });
  assert.deepEqual(p.position(), { offset: 10 });
  const a = durable(4, { topic: 'order:A', offset: 11, id: 'a4' });
  const b = durable(9, { topic: 'order:B', offset: 12, id: 'b9' });
  const c = durable(5, { topic: 'order:A', offset: 13, id: 'a5' });
  assert.deepEqual(p.accept(c).ready, []);
  assert.deepEqual(p.accept(a).ready, [a]);
  assert.deepEqual(p.accept(b).ready, [b, c]);
  assert.deepEqual(p.position(), { offset: 13 });
  assert.equal(p.accept(durable(3, { topic: 'order:C', offset: 13, id: 'c3' })).duplicate, true);
  assert.match(p.accept(durable(6, { topic: 'order:A', id: 'no-offset' })).invalid ?? '', /offset/);
  assert.match(p.accept(durable(1, { topic: 'chat:A', offset: 14 })).invalid ?? '', /topic/);
  assert.equal(p.accept(durable(1, { topic: 'order:Z', offset: 80, id: 'far' })).gap, true);
  // Couriers' locations meet on the feed: latest-wins per order topic.
  assert.equal(p.accept(location('la', 100, 'order:A')).ready.length, 1);
  assert.equal(p.accept(location('lb', 50, 'order:B')).ready.length, 1, 'B has its own clock');
  assert.equal(p.accept(location('la2', 90, 'order:A')).stale, true);
});

test('the topic is required', () => {
  assert.throws(() => new TopicPipeline({ topic: '' }), TypeError);
});

test('signals that name their sender are latest-wins per sender', () => {
  const pipeline = new TopicPipeline({ topic: 'chat:A' });
  /** @param {string} id @param {string} subject @param {number} ts */
  const typing = (id, subject, ts) => ({
    id,
    type: 'typing',
    topic: 'chat:A',
    payload: { active: true, ts, from: { subject, role: 'customer' } },
  });
  assert.equal(pipeline.accept(typing('t1', 'ada', 5)).ready.length, 1);
  assert.equal(pipeline.accept(typing('t2', 'max', 5)).ready.length, 1, 'another person, same clock value');
  assert.equal(pipeline.accept(typing('t3', 'ada', 4)).stale, true, 'older from the same person');
});
