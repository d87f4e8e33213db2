// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyEvent, applyEvents, emptyOrder, fromSnapshot } from '../../src/order-state.js';
import { allowedNext, canBecome, statusRank } from '../../src/order-status.js';
import { timelineSteps } from '../../src/timeline.js';

/** @typedef {import('../../src/pipeline.js').Envelope} Envelope */
/** @typedef {import('../../src/order-state.js').OrderView} OrderView */
/** @typedef {import('../../src/order-status.js').OrderStatus} OrderStatus */

const ID = 'ZX-1';

/**
 * A durable event of order:ZX-1, at minute `seq` of the day.
 * @param {number} seq
 * @param {string} type
 * @param {Record<string, unknown>} [payload]
 * @param {{ epoch?: string, topic?: string }} [over]
 * @returns {Envelope}
 */
function ev(seq, type, payload = {}, over = {}) {
  return {
    id: `e${seq}`,
    type,
    topic: over.topic ?? `order:${ID}`,
    seq,
    epoch: over.epoch ?? 'E',
    occurredAt: `2026-01-01T10:${String(seq).padStart(2, '0')}:00Z`,
    version: 1,
    payload,
  };
}

/**
 * @param {OrderStatus} status
 * @param {number} seq
 * @returns {Envelope}
 */
const status = (status, seq) => ev(seq, 'status_changed', { status });

const CREATED = ev(1, 'order_created', {
  customer: { id: 'cust-1', name: 'Ada' },
  items: [{ name: 'Pizza', quantity: 2 }, { name: 'Cola' }],
  address: '1 Main St',
  courier: 'courier-7',
  instructions: 'Ring twice',
  eta: '2026-01-01T11:00:00Z',
});

/** @returns {OrderView} */
const created = () => applyEvent(emptyOrder(ID), CREATED);

/**
 * A snapshot as the server sends it.
 * @param {Record<string, unknown>} [over]
 * @returns {Record<string, unknown>}
 */
function snapshot(over = {}) {
  return {
    id: ID,
    customer: { id: 'cust-1' },
    courier: null,
    items: [{ name: 'Pizza', quantity: 1 }],
    address: '1 Main St',
    status: 'preparing',
    eta: null,
    location: null,
    instructions: null,
    delay: null,
    lastFailure: null,
    seq: 3,
    epoch: 'E',
    final: false,
    createdAt: '2026-01-01T10:01:00Z',
    updatedAt: '2026-01-01T10:03:00Z',
    ...over,
  };
}

test('the status table matches the server (docs/domain.md)', () => {
  assert.deepEqual(allowedNext('placed'), ['confirmed', 'preparing', 'shipped', 'out_for_delivery', 'delivered', 'cancelled']);
  assert.deepEqual(allowedNext('confirmed'), ['preparing', 'shipped', 'out_for_delivery', 'delivered', 'cancelled']);
  assert.deepEqual(allowedNext('preparing'), ['shipped', 'out_for_delivery', 'delivered', 'cancelled']);
  assert.deepEqual(allowedNext('shipped'), ['out_for_delivery', 'delivered', 'returned']);
  assert.deepEqual(allowedNext('out_for_delivery'), ['delivered', 'returned']);
  for (const s of /** @type {OrderStatus[]} */ (['delivered', 'cancelled', 'returned'])) assert.deepEqual(allowedNext(s), []);
  assert.ok(statusRank('placed') < statusRank('confirmed') && statusRank('out_for_delivery') < statusRank('delivered'));
  assert.ok(!canBecome('shipped', 'shipped'));
});

test('emptyOrder and order_created', () => {
  const empty = emptyOrder(ID);
  assert.equal(empty.id, ID);
  assert.equal(empty.status, 'placed');
  assert.equal(empty.seq, 0);
  assert.deepEqual(empty.timeline, []);
  const view = created();
  assert.deepEqual(view.customer, { id: 'cust-1', name: 'Ada' });
  assert.deepEqual(view.courier, { id: 'courier-7' }, 'a bare id string is a party');
  assert.deepEqual(view.items, [{ name: 'Pizza', quantity: 2 }, { name: 'Cola', quantity: 1 }]);
  assert.equal(view.address, '1 Main St');
  assert.equal(view.instructions, 'Ring twice');
  assert.equal(view.eta, '2026-01-01T11:00:00Z');
  assert.equal(view.status, 'placed');
  assert.equal(view.seq, 1);
  assert.equal(view.epoch, 'E');
  assert.equal(view.createdAt, '2026-01-01T10:01:00Z');
  assert.equal(view.updatedAt, '2026-01-01T10:01:00Z');
  assert.equal(view.lastUpdated, Date.parse('2026-01-01T10:01:00Z'));
  assert.deepEqual(view.timeline, [{ seq: 1, type: 'order_created', at: '2026-01-01T10:01:00Z', status: 'placed', orderStatus: 'placed' }]);
  const again = applyEvent(view, ev(2, 'order_created', { customer: 'x', items: [], address: 'y' }));
  assert.equal(again.timeline[1].ignored, 'already_created');
  assert.equal(again.address, '1 Main St');
});

test('fromSnapshot reads the server snapshot', () => {
  const view = fromSnapshot(
    snapshot({
      courier: 'c-9',
      location: { lat: 1.5, lng: 2.5, heading: 90, ts: 77 },
      delay: { reason: 'rain', since: '2026-01-01T10:02:00Z' },
      internalNote: 'VIP',
    }),
  );
  assert.equal(view.status, 'preparing');
  assert.deepEqual(view.courier, { id: 'c-9' });
  assert.deepEqual(view.location, { lat: 1.5, lng: 2.5, heading: 90, ts: 77 });
  assert.deepEqual(view.delay, { reason: 'rain', since: '2026-01-01T10:02:00Z' });
  assert.equal(view.internalNote, 'VIP');
  assert.equal(view.seq, 3);
  assert.equal(view.epoch, 'E');
  assert.equal(view.final, false);
  assert.equal(view.lastUpdated, Date.parse('2026-01-01T10:03:00Z'));
  assert.deepEqual(view.timeline, []);
  assert.equal(fromSnapshot(snapshot({ status: 'delivered', final: true })).final, true);
  assert.equal(fromSnapshot('garbage').status, 'placed', 'tolerant of nonsense');
});

test('a snapshot of the same epoch keeps the timeline it covers', () => {
  const before = applyEvents(created(), [status('confirmed', 2), status('preparing', 3), status('shipped', 4)]);
  const kept = fromSnapshot(snapshot({ seq: 3 }), before);
  assert.deepEqual(kept.timeline.map((e) => e.seq), [1, 2, 3]);
  const otherEpoch = fromSnapshot(snapshot({ seq: 3, epoch: 'F' }), before);
  assert.deepEqual(otherEpoch.timeline, []);
});

test('status_changed walks the main path; delivered is final and sticky', () => {
  let view = created();
  let seq = 1;
  for (const s of /** @type {OrderStatus[]} */ (['confirmed', 'preparing', 'shipped', 'out_for_delivery', 'delivered'])) {
    seq += 1;
    view = applyEvent(view, status(s, seq));
    assert.equal(view.status, s);
    assert.equal(view.seq, seq);
  }
  assert.equal(view.final, true);
  const after = applyEvent(view, ev(7, 'eta_changed', { eta: '2026-01-02T00:00:00Z' }));
  assert.equal(after.status, 'delivered');
  assert.equal(after.eta, view.eta, 'nothing changes on a final order');
  assert.equal(after.seq, 7);
  assert.equal(after.timeline.at(-1)?.ignored, 'order_final');
  const returned = applyEvent(after, status('returned', 8));
  assert.equal(returned.status, 'delivered', 'final states are sticky');
});

test('a status never moves backwards: the event only reaches the timeline, flagged', () => {
  const shipped = applyEvent(created(), status('shipped', 2));
  assert.equal(shipped.status, 'shipped', 'skipping forward is fine');
  const back = applyEvent(shipped, ev(3, 'status_changed', { status: 'confirmed', reason: 'oops' }));
  assert.equal(back.status, 'shipped');
  assert.equal(back.seq, 3, 'the seq still moves: the event was seen');
  assert.equal(back.updatedAt, shipped.updatedAt);
  assert.equal(back.lastUpdated, shipped.lastUpdated);
  assert.deepEqual(back.timeline.at(-1), {
    seq: 3,
    type: 'status_changed',
    at: '2026-01-01T10:03:00Z',
    status: 'confirmed',
    reason: 'oops',
    orderStatus: 'shipped',
    ignored: 'backwards',
  });
  assert.equal(applyEvent(shipped, status('shipped', 3)).timeline.at(-1)?.ignored, 'backwards', 'staying is not moving');
  assert.equal(applyEvent(shipped, status('cancelled', 3)).timeline.at(-1)?.ignored, 'invalid_transition', 'too late to cancel');
  assert.equal(applyEvent(shipped, ev(3, 'status_changed', { status: 'lost' })).timeline.at(-1)?.ignored, 'invalid_payload');
  const cancelled = applyEvent(created(), status('cancelled', 2));
  assert.equal(cancelled.final, true);
  assert.equal(applyEvent(cancelled, status('confirmed', 3)).status, 'cancelled');
});

test('eta_changed, delayed and the next status change', () => {
  let view = applyEvent(created(), ev(2, 'eta_changed', { eta: '2026-01-01T12:00:00Z' }));
  assert.equal(view.eta, '2026-01-01T12:00:00Z');
  view = applyEvent(view, ev(3, 'delayed', { reason: 'storm', eta: '2026-01-01T13:00:00Z' }));
  assert.deepEqual(view.delay, { reason: 'storm', since: '2026-01-01T10:03:00Z' });
  assert.equal(view.eta, '2026-01-01T13:00:00Z');
  assert.equal(view.final, false, 'a delay does not end the order');
  view = applyEvent(view, ev(4, 'delayed', { reason: 'traffic' }));
  assert.equal(view.eta, '2026-01-01T13:00:00Z', 'a delay without eta keeps it');
  view = applyEvent(view, status('confirmed', 5));
  assert.equal(view.delay, null, 'a status change clears the delay');
  assert.deepEqual(view.timeline.map((e) => e.type), ['order_created', 'eta_changed', 'delayed', 'delayed', 'status_changed']);
  assert.equal(view.timeline[1].eta, '2026-01-01T12:00:00Z');
  assert.equal(view.timeline[2].reason, 'storm');
});

test('delivery_failed only while in transit; delivered clears it', () => {
  const early = applyEvent(created(), ev(2, 'delivery_failed', { reason: 'nobody home' }));
  assert.equal(early.lastFailure, null);
  assert.equal(early.timeline.at(-1)?.ignored, 'not_allowed_in_status');
  let view = applyEvents(created(), [status('out_for_delivery', 2), ev(3, 'delivery_failed', { reason: 'nobody home' })]);
  assert.equal(view.lastFailure, 'nobody home');
  assert.equal(view.status, 'out_for_delivery');
  assert.equal(view.final, false);
  view = applyEvent(view, status('delivered', 4));
  assert.equal(view.lastFailure, null);
});

test('courier_assigned, instructions_changed and the staff note', () => {
  let view = applyEvent(created(), ev(2, 'courier_assigned', { courier: { id: 'c-2', name: 'Bo', phone: '+1' }, internalNote: 'fast one' }));
  assert.deepEqual(view.courier, { id: 'c-2', name: 'Bo', phone: '+1' });
  assert.equal(view.internalNote, 'fast one');
  assert.deepEqual(view.timeline.at(-1)?.courier, { id: 'c-2', name: 'Bo', phone: '+1' });
  view = applyEvent(view, ev(3, 'instructions_changed', { text: 'Gate B' }));
  assert.equal(view.instructions, 'Gate B');
  assert.equal(view.timeline.at(-1)?.text, 'Gate B');
  assert.equal(view.internalNote, 'fast one', 'an event without a note keeps it');
  view = applyEvent(view, ev(4, 'instructions_changed', { text: '  ' }));
  assert.equal(view.instructions, null, 'blank text clears them');
  view = applyEvent(view, ev(5, 'delayed', { reason: 'x', internalNote: ' ' }));
  assert.equal(view.internalNote, null, 'a blank note clears it');
});

test('location is latest-wins by ts and frozen once final', () => {
  /**
   * @param {number} ts
   * @param {Record<string, unknown>} [extra]
   * @returns {Envelope}
   */
  const at = (ts, extra = {}) => ({ id: `l${ts}`, type: 'location', topic: `order:${ID}`, payload: { lat: 1, lng: 2, ts, ...extra } });
  let view = applyEvent(created(), at(10, { heading: 45 }), 5000);
  assert.deepEqual(view.location, { lat: 1, lng: 2, heading: 45, ts: 10 });
  assert.equal(view.lastUpdated, 5000);
  assert.equal(view.seq, 1, 'signals do not move the seq');
  assert.equal(view.timeline.length, 1, 'nor reach the timeline');
  assert.equal(applyEvent(view, at(5)), view, 'older is dropped');
  assert.equal(applyEvent(view, at(10)), view, 'as old is dropped');
  view = applyEvent(view, at(11));
  assert.equal(view.location?.ts, 11);
  assert.equal(applyEvent(view, { id: 'bad', type: 'location', topic: `order:${ID}`, payload: { lat: 'x', ts: 99 } }), view);
  const delivered = applyEvent(view, status('delivered', 2));
  assert.equal(applyEvent(delivered, at(50)), delivered, 'a final order keeps its last position');
});

test('applying never mutates the input view', () => {
  const view = applyEvents(created(), [status('shipped', 2), ev(3, 'delayed', { reason: 'r' })]);
  const copy = structuredClone(view);
  const events = [
    status('out_for_delivery', 4),
    status('placed', 4),
    ev(4, 'eta_changed', { eta: '2026-01-03T00:00:00Z' }),
    ev(4, 'delivery_failed', { reason: 'x' }),
    ev(4, 'courier_assigned', { courier: 'c' }),
    ev(4, 'instructions_changed', { text: 't' }),
    { id: 'l', type: 'location', topic: `order:${ID}`, payload: { lat: 0, lng: 0, ts: 1 } },
  ];
  for (const e of events) {
    const next = applyEvent(view, e);
    assert.notEqual(next, view);
    assert.deepEqual(view, copy, `${e.type} left the input alone`);
  }
});

test('events at or below the seq only fill the timeline, once per seq', () => {
  const view = fromSnapshot(snapshot({ seq: 3, status: 'preparing' }));
  const filled = applyEvents(view, [CREATED, status('confirmed', 2), status('preparing', 3)]);
  assert.equal(filled.status, 'preparing');
  assert.equal(filled.seq, 3);
  assert.deepEqual(filled.timeline.map((e) => e.seq), [1, 2, 3]);
  assert.equal(filled.timeline[1].orderStatus, undefined, 'history entries do not claim a context');
  assert.equal(applyEvent(filled, status('confirmed', 2)), filled, 'a seq already there changes nothing');
  const live = applyEvent(filled, status('shipped', 4));
  assert.equal(applyEvent(live, status('shipped', 4)), live);
});

test('chat, other orders and other epochs leave the view alone; unknown types reach the timeline', () => {
  const view = created();
  assert.equal(applyEvent(view, ev(2, 'chat_message', { text: 'hi', clientMessageId: 'm' }, { topic: `chat:${ID}` })), view);
  assert.equal(applyEvent(view, status('confirmed', 2)) === view, false);
  assert.equal(applyEvent(view, ev(2, 'status_changed', { status: 'confirmed' }, { topic: 'order:OTHER' })), view);
  assert.equal(applyEvent(view, ev(2, 'status_changed', { status: 'confirmed' }, { epoch: 'F' })), view);
  assert.equal(applyEvent(view, { id: 't', type: 'typing', topic: `order:${ID}`, payload: { active: true } }), view);
  const future = applyEvent(view, ev(2, 'parcel_weighed', { grams: 300 }));
  assert.equal(future.seq, 2);
  assert.equal(future.timeline.at(-1)?.type, 'parcel_weighed');
  assert.equal(future.timeline.at(-1)?.ignored, undefined);
});

/**
 * @param {import('../../src/timeline.js').TimelineStep[]} steps
 * @returns {string[]}
 */
const brief = (steps) => steps.map((s) => (s.kind === 'warning' ? `!${s.type}${s.active ? '*' : ''}` : `${s.status}:${s.state}`));

test('timelineSteps: main path done, current and pending, warnings under their step', () => {
  const view = applyEvents(created(), [
    status('confirmed', 2),
    ev(3, 'delayed', { reason: 'busy kitchen' }),
    status('shipped', 4),
    ev(5, 'delayed', { reason: 'storm' }),
  ]);
  assert.deepEqual(brief(timelineSteps(view)), [
    'placed:done',
    'confirmed:done',
    '!delayed',
    'preparing:done',
    'shipped:current',
    '!delayed*',
    'out_for_delivery:pending',
    'delivered:pending',
  ]);
  const steps = timelineSteps(view);
  assert.deepEqual(steps[0], { kind: 'step', status: 'placed', state: 'done', at: '2026-01-01T10:01:00Z', seq: 1 });
  assert.deepEqual(steps[3], { kind: 'step', status: 'preparing', state: 'done' }, 'a skipped step has no time');
  assert.deepEqual(steps[5], { kind: 'warning', type: 'delayed', reason: 'storm', at: '2026-01-01T10:05:00Z', seq: 5, active: true });
});

test('timelineSteps: delivered has every step done; failures are warnings', () => {
  const view = applyEvents(created(), [
    status('out_for_delivery', 2),
    ev(3, 'delivery_failed', { reason: 'nobody home' }),
    status('delivered', 4),
  ]);
  assert.deepEqual(brief(timelineSteps(view)), [
    'placed:done',
    'confirmed:done',
    'preparing:done',
    'shipped:done',
    'out_for_delivery:done',
    '!delivery_failed',
    'delivered:done',
  ]);
});

test('timelineSteps: cancelled and returned end with their final step', () => {
  const cancelled = applyEvents(created(), [status('confirmed', 2), ev(3, 'status_changed', { status: 'cancelled', reason: 'changed my mind' })]);
  const steps = timelineSteps(cancelled);
  assert.deepEqual(brief(steps), ['placed:done', 'confirmed:done', 'cancelled:current']);
  assert.deepEqual(steps.at(-1), { kind: 'final', status: 'cancelled', state: 'current', at: '2026-01-01T10:03:00Z', seq: 3, reason: 'changed my mind' });
  const returned = applyEvents(created(), [status('out_for_delivery', 2), status('returned', 3)]);
  assert.deepEqual(brief(timelineSteps(returned)), [
    'placed:done',
    'confirmed:done',
    'preparing:done',
    'shipped:done',
    'out_for_delivery:done',
    'returned:current',
  ]);
  const afterSnapshot = applyEvents(fromSnapshot(snapshot({ status: 'preparing', seq: 3 })), [
    ev(4, 'delayed', { reason: 'busy' }),
    status('cancelled', 5),
  ]);
  assert.deepEqual(brief(timelineSteps(afterSnapshot)), ['placed:done', 'confirmed:done', 'preparing:done', '!delayed', 'cancelled:current']);
  const fromSnap = fromSnapshot(snapshot({ status: 'returned', final: true }));
  assert.deepEqual(brief(timelineSteps(fromSnap)), ['placed:done', 'confirmed:done', 'preparing:done', 'shipped:done', 'returned:current']);
});

test('timelineSteps: a snapshot-only delay or failure is shown as active', () => {
  const view = fromSnapshot(snapshot({ status: 'out_for_delivery', delay: { reason: 'rain', since: '2026-01-01T10:02:00Z' }, lastFailure: 'gate locked' }));
  assert.deepEqual(brief(timelineSteps(view)), [
    'placed:done',
    'confirmed:done',
    'preparing:done',
    'shipped:done',
    'out_for_delivery:current',
    '!delayed*',
    '!delivery_failed*',
    'delivered:pending',
  ]);
});
