// @ts-check
/**
 * The event pipeline of one topic: validates envelopes, drops duplicates,
 * puts durable events back in `seq` order (or `offset` order on the `orders`
 * feed), says when there is a gap the caller must resync over, and keeps
 * ephemeral signals latest-wins.
 *
 * Pure and synchronous: `accept(envelope)` answers what is ready to apply.
 *
 * Positions: a durable event is applied when its number is exactly the next
 * one; events a little ahead wait in a reorder buffer (at most
 * `reorderWindow` numbers ahead of the applied one) and are released in order
 * as soon as the hole fills. An event further ahead than the window, or of
 * another epoch, is a gap: the buffer is cleared, nothing past the gap is
 * applied, and the caller resubscribes from `position()` (the server then
 * replays, or sends a snapshot and the caller calls `reset`).
 *
 * @module pipeline
 */

/**
 * The envelope of every event and signal (docs/protocol.md).
 * @typedef {object} Envelope
 * @property {string} id unique; the dedupe key
 * @property {string} type e.g. `status_changed`, `location`
 * @property {string} topic e.g. `order:ZX-1001`
 * @property {number} [seq] durable events only
 * @property {string} [epoch] durable events only
 * @property {number} [offset] durable order events only (the `orders` feed cursor)
 * @property {string} [occurredAt] RFC 3339
 * @property {number} [version] payload schema version
 * @property {Record<string, unknown>} payload
 */

/**
 * Where an order or chat topic is: the last applied `seq` in `epoch`
 * (`epoch` null until one is known: the first event's epoch is then taken).
 * @typedef {{ seq: number, epoch: string | null }} SeqPosition
 */

/**
 * Where the `orders` feed is: the last applied `offset`.
 * @typedef {{ offset: number }} OffsetPosition
 */

/** @typedef {SeqPosition | OffsetPosition} Position */

/**
 * What one `accept` did.
 * @typedef {object} AcceptResult
 * @property {Envelope[]} ready the envelopes to apply now, in order (the
 *   accepted one and any buffered successors it released)
 * @property {boolean} gap events were missed: resync from `position()`
 * @property {boolean} duplicate already seen (same id, or seq/offset at or below the applied one, or already buffered)
 * @property {boolean} stale a signal no newer than the last one of its kind
 * @property {string} [invalid] why the envelope was refused, when it was malformed
 */

/**
 * @typedef {object} PipelineOptions
 * @property {string} topic the subscribed topic (`order:{id}`, `chat:{id}` or `orders`)
 * @property {number} [reorderWindow] how many numbers ahead an event may wait (default 32)
 * @property {number} [dedupeCapacity] how many ids are remembered (default 1024)
 * @property {'seq' | 'offset'} [by] what orders durable events: `seq`
 *   (default), or `offset` for the `orders` feed
 * @property {(topic: string) => boolean} [acceptsTopic] which envelope topics
 *   belong here; default: exactly `topic`, or any `order:…` topic for the
 *   feed (its envelopes keep their order's topic)
 */

/**
 * A set of the last `capacity` strings, forgetting the oldest first.
 */
export class BoundedSet {
  /** @param {number} capacity at least 1 */
  constructor(capacity) {
    /** @readonly */
    this.capacity = Math.max(1, Math.floor(capacity) || 1);
    /** @private @type {Set<string>} */
    this.items = new Set();
  }

  /**
   * @param {string} value
   * @returns {boolean}
   */
  has(value) {
    return this.items.has(value);
  }

  /**
   * Remembers `value` as the newest; forgets the oldest past capacity.
   * @param {string} value
   * @returns {void}
   */
  add(value) {
    this.items.delete(value);
    this.items.add(value);
    while (this.items.size > this.capacity) {
      const oldest = this.items.values().next();
      if (oldest.done) break;
      this.items.delete(oldest.value);
    }
  }

  /** @returns {number} */
  get size() {
    return this.items.size;
  }
}

/**
 * @param {unknown} n
 * @returns {n is number}
 */
function isPositiveInteger(n) {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {Partial<AcceptResult>} fields
 * @returns {AcceptResult}
 */
function result(fields) {
  return { ready: [], gap: false, duplicate: false, stale: false, ...fields };
}

export class TopicPipeline {
  /**
   * @param {PipelineOptions} options
   */
  constructor({ topic, reorderWindow = 32, dedupeCapacity = 1024, by = 'seq', acceptsTopic }) {
    if (typeof topic !== 'string' || topic === '') throw new TypeError('TopicPipeline: topic is required');
    /** @readonly */
    this.topic = topic;
    /** @readonly @type {'seq' | 'offset'} */
    this.by = by === 'offset' ? 'offset' : 'seq';
    /** @readonly */
    this.reorderWindow = Math.max(1, Math.floor(reorderWindow) || 1);
    /** @private @type {(topic: string) => boolean} */
    this.acceptsTopic =
      acceptsTopic ?? (this.by === 'offset' ? (t) => t === topic || t.startsWith('order:') : (t) => t === topic);
    /** @private */
    this.seen = new BoundedSet(dedupeCapacity);
    /**
     * Latest accepted `ts` per signal kind and source topic (bounded too: the
     * feed sees every order's courier).
     * @private @type {Map<string, number>}
     */
    this.latest = new Map();
    /** @private */
    this.latestCapacity = Math.max(1, Math.floor(dedupeCapacity) || 1);
    /** @private @type {Map<number, Envelope>} */
    this.buffer = new Map();
    /** @private */
    this.applied = 0;
    /** @private @type {string | null} */
    this.epoch = null;
  }

  /**
   * Moves to a known position (after a snapshot, a `subscribed`, or before
   * subscribing with a stored cursor). Clears the reorder buffer; the ids and
   * signal times seen so far are kept (ids are unique across epochs).
   *
   * @param {{ seq?: number, epoch?: string | null, offset?: number }} position
   * @returns {void}
   */
  reset(position) {
    const n = this.by === 'offset' ? position.offset : position.seq;
    this.applied = typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
    if (this.by === 'seq') {
      this.epoch = typeof position.epoch === 'string' && position.epoch !== '' ? position.epoch : null;
    }
    this.buffer.clear();
  }

  /**
   * The last applied position: `{seq, epoch}`, or `{offset}` for the feed.
   * @returns {Position}
   */
  position() {
    return this.by === 'offset' ? { offset: this.applied } : { seq: this.applied, epoch: this.epoch };
  }

  /** How many events wait in the reorder buffer. */
  get buffered() {
    return this.buffer.size;
  }

  /**
   * True when an event with this id was already accepted.
   * @param {string} id
   * @returns {boolean}
   */
  hasSeen(id) {
    return this.seen.has(id);
  }

  /**
   * Takes one envelope and says what to apply.
   *
   * @param {unknown} envelope as received (validated here)
   * @returns {AcceptResult}
   */
  accept(envelope) {
    const problem = this.validate(envelope);
    if (problem !== undefined) return result({ invalid: problem });
    const env = /** @type {Envelope} */ (envelope);
    if (this.seen.has(env.id)) return result({ duplicate: true });
    const n = this.by === 'offset' ? env.offset : env.seq;
    if (n === undefined) return this.acceptSignal(env);
    return this.acceptDurable(env, n);
  }

  /**
   * Why `value` is not an envelope for this topic, or undefined when it is.
   * @private
   * @param {unknown} value
   * @returns {string | undefined}
   */
  validate(value) {
    if (!isObject(value)) return 'not an object';
    if (typeof value.id !== 'string' || value.id === '') return 'id: a non-empty string is required';
    if (typeof value.type !== 'string' || value.type === '') return 'type: a non-empty string is required';
    if (typeof value.topic !== 'string') return 'topic: a string is required';
    if (!this.acceptsTopic(value.topic)) return `topic: ${value.topic} is not ${this.topic}`;
    if (!isObject(value.payload)) return 'payload: an object is required';
    const hasSeq = value.seq !== undefined && value.seq !== null;
    if (hasSeq && !isPositiveInteger(value.seq)) return 'seq: an integer ≥ 1 is required';
    if (hasSeq && (typeof value.epoch !== 'string' || value.epoch === '')) {
      return 'epoch: a durable event needs its epoch';
    }
    if (!hasSeq && value.epoch !== undefined && value.epoch !== null) return 'epoch: only durable events have one';
    const hasOffset = value.offset !== undefined && value.offset !== null;
    if (hasOffset && !isPositiveInteger(value.offset)) return 'offset: an integer ≥ 1 is required';
    if (hasOffset && !hasSeq) return 'seq: a durable event needs its seq';
    if (this.by === 'offset' && hasSeq && !hasOffset) return 'offset: a durable event on the feed needs its offset';
    return undefined;
  }

  /**
   * @private
   * @param {Envelope} env
   * @returns {AcceptResult}
   */
  acceptSignal(env) {
    const ts = env.payload.ts;
    // A signal without a positive `ts` (typing defaults to 0) cannot be
    // ordered: it is taken as it comes.
    if (typeof ts === 'number' && Number.isFinite(ts) && ts > 0) {
      // Per sender where the server names one (typing: two people may
      // type at once, and their clocks are not comparable).
      const from = isObject(env.payload.from) && typeof env.payload.from.subject === 'string' ? env.payload.from.subject : '';
      const key = `${env.type}\u0000${env.topic}\u0000${from}`;
      const last = this.latest.get(key);
      if (last !== undefined && ts <= last) return result({ stale: true });
      this.latest.delete(key);
      this.latest.set(key, ts);
      while (this.latest.size > this.latestCapacity) {
        const oldest = this.latest.keys().next();
        if (oldest.done) break;
        this.latest.delete(oldest.value);
      }
    }
    this.seen.add(env.id);
    return result({ ready: [env] });
  }

  /**
   * @private
   * @param {Envelope} env
   * @param {number} n its seq (or offset on the feed)
   * @returns {AcceptResult}
   */
  acceptDurable(env, n) {
    if (this.by === 'seq') {
      const epoch = /** @type {string} */ (env.epoch);
      if (this.epoch === null) {
        this.epoch = epoch;
      } else if (epoch !== this.epoch) {
        this.buffer.clear();
        return result({ gap: true });
      }
    }
    if (n <= this.applied) return result({ duplicate: true });
    if (n > this.applied + 1) {
      if (this.buffer.has(n)) return result({ duplicate: true });
      if (n > this.applied + this.reorderWindow) {
        this.buffer.clear();
        return result({ gap: true });
      }
      this.buffer.set(n, env);
      return result({});
    }
    /** @type {Envelope[]} */
    const ready = [env];
    this.applied = n;
    this.seen.add(env.id);
    for (;;) {
      const next = this.buffer.get(this.applied + 1);
      if (next === undefined) break;
      this.buffer.delete(this.applied + 1);
      this.applied += 1;
      if (this.seen.has(next.id)) continue;
      this.seen.add(next.id);
      ready.push(next);
    }
    return result({ ready });
  }
}
