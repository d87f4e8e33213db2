// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * A clean copy of a position, or undefined when it is not one.
 * @param {unknown} raw
 * @returns {StoredPosition | undefined}
 */
export function toStoredPosition(raw: unknown): StoredPosition | undefined;
/**
 * The server's stream cursor (SSE `id:` / `Last-Event-ID`, long-poll
 * `cursor`) for these positions: base64url without padding of the JSON
 * `{"<topic>": {"e": epoch, "p": seq}}`, `{"p": offset}` for the feed,
 * topics in the server's (sorted) order. A topic whose position is
 * undefined is left out; a seq without an epoch goes as `{"p": seq}` (the
 * server then answers with a snapshot where it must). With no position at
 * all the answer is '' (send no cursor: the server starts from snapshots).
 *
 * @param {PositionsInput} positions
 * @returns {string} the cursor, or '' when there is no position
 */
export function encodeStreamCursor(positions: PositionsInput): string;
/**
 * Reads a stream cursor back into positions (`{seq, epoch}` or, for the
 * `orders` feed, `{offset}`); undefined when it is not one.
 *
 * @param {string} cursor
 * @returns {Record<string, StoredPosition | { seq: number, epoch: null }> | undefined}
 */
export function decodeStreamCursor(cursor: string): Record<string, StoredPosition | {
    seq: number;
    epoch: null;
}> | undefined;
/**
 * Where each topic is, kept across page loads (sessionStorage by default in
 * the SDK), so a reload resumes with a replay instead of a snapshot; and the
 * server's stream cursor (SSE `Last-Event-ID`, long-poll `cursor`) built from
 * those positions.
 *
 * @module cursors
 */
/** @typedef {import('./pipeline.js').Position} Position */
/** @typedef {import('./pipeline.js').SeqPosition} SeqPosition */
/** @typedef {import('./pipeline.js').OffsetPosition} OffsetPosition */
/**
 * What a `CursorStore` keeps of a topic: `{seq, epoch}` for order and chat
 * topics, `{offset}` for the `orders` feed.
 * @typedef {{ seq: number, epoch: string } | { offset: number }} StoredPosition
 */
/**
 * The part of the Web Storage API the store uses (sessionStorage,
 * localStorage, or anything alike).
 * @typedef {object} StorageLike
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 */
/**
 * @typedef {object} CursorStoreOptions
 * @property {number} [maxTopics] most topics kept; the least recently set go first (default 200)
 * @property {string} [key] the storage key (default `trackwire.cursors.v1`)
 */
/** The one storage key every position is kept under. */
export const STORAGE_KEY: "trackwire.cursors.v1";
/** Most topics a store keeps. */
export const MAX_TOPICS: 200;
export class CursorStore {
    /**
     * @param {StorageLike | null | undefined} storage null: memory only
     * @param {CursorStoreOptions} [options]
     */
    constructor(storage: StorageLike | null | undefined, options?: CursorStoreOptions);
    /** @private */
    private storage;
    /** @private */
    private key;
    /** @readonly */
    readonly maxTopics: number;
    /**
     * Oldest first.
     * @private @type {Map<string, StoredPosition>}
     */
    private positions;
    /**
     * The stored position of `topic`.
     * @param {string} topic
     * @returns {StoredPosition | undefined} a copy
     */
    get(topic: string): StoredPosition | undefined;
    /**
     * Keeps `topic`'s position (it becomes the newest). A position without a
     * known epoch (`{seq, epoch: null}`) is not worth resuming from: it is
     * dropped instead.
     *
     * @param {string} topic
     * @param {Position | StoredPosition} position
     * @returns {boolean} whether it was kept
     */
    set(topic: string, position: Position | StoredPosition): boolean;
    /**
     * Forgets `topic` (a final order, an unsubscribed topic).
     * @param {string} topic
     * @returns {boolean} whether it was there
     */
    delete(topic: string): boolean;
    /**
     * Forgets every topic.
     * @returns {void}
     */
    clear(): void;
    /** How many topics are kept. */
    get size(): number;
    /**
     * Every topic and position, oldest first.
     * @returns {Array<[string, StoredPosition]>}
     */
    entries(): Array<[string, StoredPosition]>;
    /**
     * @private
     * @returns {Map<string, StoredPosition>}
     */
    private load;
    /**
     * Writes every position under the one key: `{"topics": [[topic, position], …]}`,
     * oldest first.
     * @private
     * @returns {void}
     */
    private save;
}
/**
 * A topic's position as the cursor takes it: `{seq, epoch}`, `{offset}`, or
 * anything shaped like either (a `subscribed` frame's fields).
 */
export type CursorPoint = {
    seq?: number;
    epoch?: string | null;
    offset?: number;
};
/**
 * Positions by topic, as a plain object or a Map.
 */
export type PositionsInput = Record<string, CursorPoint | undefined> | Map<string, CursorPoint | undefined>;
export type Position = import("./pipeline.js").Position;
export type SeqPosition = import("./pipeline.js").SeqPosition;
export type OffsetPosition = import("./pipeline.js").OffsetPosition;
/**
 * What a `CursorStore` keeps of a topic: `{seq, epoch}` for order and chat
 * topics, `{offset}` for the `orders` feed.
 */
export type StoredPosition = {
    seq: number;
    epoch: string;
} | {
    offset: number;
};
/**
 * The part of the Web Storage API the store uses (sessionStorage,
 * localStorage, or anything alike).
 */
export type StorageLike = {
    getItem: (key: string) => string | null;
    setItem: (key: string, value: string) => void;
    removeItem: (key: string) => void;
};
export type CursorStoreOptions = {
    /**
     * most topics kept; the least recently set go first (default 200)
     */
    maxTopics?: number | undefined;
    /**
     * the storage key (default `trackwire.cursors.v1`)
     */
    key?: string | undefined;
};
