// @ts-check
/**
 * The client-side view of one order: the server's snapshot, moved forward by
 * the events of `order:{id}` exactly as the server's `Order::apply` does
 * (crates/domain/src/order.rs), plus a timeline of the durable events seen.
 *
 * Every function is pure and returns a new view; the input is never mutated.
 * A function returns the very same view when nothing changed.
 *
 * Rules, mirrored from the server:
 * - statuses follow the state machine of docs/domain.md: forward along
 *   placed → confirmed → preparing → shipped → out_for_delivery → delivered
 *   (skipping is fine), cancelled until shipped, returned once shipped;
 *   delivered, cancelled and returned are final and sticky;
 * - a durable event the state machine would refuse (backwards, final order,
 *   delivery_failed too early, a second order_created) changes nothing but
 *   the timeline (its entry carries `ignored`) and the view's `seq`;
 * - events at or below the view's `seq` only add their timeline entry (so a
 *   history fetched after a snapshot fills the timeline without applying
 *   anything twice);
 * - `location` is latest-wins by the sender's `ts` and frozen once final;
 * - chat and other topics' events leave the view as it is.
 *
 * The statuses and their state machine are in order-status.js, the steps a
 * UI draws from a view in timeline.js, the readers of the wire's fields in
 * order-payload.js.
 *
 * @module order-state
 */

import {
  isFiniteNumber,
  isObject,
  isString,
  stringOrNull,
  timeOf,
  toDelay,
  toItems,
  toLocation,
  toParty,
} from './order-payload.js';

import { canBecome, isFinalStatus, parseStatus, statusRank } from './order-status.js';

/** @typedef {import('./pipeline.js').Envelope} Envelope */
/** @typedef {import('./order-status.js').OrderStatus} OrderStatus */

/**
 * @typedef {{ id: string, name?: string, phone?: string }} Party
 * @typedef {{ name: string, quantity: number }} Item
 * @typedef {{ lat: number, lng: number, heading?: number, ts: number }} Location
 * @typedef {{ reason: string, since: string }} Delay
 */

/**
 * Why an event changed nothing but the timeline.
 * @typedef {'backwards' | 'invalid_transition' | 'order_final' | 'not_allowed_in_status' | 'already_created' | 'invalid_payload'} IgnoredReason
 */

/**
 * One durable event of the order, for a timeline.
 * @typedef {object} TimelineEntry
 * @property {number} seq
 * @property {string} type the event type
 * @property {string} at its `occurredAt` ('' when it had none)
 * @property {OrderStatus} [status] status_changed: the new status; order_created: placed
 * @property {string} [reason] status_changed, delayed, delivery_failed
 * @property {string} [text] instructions_changed
 * @property {string} [eta] eta_changed, delayed
 * @property {Party} [courier] courier_assigned
 * @property {OrderStatus} [orderStatus] the order's status once the event
 *   applied (absent on entries added from history at or below the view's seq)
 * @property {IgnoredReason} [ignored] set when the view refused the event
 */

/**
 * The order as a UI shows it.
 * @typedef {object} OrderView
 * @property {string} id
 * @property {Party | null} customer
 * @property {Party | null} courier
 * @property {Item[]} items
 * @property {string} address
 * @property {OrderStatus} status
 * @property {string | null} eta RFC 3339
 * @property {Location | null} location the courier's latest position
 * @property {string | null} instructions
 * @property {Delay | null} delay set by `delayed`, cleared by the next status change
 * @property {string | null} lastFailure the last failed delivery's reason, cleared on delivery
 * @property {string | null} internalNote staff only
 * @property {number} seq the last durable event reflected (0: none)
 * @property {string | null} epoch
 * @property {boolean} final delivered, cancelled or returned
 * @property {string | null} createdAt RFC 3339
 * @property {string | null} updatedAt RFC 3339
 * @property {TimelineEntry[]} timeline durable events by seq, one per seq
 * @property {number} lastUpdated ms since 1970 of the last change (0: unknown)
 */

/**
 * The view of an order nothing is known about yet.
 * @param {string} id
 * @returns {OrderView}
 */
export function emptyOrder(id) {
  return {
    id,
    customer: null,
    courier: null,
    items: [],
    address: '',
    status: 'placed',
    eta: null,
    location: null,
    instructions: null,
    delay: null,
    lastFailure: null,
    internalNote: null,
    seq: 0,
    epoch: null,
    final: false,
    createdAt: null,
    updatedAt: null,
    timeline: [],
    lastUpdated: 0,
  };
}

/**
 * The view of a server snapshot (`GET /v1/orders/{id}`, a `snapshot` frame's
 * `order`). A snapshot replaces what was known; when `previous` is the view
 * of the same order and epoch, its timeline entries the snapshot covers
 * (seq ≤ snapshot seq) are kept.
 *
 * @param {unknown} order the snapshot JSON
 * @param {OrderView} [previous]
 * @returns {OrderView}
 */
export function fromSnapshot(order, previous) {
  const o = isObject(order) ? order : {};
  const id = isString(o.id) ? o.id : previous?.id ?? '';
  const status = parseStatus(o.status) ?? 'placed';
  const seq = isFiniteNumber(o.seq) && o.seq >= 0 ? Math.floor(o.seq) : 0;
  const epoch = isString(o.epoch) && o.epoch !== '' ? o.epoch : null;
  const updatedAt = stringOrNull(o.updatedAt);
  const keep =
    previous !== undefined && previous.id === id && previous.epoch !== null && previous.epoch === epoch
      ? previous.timeline.filter((e) => e.seq <= seq)
      : [];
  return {
    id,
    customer: toParty(o.customer),
    courier: toParty(o.courier),
    items: toItems(o.items),
    address: isString(o.address) ? o.address : '',
    status,
    eta: stringOrNull(o.eta),
    location: toLocation(o.location),
    instructions: stringOrNull(o.instructions),
    delay: toDelay(o.delay),
    lastFailure: stringOrNull(o.lastFailure),
    internalNote: stringOrNull(o.internalNote),
    seq,
    epoch,
    final: typeof o.final === 'boolean' ? o.final || isFinalStatus(status) : isFinalStatus(status),
    createdAt: stringOrNull(o.createdAt),
    updatedAt,
    timeline: keep,
    lastUpdated: timeOf(updatedAt) ?? previous?.lastUpdated ?? 0,
  };
}

/**
 * `timeline` with `entry` in seq order, or `timeline` itself when it already
 * has that seq.
 * @param {TimelineEntry[]} timeline
 * @param {TimelineEntry} entry
 * @returns {TimelineEntry[]}
 */
function withEntry(timeline, entry) {
  let i = timeline.length;
  while (i > 0 && timeline[i - 1].seq > entry.seq) i -= 1;
  if (i > 0 && timeline[i - 1].seq === entry.seq) return timeline;
  return [...timeline.slice(0, i), entry, ...timeline.slice(i)];
}

/**
 * The timeline entry of a durable event.
 * @param {Envelope} env
 * @param {number} seq
 * @returns {TimelineEntry}
 */
function entryOf(env, seq) {
  const p = env.payload;
  /** @type {TimelineEntry} */
  const entry = { seq, type: env.type, at: isString(env.occurredAt) ? env.occurredAt : '' };
  switch (env.type) {
    case 'order_created':
      entry.status = 'placed';
      break;
    case 'status_changed': {
      const status = parseStatus(p.status);
      if (status !== undefined) entry.status = status;
      if (isString(p.reason)) entry.reason = p.reason;
      break;
    }
    case 'eta_changed':
      if (isString(p.eta)) entry.eta = p.eta;
      break;
    case 'delayed':
      if (isString(p.reason)) entry.reason = p.reason;
      if (isString(p.eta)) entry.eta = p.eta;
      break;
    case 'delivery_failed':
      if (isString(p.reason)) entry.reason = p.reason;
      break;
    case 'courier_assigned': {
      const courier = toParty(p.courier);
      if (courier !== null) entry.courier = courier;
      break;
    }
    case 'instructions_changed':
      if (isString(p.text)) entry.text = p.text;
      break;
    default:
      break;
  }
  return entry;
}

/**
 * What a durable event changes, or why the state machine refuses it
 * (the server's `Order::apply`).
 *
 * @param {OrderView} view
 * @param {Envelope} env
 * @param {string} at its occurredAt
 * @returns {{ changes: Partial<OrderView> } | { ignored: IgnoredReason }}
 */
function decide(view, env, at) {
  const p = env.payload;
  if (env.type === 'order_created') {
    if (view.seq > 0 || view.createdAt !== null) return { ignored: 'already_created' };
    const customer = toParty(p.customer);
    return {
      changes: {
        customer,
        courier: toParty(p.courier),
        items: toItems(p.items),
        address: isString(p.address) ? p.address : '',
        status: 'placed',
        eta: stringOrNull(p.eta),
        location: null,
        instructions: isString(p.instructions) ? p.instructions : null,
        delay: null,
        lastFailure: null,
        final: false,
        createdAt: at,
      },
    };
  }
  if (isFinalStatus(view.status)) return { ignored: 'order_final' };
  switch (env.type) {
    case 'status_changed': {
      const to = parseStatus(p.status);
      if (to === undefined) return { ignored: 'invalid_payload' };
      if (!canBecome(view.status, to)) {
        return { ignored: statusRank(to) <= statusRank(view.status) ? 'backwards' : 'invalid_transition' };
      }
      /** @type {Partial<OrderView>} */
      const changes = { status: to, final: isFinalStatus(to), delay: null };
      if (to === 'delivered') changes.lastFailure = null;
      return { changes };
    }
    case 'eta_changed':
      if (!isString(p.eta)) return { ignored: 'invalid_payload' };
      return { changes: { eta: p.eta } };
    case 'delayed': {
      /** @type {Partial<OrderView>} */
      const changes = { delay: { reason: isString(p.reason) ? p.reason : '', since: at } };
      if (isString(p.eta)) changes.eta = p.eta;
      return { changes };
    }
    case 'delivery_failed':
      if (view.status !== 'shipped' && view.status !== 'out_for_delivery') {
        return { ignored: 'not_allowed_in_status' };
      }
      return { changes: { lastFailure: isString(p.reason) ? p.reason : '' } };
    case 'courier_assigned': {
      const courier = toParty(p.courier);
      if (courier === null) return { ignored: 'invalid_payload' };
      return { changes: { courier } };
    }
    case 'instructions_changed': {
      const text = isString(p.text) ? p.text : '';
      return { changes: { instructions: text.trim() === '' ? null : text } };
    }
    default:
      // A type this SDK does not know yet: it is on the timeline and moves
      // the seq, and changes nothing it cannot understand.
      return { changes: {} };
  }
}

/**
 * Applies one envelope (a durable event of `order:{id}` or a `location`
 * signal) and returns the new view; `view` itself when nothing changed.
 *
 * Pass envelopes in seq order (the {@link import('./pipeline.js').TopicPipeline}
 * does it); an event at or below `view.seq` only adds its timeline entry.
 *
 * @param {OrderView} view
 * @param {Envelope} envelope
 * @param {number} [now] ms; `lastUpdated` becomes this (default: the event's
 *   `occurredAt`, or a signal's `ts`)
 * @returns {OrderView}
 */
export function applyEvent(view, envelope, now) {
  if (!isObject(envelope) || !isObject(envelope.payload) || !isString(envelope.type)) return view;
  const env = envelope;
  if (isString(env.topic) && env.topic !== `order:${view.id}`) return view;
  const seq = env.seq;
  if (seq === undefined || seq === null) {
    return env.type === 'location' ? applyLocation(view, env, now) : view;
  }
  if (!isFiniteNumber(seq) || !Number.isInteger(seq) || seq < 1) return view;
  if (env.type === 'chat_message') return view;
  const epoch = isString(env.epoch) && env.epoch !== '' ? env.epoch : null;
  if (view.epoch !== null && epoch !== null && epoch !== view.epoch) return view;
  if (seq <= view.seq) {
    const timeline = withEntry(view.timeline, entryOf(env, seq));
    return timeline === view.timeline ? view : { ...view, timeline };
  }
  const at = isString(env.occurredAt) ? env.occurredAt : '';
  const entry = entryOf(env, seq);
  const outcome = decide(view, env, at);
  if ('ignored' in outcome) {
    entry.ignored = outcome.ignored;
    entry.orderStatus = view.status;
    return {
      ...view,
      seq,
      epoch: view.epoch ?? epoch,
      timeline: withEntry(view.timeline, entry),
    };
  }
  /** @type {OrderView} */
  const next = {
    ...view,
    ...outcome.changes,
    seq,
    epoch: view.epoch ?? epoch,
    updatedAt: at === '' ? view.updatedAt : at,
    lastUpdated: now ?? timeOf(at) ?? view.lastUpdated,
  };
  const note = env.payload.internalNote;
  if (isString(note)) next.internalNote = note.trim() === '' ? null : note;
  entry.orderStatus = next.status;
  next.timeline = withEntry(view.timeline, entry);
  return next;
}

/**
 * Applies envelopes in turn.
 * @param {OrderView} view
 * @param {ReadonlyArray<Envelope>} envelopes
 * @param {number} [now]
 * @returns {OrderView}
 */
export function applyEvents(view, envelopes, now) {
  return envelopes.reduce((next, envelope) => applyEvent(next, envelope, now), view);
}

/**
 * A courier position: taken when newer than the one shown, never once final
 * (the server's `observe_location`).
 * @param {OrderView} view
 * @param {Envelope} env
 * @param {number | undefined} now
 * @returns {OrderView}
 */
function applyLocation(view, env, now) {
  if (view.final) return view;
  const location = toLocation(env.payload);
  if (location === null) return view;
  if (view.location !== null && view.location.ts >= location.ts) return view;
  return { ...view, location, lastUpdated: now ?? location.ts };
}
