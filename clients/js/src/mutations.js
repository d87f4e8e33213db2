// @ts-check
/**
 * Optimistic mutations: a customer action shows at once, marked pending,
 * and is then confirmed (the server stored it and the view has the event) or
 * rolled back (refused, or no answer in time) with the reason.
 *
 * Life of a mutation:
 *   begin ──▶ pending ──ack(seq)──▶ acked ──settle(view.seq ≥ seq)──▶ confirmed
 *                 │                   │
 *                 ├──reject──▶ rolled_back ◀──reject──┘
 *                 └──expire (timeoutMs without an answer)──▶ rolled_back (timeout)
 *
 * An ack is not yet a confirmation: the patch stays on the view until the
 * event with that seq is applied, so nothing flickers between the two. A late
 * ack after a timeout brings the mutation back (the server did store it).
 * Retries reuse the same `clientMutationId`; the server applies it once.
 *
 * Pure: time comes in as `now` numbers and ids from `newId()`.
 *
 * @module mutations
 */

import { canBecome } from './order-status.js';

/** @typedef {import('./order-state.js').OrderView} OrderView */

/**
 * What a mutation shows before the server answers.
 * @typedef {object} PatchFields
 * @property {'cancelled'} [status] cancel
 * @property {string | null} [instructions] change_instructions (null: cleared)
 */

/**
 * @typedef {object} Patch
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action `cancel`, `change_instructions`, or one the server knows
 * @property {PatchFields} fields
 */

/** @typedef {'pending' | 'confirmed' | 'rolled_back'} MutationState */

/**
 * What became of a mutation, for the UI.
 * @typedef {object} MutationOutcome
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action
 * @property {MutationState} state
 * @property {string} [reason] rolled back: the server's code, or `timeout`
 * @property {string} [message] rolled back: the server's message
 * @property {number} [seq] acked: the seq of the event that stored it
 */

/**
 * The WebSocket frame that sends a mutation (docs/protocol.md).
 * @typedef {object} MutateFrame
 * @property {'mutate'} type
 * @property {string} clientMutationId
 * @property {string} topic `order:{orderId}`
 * @property {string} action
 * @property {Record<string, unknown>} args
 */

/**
 * @typedef {object} PendingFields
 * @property {boolean} [status]
 * @property {boolean} [instructions]
 */

/**
 * A view with the pending mutations shown on it.
 * @typedef {OrderView & { pending?: PendingFields, pendingMutations?: string[] }} OverlaidView
 */

/**
 * @typedef {object} LedgerOptions
 * @property {number} [timeoutMs] how long a mutation waits for its answer (default 10 000)
 * @property {() => string} newId makes a fresh clientMutationId (e.g. `() => crypto.randomUUID()`)
 * @property {number} [keepSettled] how many confirmed or rolled-back outcomes are kept (default 100)
 */

/**
 * @typedef {object} Entry
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action
 * @property {Record<string, unknown>} args
 * @property {Patch} patch
 * @property {'pending' | 'acked' | 'confirmed' | 'rolled_back'} state
 * @property {number} sentAt when it was (last) sent, ms
 * @property {number} [seq]
 * @property {string} [reason]
 * @property {string} [message]
 */

/**
 * The local change an action makes.
 * @param {string} action
 * @param {Record<string, unknown>} args
 * @returns {PatchFields}
 */
export function patchFields(action, args) {
  if (action === 'cancel') return { status: 'cancelled' };
  if (action === 'change_instructions') {
    const text = typeof args.text === 'string' ? args.text : '';
    return { instructions: text.trim() === '' ? null : text };
  }
  return {};
}

export class MutationLedger {
  /**
   * @param {LedgerOptions} options
   */
  constructor({ timeoutMs = 10000, newId, keepSettled = 100 }) {
    if (typeof newId !== 'function') throw new TypeError('MutationLedger: newId is required');
    /** @readonly */
    this.timeoutMs = timeoutMs;
    /** @private */
    this.newId = newId;
    /** @private */
    this.keepSettled = Math.max(0, Math.floor(keepSettled));
    /**
     * Every mutation still shown, and the latest settled ones, in begin order.
     * @private @type {Map<string, Entry>}
     */
    this.entries = new Map();
  }

  /**
   * Starts a mutation: the patch to show, and the frame to send.
   *
   * @param {string} orderId
   * @param {string} action `cancel` or `change_instructions`
   * @param {Record<string, unknown> | undefined} args
   * @param {number} now ms
   * @returns {{ clientMutationId: string, patch: Patch, frame: MutateFrame }}
   */
  begin(orderId, action, args, now) {
    let clientMutationId = this.newId();
    // An id already in use would merge two mutations on the server.
    while (this.entries.has(clientMutationId)) clientMutationId = this.newId();
    const safeArgs = args ?? {};
    /** @type {Patch} */
    const patch = { clientMutationId, orderId, action, fields: patchFields(action, safeArgs) };
    /** @type {Entry} */
    const entry = { clientMutationId, orderId, action, args: safeArgs, patch, state: 'pending', sentAt: now };
    this.entries.set(clientMutationId, entry);
    return { clientMutationId, patch, frame: frameOf(entry) };
  }

  /**
   * The frame to send again for a mutation still waiting for its answer
   * (after a reconnect), with the same clientMutationId; its timeout starts
   * over. Undefined when it is not waiting.
   *
   * @param {string} clientMutationId
   * @param {number} now ms
   * @returns {MutateFrame | undefined}
   */
  retry(clientMutationId, now) {
    const entry = this.entries.get(clientMutationId);
    if (entry === undefined || entry.state !== 'pending') return undefined;
    entry.sentAt = now;
    return frameOf(entry);
  }

  /**
   * The clientMutationIds waiting for an answer (to resend after a reconnect).
   * @param {string} [orderId] only this order's
   * @returns {string[]}
   */
  unanswered(orderId) {
    /** @type {string[]} */
    const ids = [];
    for (const entry of this.list()) {
      if (entry.state === 'pending' && (orderId === undefined || entry.orderId === orderId)) {
        ids.push(entry.clientMutationId);
      }
    }
    return ids;
  }

  /**
   * `view` with every pending mutation of its order shown, each changed
   * field marked in `pending` and the mutations listed in
   * `pendingMutations`; `view` itself when none applies. A patch the order
   * can no longer take (cancel once shipped, anything once final) is not
   * shown. `final` is left as the server says until confirmed.
   *
   * @param {OrderView} view
   * @returns {OverlaidView}
   */
  overlay(view) {
    /** @type {OverlaidView | undefined} */
    let shown;
    for (const entry of this.list()) {
      if (entry.orderId !== view.id || (entry.state !== 'pending' && entry.state !== 'acked')) continue;
      const base = shown ?? view;
      const fields = entry.patch.fields;
      /** @type {PendingFields} */
      const pending = { ...(shown?.pending ?? {}) };
      /** @type {Partial<OrderView>} */
      const changes = {};
      if (fields.status !== undefined && canBecome(base.status, fields.status)) {
        changes.status = fields.status;
        pending.status = true;
      }
      if (fields.instructions !== undefined && !base.final) {
        changes.instructions = fields.instructions;
        pending.instructions = true;
      }
      if (Object.keys(changes).length === 0) continue;
      shown = {
        ...base,
        ...changes,
        pending,
        pendingMutations: [...(shown?.pendingMutations ?? []), entry.clientMutationId],
      };
    }
    return shown ?? view;
  }

  /**
   * The server stored the mutation as event `seq`. It stays shown until
   * `settle` sees a view at or past `seq`.
   *
   * @param {string} clientMutationId
   * @param {number} seq
   * @returns {MutationOutcome | undefined} undefined for an unknown id
   */
  ack(clientMutationId, seq) {
    const entry = this.entries.get(clientMutationId);
    if (entry === undefined) return undefined;
    if (entry.state === 'pending' || (entry.state === 'rolled_back' && entry.reason === 'timeout')) {
      entry.state = 'acked';
      entry.seq = seq;
      delete entry.reason;
      delete entry.message;
      // Revived: keep it among the newest.
      this.entries.delete(clientMutationId);
      this.entries.set(clientMutationId, entry);
    }
    return outcomeOf(entry);
  }

  /**
   * The server refused the mutation: it is rolled back with the reason.
   *
   * @param {string} clientMutationId
   * @param {string} code e.g. `order_final`, `invalid_transition`
   * @param {string} [message]
   * @returns {MutationOutcome | undefined} undefined for an unknown id
   */
  reject(clientMutationId, code, message) {
    const entry = this.entries.get(clientMutationId);
    if (entry === undefined) return undefined;
    if (entry.state === 'pending' || entry.state === 'acked') {
      entry.state = 'rolled_back';
      entry.reason = code;
      if (message !== undefined) entry.message = message;
      else delete entry.message;
      this.trim();
    }
    return outcomeOf(entry);
  }

  /**
   * Confirms the acked mutations of `view`'s order whose event the view
   * reflects (`seq ≤ view.seq`); their patches are no longer shown.
   *
   * @param {{ id: string, seq: number }} view
   * @returns {MutationOutcome[]} the mutations confirmed now
   */
  settle(view) {
    /** @type {MutationOutcome[]} */
    const confirmed = [];
    for (const entry of this.list()) {
      if (entry.orderId !== view.id || entry.state !== 'acked') continue;
      if (entry.seq !== undefined && entry.seq <= view.seq) {
        entry.state = 'confirmed';
        confirmed.push(outcomeOf(entry));
      }
    }
    if (confirmed.length > 0) this.trim();
    return confirmed;
  }

  /**
   * Rolls back, with reason `timeout`, the mutations that waited for an
   * answer `timeoutMs` or longer. Acked ones never time out: the event is
   * stored and will come (or a snapshot with it).
   *
   * @param {number} now ms
   * @returns {MutationOutcome[]} the mutations rolled back now
   */
  expire(now) {
    /** @type {MutationOutcome[]} */
    const expired = [];
    for (const entry of this.list()) {
      if (entry.state === 'pending' && now - entry.sentAt >= this.timeoutMs) {
        entry.state = 'rolled_back';
        entry.reason = 'timeout';
        delete entry.message;
        expired.push(outcomeOf(entry));
      }
    }
    if (expired.length > 0) this.trim();
    return expired;
  }

  /**
   * When the next mutation would time out (ms), or undefined when none waits:
   * a caller schedules its one timer for then.
   * @returns {number | undefined}
   */
  nextDeadline() {
    /** @type {number | undefined} */
    let next;
    for (const entry of this.list()) {
      if (entry.state !== 'pending') continue;
      const due = entry.sentAt + this.timeoutMs;
      if (next === undefined || due < next) next = due;
    }
    return next;
  }

  /**
   * One mutation's outcome.
   * @param {string} clientMutationId
   * @returns {MutationOutcome | undefined}
   */
  get(clientMutationId) {
    const entry = this.entries.get(clientMutationId);
    return entry === undefined ? undefined : outcomeOf(entry);
  }

  /**
   * Every known mutation's outcome, oldest first (an acked one not yet
   * applied is still `pending`).
   * @returns {MutationOutcome[]}
   */
  get outcomes() {
    return this.list().map(outcomeOf);
  }

  /**
   * Forgets a settled mutation (the UI showed its outcome).
   * @param {string} clientMutationId
   * @returns {boolean} whether it was forgotten
   */
  dismiss(clientMutationId) {
    const entry = this.entries.get(clientMutationId);
    if (entry === undefined || entry.state === 'pending' || entry.state === 'acked') return false;
    return this.entries.delete(clientMutationId);
  }

  /**
   * Keeps at most `keepSettled` settled outcomes, dropping the oldest.
   * @private
   * @returns {void}
   */
  trim() {
    let settled = 0;
    for (const entry of this.list()) {
      if (entry.state === 'confirmed' || entry.state === 'rolled_back') settled += 1;
    }
    for (const entry of this.list()) {
      if (settled <= this.keepSettled) break;
      if (entry.state === 'confirmed' || entry.state === 'rolled_back') {
        this.entries.delete(entry.clientMutationId);
        settled -= 1;
      }
    }
  }

  /**
   * The entries, oldest first, as an array (safe to change the map meanwhile).
   * @private
   * @returns {Entry[]}
   */
  list() {
    /** @type {Entry[]} */
    const out = [];
    this.entries.forEach((entry) => out.push(entry));
    return out;
  }
}

/**
 * @param {Entry} entry
 * @returns {MutateFrame}
 */
function frameOf(entry) {
  return {
    type: 'mutate',
    clientMutationId: entry.clientMutationId,
    topic: `order:${entry.orderId}`,
    action: entry.action,
    args: entry.args,
  };
}

/**
 * @param {Entry} entry
 * @returns {MutationOutcome}
 */
function outcomeOf(entry) {
  /** @type {MutationOutcome} */
  const outcome = {
    clientMutationId: entry.clientMutationId,
    orderId: entry.orderId,
    action: entry.action,
    state: entry.state === 'acked' ? 'pending' : entry.state,
  };
  if (entry.reason !== undefined) outcome.reason = entry.reason;
  if (entry.message !== undefined) outcome.message = entry.message;
  if (entry.seq !== undefined) outcome.seq = entry.seq;
  return outcome;
}
