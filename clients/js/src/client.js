// @ts-check
/**
 * `TrackwireClient`: one connection per app, multiplexing every watched
 * topic, that a UI can trust through dropped networks, sleeping tabs,
 * duplicate and late events, expired tokens and server restarts.
 *
 * This class is the SDK's public surface and nothing else: what it does is
 * behind one private field, a `ClientCore` (core.js), which coordinates
 * the parts: the link (link.js: the transport, the connection state
 * machine, reconnects with full-jitter backoff, the fallback chain), the
 * frames' router (frames.js), each topic's pipeline and view (topic.js),
 * whose tab this is and the tabs that share a connection (tokens.js,
 * tab-sharing.js), chat, mutations and the stored views of a reload. On
 * every (re)connect each topic resubscribes from the position it applied,
 * so the server replays what was missed (or sends a snapshot).
 */

import { ClientCore } from './core.js';

/** @typedef {import('./state.js').ConnectionState} ConnectionState */
/** @typedef {import('./state.js').Transport} TransportName */
/** @typedef {import('./topic.js').TopicSnapshot} TopicSnapshot */
/** @typedef {import('./mutations.js').OverlaidView} OverlaidView */
/** @typedef {import('./mutations.js').MutationOutcome} MutationOutcome */
/** @typedef {import('./mutation-requests.js').MutationResult} MutationResult */

/**
 * A watcher's handle on a topic.
 * @typedef {object} Watch
 * @property {string} topic
 * @property {() => TopicSnapshot} snapshot the topic's current snapshot
 * @property {() => void} unsubscribe the last watcher's leaves the topic on the wire
 */

/**
 * @typedef {object} Telemetry
 * @property {(info: {attempt: number, delayMs: number, reason: string}) => void} [onReconnectAttempt]
 * @property {(info: {reason: string, durationMs: number}) => void} [onDegraded]
 *   called when a degraded spell ends, with how long it lasted
 * @property {(info: {topic: string, lagMs: number}) => void} [onLag]
 *   the time from an event's `occurredAt` to its application
 * @property {(info: {topic: string, id: string}) => void} [onDuplicate]
 * @property {(info: {topic: string}) => void} [onGap]
 * @property {(info: {topic: string, recovered: boolean}) => void} [onReplay]
 * @property {(info: {topic: string, reason: string}) => void} [onValidationFailure]
 * @property {(info: {from: string, to: string}) => void} [onTransportChange]
 */

/**
 * @typedef {object} ClientOptions
 * @property {string} [url] the server's base URL (default: the page's origin)
 * @property {(options: {refresh: boolean}) => (string | null | Promise<string | null>)} [getToken]
 *   a bearer token; `refresh` is true when the last one was refused or
 *   is about to expire (null then: there is none, the session is over).
 *   Without it the client presents no token (a development server).
 * @property {TransportName[]} [transports] the fallback chain, best first
 * @property {typeof globalThis.WebSocket} [WebSocket] (Node: the `ws` package's)
 * @property {typeof globalThis.fetch} [fetch]
 * @property {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null} [storage]
 *   where positions and views survive a reload (default: sessionStorage)
 * @property {number} [heartbeatMs] the server's heartbeat interval (25 s)
 * @property {number} [connectTimeoutMs] how long a WebSocket upgrade may take (10 s)
 * @property {number} [probeIntervalMs] how often a fallback tries to move back up (60 s)
 * @property {{baseMs?: number, maxMs?: number}} [backoff]
 * @property {number} [mutationTimeoutMs]
 * @property {number} [pollIntervalMs] the polling transport's interval
 * @property {Telemetry} [telemetry]
 * @property {boolean} [reportFreshness] send this client's freshness
 *   (sampled lag from `occurredAt` to applied, degraded spells) to
 *   `POST /v1/telemetry` once a minute (default: true)
 * @property {import('./freshness.js').FreshnessOptions} [freshness]
 *   how often, and what share of events' lag
 * @property {boolean} [shareTabs] one connection for the tabs of this
 *   origin that are the same identity (default: where Web Locks and
 *   BroadcastChannel exist)
 */

export class TrackwireClient {
  /** Everything that is not the public API. */
  #core;

  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    this.#core = new ClientCore(options);
  }

  // --- what a UI reads -------------------------------------------------

  /** @returns {ConnectionState} */
  getState() {
    return this.#core.link.state;
  }

  /**
   * @param {() => void} listener called after every change of state
   * @returns {() => void} unsubscribe
   */
  onStateChange(listener) {
    return this.#core.link.onStateChange(listener);
  }

  /**
   * Watches a topic (`order:{id}`, `chat:{id}`, `orders`, or `ops` for operators); the last
   * watcher's cleanup unsubscribes on the wire.
   * @param {string} name
   * @param {() => void} [listener] called after every change
   * @returns {Watch}
   */
  watch(name, listener = () => {}) {
    return this.#core.watch(name, listener);
  }

  /**
   * Watches `order:{id}`.
   * @param {string} id
   * @param {() => void} [listener] called after every change
   * @returns {Watch}
   */
  watchOrder(id, listener = () => {}) {
    return this.watch(`order:${id}`, listener);
  }

  /**
   * The current snapshot of a watched topic.
   * @param {string} name
   * @returns {TopicSnapshot | undefined}
   */
  get(name) {
    return this.#core.topics.get(name)?.snapshot();
  }

  /**
   * An order as the UI shows it: the server's view with pending optimistic
   * changes laid over it.
   * @param {string} id
   * @returns {OverlaidView | undefined}
   */
  getOrder(id) {
    const snapshot = this.get(`order:${id}`);
    if (!snapshot?.order) return undefined;
    return this.#core.mutations.ledger.overlay(snapshot.order);
  }

  /**
   * Outcomes of the mutations (pending, confirmed, rolled back), oldest first.
   * @returns {MutationOutcome[]}
   */
  mutationOutcomes() {
    return this.#core.mutations.ledger.outcomes;
  }

  // --- the connection --------------------------------------------------

  /** Connects (a watch does it by itself); after `close`, connects again. */
  connect() {
    this.#core.connect();
  }

  /**
   * Closes for good: no reconnect. The state is `closed {reason}`.
   * @param {string} [reason]
   */
  close(reason) {
    this.#core.close(reason);
  }

  /**
   * The app's user signed in or out, or as somebody else: call it then.
   * The client asks the token provider at once; a token of another
   * identity makes this tab leave the old identity's tabs, drop what it
   * showed of it, and connect as the new one. (The client also notices on
   * its own, at the next token it asks for.)
   */
  reauthenticate() {
    this.#core.reauthenticate();
  }

  // --- chat, typing, read receipts (chat.js) -------------------------------

  /**
   * Sends a chat message on the order's chat, over REST whatever the
   * transport; its `clientMessageId` makes a retry appear once. Resolves
   * once the server stored it.
   * @param {string} orderId
   * @param {string} text
   * @returns {Promise<{clientMessageId: string}>}
   */
  sendMessage(orderId, text) {
    return this.#core.chat.sendMessage(orderId, text);
  }

  /**
   * Call on every keystroke in an order's chat box: tells the others at
   * most every 300 ms that you are typing, and that you stopped 2 s after
   * the last keystroke (receivers also expire it on their own). Over a
   * live WebSocket, else over REST.
   * @param {string} orderId
   */
  typing(orderId) {
    this.#core.chat.typing(orderId);
  }

  /**
   * Tells the others at once that you stopped typing (a sent message does it too).
   * @param {string} orderId
   */
  stopTyping(orderId) {
    this.#core.chat.stopTyping(orderId);
  }

  /**
   * Marks the order's chat read up to `seq` (the others see a receipt).
   * @param {string} orderId
   * @param {number} seq
   */
  markRead(orderId, seq) {
    this.#core.chat.markRead(orderId, seq);
  }

  // --- optimistic mutations (mutation-requests.js) ---------------------------

  /**
   * A customer action (`cancel`, `change_instructions`), applied locally at
   * once and confirmed, or rolled back with the reason. Retries reuse the
   * same `clientMutationId`, so the server applies it once.
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} [args]
   * @returns {Promise<MutationResult>}
   */
  mutate(orderId, action, args = {}) {
    return this.#core.mutations.send(orderId, action, args);
  }
}
