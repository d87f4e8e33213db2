// @ts-check
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
export const STORAGE_KEY = 'trackwire.cursors.v1';
/** Most topics a store keeps. */
export const MAX_TOPICS = 200;

/**
 * @param {unknown} n
 * @returns {n is number}
 */
function isCount(n) {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/**
 * A clean copy of a position, or undefined when it is not one.
 * @param {unknown} raw
 * @returns {StoredPosition | undefined}
 */
export function toStoredPosition(raw) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const p = /** @type {Record<string, unknown>} */ (raw);
  if (isCount(p.offset) && p.seq === undefined) return { offset: p.offset };
  if (isCount(p.seq) && typeof p.epoch === 'string' && p.epoch !== '') return { seq: p.seq, epoch: p.epoch };
  return undefined;
}

export class CursorStore {
  /**
   * @param {StorageLike | null | undefined} storage null: memory only
   * @param {CursorStoreOptions} [options]
   */
  constructor(storage, options = {}) {
    /** @private */
    this.storage = storage ?? null;
    /** @private */
    this.key = options.key ?? STORAGE_KEY;
    /** @readonly */
    this.maxTopics = Math.max(1, Math.floor(options.maxTopics ?? MAX_TOPICS) || MAX_TOPICS);
    /**
     * Oldest first.
     * @private @type {Map<string, StoredPosition>}
     */
    this.positions = this.load();
  }

  /**
   * The stored position of `topic`.
   * @param {string} topic
   * @returns {StoredPosition | undefined} a copy
   */
  get(topic) {
    const p = this.positions.get(topic);
    return p === undefined ? undefined : { ...p };
  }

  /**
   * Keeps `topic`'s position (it becomes the newest). A position without a
   * known epoch (`{seq, epoch: null}`) is not worth resuming from: it is
   * dropped instead.
   *
   * @param {string} topic
   * @param {Position | StoredPosition} position
   * @returns {boolean} whether it was kept
   */
  set(topic, position) {
    const clean = toStoredPosition(position);
    if (typeof topic !== 'string' || topic === '' || clean === undefined) {
      if (typeof topic === 'string') this.delete(topic);
      return false;
    }
    const old = this.positions.get(topic);
    if (old !== undefined && samePosition(old, clean) && lastKey(this.positions) === topic) return true;
    this.positions.delete(topic);
    this.positions.set(topic, clean);
    while (this.positions.size > this.maxTopics) {
      const oldest = this.positions.keys().next();
      if (oldest.done) break;
      this.positions.delete(oldest.value);
    }
    this.save();
    return true;
  }

  /**
   * Forgets `topic` (a final order, an unsubscribed topic).
   * @param {string} topic
   * @returns {boolean} whether it was there
   */
  delete(topic) {
    const had = this.positions.delete(topic);
    if (had) this.save();
    return had;
  }

  /**
   * Forgets every topic.
   * @returns {void}
   */
  clear() {
    this.positions.clear();
    if (this.storage === null) return;
    try {
      this.storage.removeItem(this.key);
    } catch {
      // Storage may be unavailable (privacy modes): memory still works.
    }
  }

  /** How many topics are kept. */
  get size() {
    return this.positions.size;
  }

  /**
   * Every topic and position, oldest first.
   * @returns {Array<[string, StoredPosition]>}
   */
  entries() {
    return mapEntries(this.positions).map(([topic, p]) => [topic, { ...p }]);
  }

  /**
   * @private
   * @returns {Map<string, StoredPosition>}
   */
  load() {
    /** @type {Map<string, StoredPosition>} */
    const positions = new Map();
    if (this.storage === null) return positions;
    /** @type {unknown} */
    let data;
    try {
      const raw = this.storage.getItem(this.key);
      if (raw === null) return positions;
      data = JSON.parse(raw);
    } catch {
      // Unreadable storage or corrupt JSON: start afresh.
      return positions;
    }
    if (typeof data !== 'object' || data === null) return positions;
    const entries = /** @type {{ topics?: unknown }} */ (data).topics;
    if (!Array.isArray(entries)) return positions;
    for (const entry of entries) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || entry[0] === '') continue;
      const position = toStoredPosition(entry[1]);
      if (position === undefined) continue;
      positions.delete(entry[0]);
      positions.set(entry[0], position);
    }
    while (positions.size > this.maxTopics) {
      const oldest = positions.keys().next();
      if (oldest.done) break;
      positions.delete(oldest.value);
    }
    return positions;
  }

  /**
   * Writes every position under the one key: `{"topics": [[topic, position], …]}`,
   * oldest first.
   * @private
   * @returns {void}
   */
  save() {
    if (this.storage === null) return;
    try {
      this.storage.setItem(this.key, JSON.stringify({ topics: mapEntries(this.positions) }));
    } catch {
      // Quota exceeded or storage disabled: the positions stay in memory.
    }
  }
}

/**
 * @param {StoredPosition} a
 * @param {StoredPosition} b
 * @returns {boolean}
 */
function samePosition(a, b) {
  if ('offset' in a) return 'offset' in b && a.offset === b.offset;
  return 'seq' in b && a.seq === b.seq && a.epoch === b.epoch;
}

/**
 * @param {Map<string, unknown>} map
 * @returns {string | undefined}
 */
function lastKey(map) {
  /** @type {string | undefined} */
  let last;
  map.forEach((_, key) => {
    last = key;
  });
  return last;
}

/**
 * A map's entries as an array, in insertion order.
 * @template V
 * @param {Map<string, V>} map
 * @returns {Array<[string, V]>}
 */
function mapEntries(map) {
  /** @type {Array<[string, V]>} */
  const out = [];
  map.forEach((value, key) => out.push([key, value]));
  return out;
}

/**
 * A topic's position as the cursor takes it: `{seq, epoch}`, `{offset}`, or
 * anything shaped like either (a `subscribed` frame's fields).
 * @typedef {{ seq?: number, epoch?: string | null, offset?: number }} CursorPoint
 */

/**
 * Positions by topic, as a plain object or a Map.
 * @typedef {Record<string, CursorPoint | undefined> | Map<string, CursorPoint | undefined>} PositionsInput
 */

/**
 * @param {string} text
 * @returns {string}
 */
function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * @param {string} text
 * @returns {string | undefined}
 */
function fromBase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * @param {PositionsInput} positions
 * @returns {Array<[string, CursorPoint | undefined]>}
 */
function entriesOf(positions) {
  if (positions instanceof Map) return mapEntries(positions);
  return Object.keys(positions).map((topic) => [topic, positions[topic]]);
}

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
export function encodeStreamCursor(positions) {
  /** @type {Array<[string, { e?: string, p: number }]>} */
  const points = [];
  for (const [topic, position] of entriesOf(positions)) {
    if (position === undefined || position === null) continue;
    if (isCount(position.offset)) {
      points.push([topic, { p: position.offset }]);
    } else if (isCount(position.seq)) {
      points.push(
        typeof position.epoch === 'string' && position.epoch !== ''
          ? [topic, { e: position.epoch, p: position.seq }]
          : [topic, { p: position.seq }],
      );
    }
  }
  // The server keeps topics in a BTreeMap: byte order, which for these
  // ASCII names is plain code-unit order.
  if (points.length === 0) return '';
  points.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const json = `{${points.map(([topic, point]) => `${JSON.stringify(topic)}:${JSON.stringify(point)}`).join(',')}}`;
  return base64url(json);
}

/**
 * Reads a stream cursor back into positions (`{seq, epoch}` or, for the
 * `orders` feed, `{offset}`); undefined when it is not one.
 *
 * @param {string} cursor
 * @returns {Record<string, StoredPosition | { seq: number, epoch: null }> | undefined}
 */
export function decodeStreamCursor(cursor) {
  const json = fromBase64url(cursor);
  if (json === undefined) return undefined;
  /** @type {unknown} */
  let data;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  /** @type {Record<string, StoredPosition | { seq: number, epoch: null }>} */
  const out = {};
  for (const topic of Object.keys(data)) {
    const raw = /** @type {Record<string, unknown>} */ (data)[topic];
    if (typeof raw !== 'object' || raw === null) return undefined;
    const point = /** @type {{ e?: unknown, p?: unknown }} */ (raw);
    if (!isCount(point.p)) return undefined;
    if (topic === 'orders') out[topic] = { offset: point.p };
    else if (typeof point.e === 'string') out[topic] = { seq: point.p, epoch: point.e };
    else out[topic] = { seq: point.p, epoch: null };
  }
  return out;
}
