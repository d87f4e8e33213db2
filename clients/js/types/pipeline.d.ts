// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
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
    constructor(capacity: number);
    /** @readonly */
    readonly capacity: number;
    /** @private @type {Set<string>} */
    private items;
    /**
     * @param {string} value
     * @returns {boolean}
     */
    has(value: string): boolean;
    /**
     * Remembers `value` as the newest; forgets the oldest past capacity.
     * @param {string} value
     * @returns {void}
     */
    add(value: string): void;
    /** @returns {number} */
    get size(): number;
}
export class TopicPipeline {
    /**
     * @param {PipelineOptions} options
     */
    constructor({ topic, reorderWindow, dedupeCapacity, by, acceptsTopic }: PipelineOptions);
    /** @readonly */
    readonly topic: string;
    /** @readonly @type {'seq' | 'offset'} */
    readonly by: "seq" | "offset";
    /** @readonly */
    readonly reorderWindow: number;
    /** @private @type {(topic: string) => boolean} */
    private acceptsTopic;
    /** @private */
    private seen;
    /**
     * Latest accepted `ts` per signal kind and source topic (bounded too: the
     * feed sees every order's courier).
     * @private @type {Map<string, number>}
     */
    private latest;
    /** @private */
    private latestCapacity;
    /** @private @type {Map<number, Envelope>} */
    private buffer;
    /** @private */
    private applied;
    /** @private @type {string | null} */
    private epoch;
    /**
     * Moves to a known position (after a snapshot, a `subscribed`, or before
     * subscribing with a stored cursor). Clears the reorder buffer; the ids and
     * signal times seen so far are kept (ids are unique across epochs).
     *
     * @param {{ seq?: number, epoch?: string | null, offset?: number }} position
     * @returns {void}
     */
    reset(position: {
        seq?: number;
        epoch?: string | null;
        offset?: number;
    }): void;
    /**
     * The last applied position: `{seq, epoch}`, or `{offset}` for the feed.
     * @returns {Position}
     */
    position(): Position;
    /** How many events wait in the reorder buffer. */
    get buffered(): number;
    /**
     * True when an event with this id was already accepted.
     * @param {string} id
     * @returns {boolean}
     */
    hasSeen(id: string): boolean;
    /**
     * Takes one envelope and says what to apply.
     *
     * @param {unknown} envelope as received (validated here)
     * @returns {AcceptResult}
     */
    accept(envelope: unknown): AcceptResult;
    /**
     * Why `value` is not an envelope for this topic, or undefined when it is.
     * @private
     * @param {unknown} value
     * @returns {string | undefined}
     */
    private validate;
    /**
     * @private
     * @param {Envelope} env
     * @returns {AcceptResult}
     */
    private acceptSignal;
    /**
     * @private
     * @param {Envelope} env
     * @param {number} n its seq (or offset on the feed)
     * @returns {AcceptResult}
     */
    private acceptDurable;
}
/**
 * The envelope of every event and signal (docs/protocol.md).
 */
export type Envelope = {
    /**
     * unique; the dedupe key
     */
    id: string;
    /**
     * e.g. `status_changed`, `location`
     */
    type: string;
    /**
     * e.g. `order:ZX-1001`
     */
    topic: string;
    /**
     * durable events only
     */
    seq?: number | undefined;
    /**
     * durable events only
     */
    epoch?: string | undefined;
    /**
     * durable order events only (the `orders` feed cursor)
     */
    offset?: number | undefined;
    /**
     * RFC 3339
     */
    occurredAt?: string | undefined;
    /**
     * payload schema version
     */
    version?: number | undefined;
    payload: Record<string, unknown>;
};
/**
 * Where an order or chat topic is: the last applied `seq` in `epoch`
 * (`epoch` null until one is known: the first event's epoch is then taken).
 */
export type SeqPosition = {
    seq: number;
    epoch: string | null;
};
/**
 * Where the `orders` feed is: the last applied `offset`.
 */
export type OffsetPosition = {
    offset: number;
};
export type Position = SeqPosition | OffsetPosition;
/**
 * What one `accept` did.
 */
export type AcceptResult = {
    /**
     * the envelopes to apply now, in order (the
     * accepted one and any buffered successors it released)
     */
    ready: Envelope[];
    /**
     * events were missed: resync from `position()`
     */
    gap: boolean;
    /**
     * already seen (same id, or seq/offset at or below the applied one, or already buffered)
     */
    duplicate: boolean;
    /**
     * a signal no newer than the last one of its kind
     */
    stale: boolean;
    /**
     * why the envelope was refused, when it was malformed
     */
    invalid?: string | undefined;
};
export type PipelineOptions = {
    /**
     * the subscribed topic (`order:{id}`, `chat:{id}` or `orders`)
     */
    topic: string;
    /**
     * how many numbers ahead an event may wait (default 32)
     */
    reorderWindow?: number | undefined;
    /**
     * how many ids are remembered (default 1024)
     */
    dedupeCapacity?: number | undefined;
    /**
     * what orders durable events: `seq`
     * (default), or `offset` for the `orders` feed
     */
    by?: "seq" | "offset" | undefined;
    /**
     * which envelope topics
     * belong here; default: exactly `topic`, or any `order:…` topic for the
     * feed (its envelopes keep their order's topic)
     */
    acceptsTopic?: ((topic: string) => boolean) | undefined;
};
