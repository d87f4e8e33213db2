// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MutationLedger } from '../../src/mutations.js';
import { applyEvent, fromSnapshot } from '../../src/order-state.js';

/** @typedef {import('../../src/order-state.js').OrderView} OrderView */

/** Ids m-1, m-2, … @returns {() => string} */
function counter() {
  let n = 0;
  return () => `m-${++n}`;
}

/**
 * @param {Record<string, unknown>} [over]
 * @returns {OrderView}
 */
function order(over = {}) {
  return fromSnapshot({
    id: 'ZX-1',
    customer: 'cust-1',
    items: [{ name: 'Pizza', quantity: 1 }],
    address: '1 Main St',
    status: 'confirmed',
    instructions: 'Ring twice',
    seq: 4,
    epoch: 'E',
    final: false,
    updatedAt: '2026-01-01T10:00:00Z',
    ...over,
  });
}

/**
 * The event the server records for a mutation.
 * @param {number} seq
 * @param {string} type
 * @param {Record<string, unknown>} payload
 */
function event(seq, type, payload) {
  return { id: `e${seq}`, type, topic: 'order:ZX-1', seq, epoch: 'E', occurredAt: '2026-01-01T10:05:00Z', version: 1, payload };
}

test('begin gives a patch and the mutate frame', () => {
  const ledger = new MutationLedger({ newId: counter() });
  const cancel = ledger.begin('ZX-1', 'cancel', { reason: 'too slow' }, 1000);
  assert.equal(cancel.clientMutationId, 'm-1');
  assert.deepEqual(cancel.patch, { clientMutationId: 'm-1', orderId: 'ZX-1', action: 'cancel', fields: { status: 'cancelled' } });
  assert.deepEqual(cancel.frame, {
    type: 'mutate',
    clientMutationId: 'm-1',
    topic: 'order:ZX-1',
    action: 'cancel',
    args: { reason: 'too slow' },
  });
  const text = ledger.begin('ZX-1', 'change_instructions', { text: 'Gate B' }, 1000);
  assert.deepEqual(text.patch.fields, { instructions: 'Gate B' });
  assert.deepEqual(ledger.begin('ZX-1', 'change_instructions', { text: ' ' }, 1000).patch.fields, { instructions: null });
  assert.deepEqual(ledger.begin('ZX-1', 'cancel', undefined, 1000).frame.args, {});
  assert.deepEqual(ledger.outcomes.map((o) => o.state), ['pending', 'pending', 'pending', 'pending']);
});

test('newId is required and a reused id is never handed out twice', () => {
  // @ts-expect-error newId is required
  assert.throws(() => new MutationLedger({}), TypeError);
  const ids = ['a', 'a', 'b'];
  const ledger = new MutationLedger({ newId: () => ids.shift() ?? 'z' });
  assert.equal(ledger.begin('ZX-1', 'cancel', {}, 0).clientMutationId, 'a');
  assert.equal(ledger.begin('ZX-1', 'cancel', {}, 0).clientMutationId, 'b');
});

test('overlay shows pending patches on their order only, without touching the view', () => {
  const ledger = new MutationLedger({ newId: counter() });
  const view = order();
  const copy = structuredClone(view);
  assert.equal(ledger.overlay(view), view, 'nothing pending: the same view');
  ledger.begin('ZX-1', 'change_instructions', { text: 'Gate B' }, 0);
  ledger.begin('ZX-1', 'cancel', {}, 0);
  ledger.begin('OTHER', 'cancel', {}, 0);
  const shown = ledger.overlay(view);
  assert.equal(shown.status, 'cancelled');
  assert.equal(shown.instructions, 'Gate B');
  assert.deepEqual(shown.pending, { instructions: true, status: true });
  assert.deepEqual(shown.pendingMutations, ['m-1', 'm-2']);
  assert.equal(shown.final, false, 'not final until confirmed');
  assert.deepEqual(view, copy, 'the view itself is untouched');
  const other = order({ id: 'ZX-2' });
  assert.equal(ledger.overlay(other), other);
});

test('a patch the order can no longer take is not shown', () => {
  const ledger = new MutationLedger({ newId: counter() });
  ledger.begin('ZX-1', 'cancel', {}, 0);
  const shipped = order({ status: 'shipped' });
  assert.equal(ledger.overlay(shipped), shipped, 'cancel after shipping would be refused');
  ledger.begin('ZX-1', 'change_instructions', { text: 'x' }, 0);
  const delivered = order({ status: 'delivered', final: true });
  assert.equal(ledger.overlay(delivered), delivered);
});

test('optimistic cancel: ack, then confirmed once the event is applied', () => {
  const ledger = new MutationLedger({ newId: counter() });
  let view = order();
  const { clientMutationId } = ledger.begin('ZX-1', 'cancel', {}, 0);
  assert.equal(ledger.overlay(view).status, 'cancelled');
  assert.deepEqual(ledger.ack(clientMutationId, 5), { clientMutationId, orderId: 'ZX-1', action: 'cancel', state: 'pending', seq: 5 });
  assert.deepEqual(ledger.settle(view), [], 'the view is still at seq 4');
  assert.equal(ledger.overlay(view).status, 'cancelled', 'still shown: no flicker between ack and event');
  assert.equal(ledger.overlay(view).pending?.status, true);
  view = applyEvent(view, event(5, 'status_changed', { status: 'cancelled' }));
  const confirmed = ledger.settle(view);
  assert.deepEqual(confirmed.map((o) => [o.clientMutationId, o.state]), [[clientMutationId, 'confirmed']]);
  assert.equal(ledger.overlay(view), view, 'the patch is gone; the view says it');
  assert.equal(view.status, 'cancelled');
  assert.equal(ledger.get(clientMutationId)?.state, 'confirmed');
  assert.deepEqual(ledger.settle(view), [], 'settles once');
});

test('the event may come before the ack', () => {
  const ledger = new MutationLedger({ newId: counter() });
  const { clientMutationId } = ledger.begin('ZX-1', 'change_instructions', { text: 'Gate B' }, 0);
  const view = applyEvent(order(), event(5, 'instructions_changed', { text: 'Gate B' }));
  assert.deepEqual(ledger.settle(view), [], 'not acked yet');
  ledger.ack(clientMutationId, 5);
  assert.equal(ledger.settle(view)[0].state, 'confirmed');
  assert.equal(ledger.overlay(view), view);
});

test('reject rolls back with the reason', () => {
  const ledger = new MutationLedger({ newId: counter() });
  const view = order();
  const { clientMutationId } = ledger.begin('ZX-1', 'cancel', {}, 0);
  const outcome = ledger.reject(clientMutationId, 'invalid_transition', 'order is shipped and cannot become cancelled');
  assert.deepEqual(outcome, {
    clientMutationId,
    orderId: 'ZX-1',
    action: 'cancel',
    state: 'rolled_back',
    reason: 'invalid_transition',
    message: 'order is shipped and cannot become cancelled',
  });
  assert.equal(ledger.overlay(view), view, 'rolled back: the view as the server says');
  assert.deepEqual(ledger.outcomes, [outcome]);
  assert.equal(ledger.ack(clientMutationId, 9)?.state, 'rolled_back', 'an ack after a reject changes nothing');
  assert.equal(ledger.reject('unknown', 'x'), undefined);
  assert.equal(ledger.ack('unknown', 1), undefined);
});

test('expire rolls back what waited timeoutMs; acked mutations never time out', () => {
  const ledger = new MutationLedger({ newId: counter(), timeoutMs: 10000 });
  const a = ledger.begin('ZX-1', 'cancel', {}, 1000).clientMutationId;
  const b = ledger.begin('ZX-1', 'change_instructions', { text: 'x' }, 3000).clientMutationId;
  const c = ledger.begin('ZX-1', 'change_instructions', { text: 'y' }, 1000).clientMutationId;
  ledger.ack(c, 7);
  assert.equal(ledger.nextDeadline(), 11000);
  assert.deepEqual(ledger.expire(10999), []);
  const expired = ledger.expire(11000);
  assert.deepEqual(expired.map((o) => [o.clientMutationId, o.state, o.reason]), [[a, 'rolled_back', 'timeout']]);
  assert.equal(ledger.nextDeadline(), 13000);
  assert.deepEqual(ledger.expire(50000).map((o) => o.clientMutationId), [b]);
  assert.equal(ledger.get(c)?.state, 'pending', 'acked: the event will come');
  assert.equal(ledger.nextDeadline(), undefined);
  const shown = ledger.overlay(order());
  assert.equal(shown.instructions, 'y');
  assert.equal(shown.status, 'confirmed', 'the timed-out cancel is rolled back');
});

test('a late ack after a timeout brings the mutation back: the server stored it', () => {
  const ledger = new MutationLedger({ newId: counter(), timeoutMs: 100 });
  const { clientMutationId } = ledger.begin('ZX-1', 'cancel', {}, 0);
  ledger.expire(100);
  assert.equal(ledger.get(clientMutationId)?.reason, 'timeout');
  const outcome = ledger.ack(clientMutationId, 5);
  assert.equal(outcome?.state, 'pending');
  assert.equal(outcome?.reason, undefined);
  assert.equal(ledger.overlay(order()).status, 'cancelled');
  assert.equal(ledger.settle({ id: 'ZX-1', seq: 5 })[0].state, 'confirmed');
});

test('retries reuse the clientMutationId and restart the timeout', () => {
  const ledger = new MutationLedger({ newId: counter(), timeoutMs: 1000 });
  const { clientMutationId, frame } = ledger.begin('ZX-1', 'change_instructions', { text: 'Gate B' }, 0);
  assert.deepEqual(ledger.unanswered(), [clientMutationId]);
  assert.deepEqual(ledger.unanswered('OTHER'), []);
  const again = ledger.retry(clientMutationId, 900);
  assert.deepEqual(again, frame, 'the same frame, the same id');
  assert.deepEqual(ledger.expire(1000), [], 'the timer started over at 900');
  assert.equal(ledger.expire(1900).length, 1);
  assert.equal(ledger.retry(clientMutationId, 2000), undefined, 'not waiting any more');
  assert.deepEqual(ledger.unanswered(), []);
});

test('settled outcomes are bounded and can be dismissed', () => {
  const ledger = new MutationLedger({ newId: counter(), keepSettled: 2 });
  const ids = [1, 2, 3, 4].map(() => ledger.begin('ZX-1', 'cancel', {}, 0).clientMutationId);
  const waiting = ledger.begin('ZX-1', 'cancel', {}, 0).clientMutationId;
  for (const id of ids) ledger.reject(id, 'order_final');
  assert.deepEqual(ledger.outcomes.map((o) => o.clientMutationId), [ids[2], ids[3], waiting], 'the oldest settled go first; pending stay');
  assert.equal(ledger.dismiss(waiting), false, 'a pending one stays');
  assert.equal(ledger.dismiss(ids[2]), true);
  assert.deepEqual(ledger.outcomes.map((o) => o.clientMutationId), [ids[3], waiting]);
});
