// @ts-check
/**
 * The status timeline a UI shows for an order: the main path's steps, the
 * warnings (delays, failed attempts) under the step they happened at, and
 * the final step of an order that left the path. Derived from an
 * {@link import('./order-state.js').OrderView} alone; pure.
 *
 * @module timeline
 */

import { MAIN_PATH, isFinalStatus, statusRank } from './order-status.js';

/** @typedef {import('./order-state.js').OrderView} OrderView */
/** @typedef {import('./order-status.js').OrderStatus} OrderStatus */
/** @typedef {import('./order-status.js').MainStatus} MainStatus */
/** @typedef {import('./order-state.js').TimelineEntry} TimelineEntry */

/**
 * @typedef {'done' | 'current' | 'pending'} StepState
 */

/**
 * A step of the main path.
 * @typedef {object} PathStep
 * @property {'step'} kind
 * @property {MainStatus} status
 * @property {StepState} state
 * @property {string} [at] when the order reached it, if known
 * @property {number} [seq]
 */

/**
 * A delay or a failed delivery attempt: shown under the step the order was
 * at, without ending it.
 * @typedef {object} WarningStep
 * @property {'warning'} kind
 * @property {'delayed' | 'delivery_failed'} type
 * @property {string} reason
 * @property {string} at when it happened ('' when unknown)
 * @property {number} [seq] absent when only the snapshot told of it
 * @property {boolean} active still in force (the view's `delay` / `lastFailure`)
 */

/**
 * The end of an order that left the main path.
 * @typedef {object} FinalStep
 * @property {'final'} kind
 * @property {'cancelled' | 'returned'} status
 * @property {'current'} state
 * @property {string} [at]
 * @property {number} [seq]
 * @property {string} [reason]
 */

/** @typedef {PathStep | WarningStep | FinalStep} TimelineStep */

/**
 * The steps a status timeline shows, in order: the main path (done, current,
 * pending; a delivered order has every step done), each warning right after
 * the step the order was at when it happened, and for a cancelled or returned
 * order the steps it reached followed by its final step.
 *
 * @param {OrderView} view
 * @returns {TimelineStep[]}
 */
export function timelineSteps(view) {
  const applied = view.timeline.filter((e) => e.ignored === undefined);
  /** @type {Map<OrderStatus, TimelineEntry>} */
  const reachedAt = new Map();
  for (const entry of applied) {
    if (entry.status !== undefined && (entry.type === 'status_changed' || entry.type === 'order_created')) {
      reachedAt.set(entry.status, entry);
    }
  }
  const status = view.status;
  const offPath = status === 'cancelled' || status === 'returned';
  let reached = statusRank(status);
  if (offPath) {
    // How far it got before leaving the path.
    reached = status === 'returned' ? statusRank('shipped') : 0;
    for (const entry of applied) {
      for (const s of [entry.status, entry.orderStatus]) {
        if (s !== undefined && !isFinalStatus(s)) reached = Math.max(reached, statusRank(s));
      }
    }
  }

  /** @type {Map<OrderStatus, WarningStep[]>} */
  const warningsAt = new Map();
  const lastDelay = findLast(applied, (e) => e.type === 'delayed');
  const lastFailure = findLast(applied, (e) => e.type === 'delivery_failed');
  /** @type {OrderStatus} */
  let context = 'placed';
  for (const entry of applied) {
    // The status the order was at once this event applied.
    if (entry.orderStatus !== undefined) context = entry.orderStatus;
    else if (entry.status !== undefined) context = entry.status;
    if (entry.type !== 'delayed' && entry.type !== 'delivery_failed') continue;
    addWarning(warningsAt, context, {
      kind: 'warning',
      type: entry.type,
      reason: entry.reason ?? '',
      at: entry.at,
      seq: entry.seq,
      active:
        entry.type === 'delayed'
          ? view.delay !== null && entry === lastDelay
          : view.lastFailure !== null && entry === lastFailure,
    });
  }
  // A snapshot carries a delay or a failure the timeline has not seen.
  if (view.delay !== null && lastDelay === undefined) {
    addWarning(warningsAt, status, {
      kind: 'warning',
      type: 'delayed',
      reason: view.delay.reason,
      at: view.delay.since,
      active: true,
    });
  }
  if (view.lastFailure !== null && lastFailure === undefined) {
    addWarning(warningsAt, status, {
      kind: 'warning',
      type: 'delivery_failed',
      reason: view.lastFailure,
      at: '',
      active: true,
    });
  }

  /** @type {TimelineStep[]} */
  const steps = [];
  const currentRank = statusRank(status);
  for (const s of MAIN_PATH) {
    const rank = statusRank(s);
    if (offPath && rank > reached) continue;
    /** @type {StepState} */
    let state = 'pending';
    if (offPath || status === 'delivered' || rank < currentRank) state = 'done';
    else if (rank === currentRank) state = 'current';
    /** @type {PathStep} */
    const step = { kind: 'step', status: s, state };
    const entry = reachedAt.get(s);
    if (entry !== undefined) {
      step.at = entry.at;
      step.seq = entry.seq;
    } else if (s === 'placed' && view.createdAt !== null) {
      step.at = view.createdAt;
    }
    steps.push(step);
    steps.push(...(warningsAt.get(s) ?? []));
  }
  if (offPath) {
    steps.push(...(warningsAt.get(status) ?? []));
    /** @type {FinalStep} */
    const final = { kind: 'final', status, state: 'current' };
    const entry = reachedAt.get(status);
    if (entry !== undefined) {
      final.at = entry.at;
      final.seq = entry.seq;
      if (entry.reason !== undefined) final.reason = entry.reason;
    }
    steps.push(final);
  }
  return steps;
}

/**
 * @param {Map<OrderStatus, WarningStep[]>} warningsAt
 * @param {OrderStatus} status
 * @param {WarningStep} warning
 * @returns {void}
 */
function addWarning(warningsAt, status, warning) {
  const list = warningsAt.get(status);
  if (list === undefined) warningsAt.set(status, [warning]);
  else list.push(warning);
}

/**
 * @template T
 * @param {T[]} list
 * @param {(item: T) => boolean} test
 * @returns {T | undefined}
 */
function findLast(list, test) {
  for (let i = list.length - 1; i >= 0; i -= 1) if (test(list[i])) return list[i];
  return undefined;
}
