// @ts-check
/**
 * `TrackwireClient`: one connection per app, multiplexing every watched
 * topic, that a UI can trust through dropped networks, sleeping tabs,
 * duplicate and late events, expired tokens and server restarts.
 *
 * It owns the connection state machine (state.js), picks a transport from
 * the fallback chain (WebSocket, SSE, long-poll, polling) by what actually
 * works, reconnects with capped full-jitter backoff, and on every
 * (re)connect resubscribes each topic from the position it applied, so the
 * server replays what was missed (or sends a snapshot). Frames go through
 * each topic's pipeline (topic.js) before they reach a view.
 */

import { backoffDelay, serverDelay } from './backoff.js';
import { CursorStore } from './cursors.js';
import { MutationLedger } from './mutations.js';
import { initialState, transition, transportOf } from './state.js';
import { Topic } from './topic.js';
import { LongPollTransport } from './transports/longpoll.js';
import { PollingTransport } from './transports/polling.js';
import { SseTransport } from './transports/sse.js';
import { WebSocketTransport } from './transports/websocket.js';
import { Heartbeat } from './heartbeat.js';
import { TabCoordinator, canShareTabs } from './tabs.js';

/** @typedef {import('./state.js').ConnectionState} ConnectionState */
/** @typedef {import('./state.js').Transport} TransportName */
/** @typedef {import('./topic.js').TopicSnapshot} TopicSnapshot */
/** @typedef {import('./transports/types.js').CloseInfo} CloseInfo */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */
/** @typedef {import('./pipeline.js').Envelope} Envelope */

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
 *   is about to expire. Without it the client presents no token (a
 *   development server).
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
 * @property {boolean} [shareTabs] one connection for every tab of this
 *   origin (default: where Web Locks and BroadcastChannel exist)
 */

/** Frames about the connection itself, not a topic. */
const CONNECTION_FRAMES = new Set(['authenticated', 'auth_expiring', 'reconnect', 'pong']);

const TOKEN_CODES = new Set([
  'unauthorized',
  'token_malformed',
  'token_algorithm',
  'token_signature',
  'token_unknown_key',
  'token_expired',
  'token_not_yet_valid',
  'token_issuer',
  'token_audience',
  'token_claims',
]);

/** Refusals of one topic: do not ask again. */
const TOPIC_REFUSALS = new Set(['forbidden', 'order_not_found', 'unknown_topic', 'not_found']);

export class TrackwireClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    const origin = typeof location !== 'undefined' ? location.origin : '';
    this.baseUrl = (options.url ?? origin).replace(/\/$/, '');
    this.options = options;
    this.chain = options.transports ?? ['websocket', 'sse', 'long-poll', 'polling'];
    this.telemetry = options.telemetry ?? {};
    const storage =
      options.storage !== undefined ? options.storage : typeof sessionStorage !== 'undefined' ? sessionStorage : null;
    this.cursors = new CursorStore(storage);
    this.storage = storage;
    /** @type {ConnectionState} */
    this.state = initialState();
    /** @type {Set<() => void>} */
    this.stateListeners = new Set();
    /** @type {Map<string, Topic>} */
    this.topics = new Map();
    this.ledger = new MutationLedger({ timeoutMs: options.mutationTimeoutMs ?? 10000, newId });
    /** @type {Map<string, {resolve: (outcome: any) => void, frame: object}>} */
    this.inflight = new Map();
    /** Index in `chain` of the transport in use. */
    this.level = 0;
    this.attempt = 0;
    /** @type {any} */
    this.transport = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.probeTimer = null;
    /** @type {number | null} the server's `reconnect {afterMs}` */
    this.serverAfterMs = null;
    this.refreshToken = false;
    this.reopenQueued = false;
    this.degradedSince = 0;
    this.heartbeat = new Heartbeat(options.heartbeatMs ?? 25000, {
      ping: () => this.transport?.send({ type: 'ping' }),
      dead: () => this.lost({ code: 4010, reason: 'heartbeat timeout', opened: true }),
    });
    const share = options.shareTabs ?? canShareTabs();
    /** @type {TabCoordinator | null} */
    this.tabs = share
      ? new TabCoordinator(`trackwire:${this.baseUrl}`, {
          onLeader: () => this.becameLeader(),
          onMessage: (message) => this.onTabMessage(message),
        })
      : null;
    /** @type {Map<string, Set<string>>} topics other tabs watch through this one */
    this.remote = new Map();
    /** @type {Map<string, {sentAt: number, stop: ReturnType<typeof setTimeout> | null}>} */
    this.typists = new Map();
    this.onWake = () => this.checkLiveness();
    if (typeof addEventListener === 'function') {
      addEventListener('online', this.onWake);
      addEventListener('visibilitychange', this.onWake);
    }
  }

  // --- what a UI reads -------------------------------------------------

  /** @returns {ConnectionState} */
  getState() {
    return this.state;
  }

  /**
   * @param {() => void} listener
   * @returns {() => void} unsubscribe
   */
  onStateChange(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * Watches a topic (`order:{id}`, `chat:{id}` or `orders`); the last
   * watcher's cleanup unsubscribes on the wire.
   * @param {string} name
   * @param {() => void} [listener] called after every change
   * @returns {{ topic: string, snapshot: () => TopicSnapshot, unsubscribe: () => void }}
   */
  watch(name, listener = () => {}) {
    let topic = this.topics.get(name);
    const first = !topic;
    if (!topic) {
      topic = this.newTopic(name);
      this.topics.set(name, topic);
    }
    const owned = topic;
    const watcher = () => listener();
    owned.watchers.add(watcher);
    if (first) {
      this.restore(owned);
      if (this.state.status === 'idle') this.connect();
      this.subscribeOnWire(owned);
      if (this.isFollower()) this.tabs?.post({ kind: 'watch', tab: this.tabs.tab, topic: name });
    }
    let active = true;
    return {
      topic: name,
      snapshot: () => owned.snapshot(),
      unsubscribe: () => {
        if (!active) return;
        active = false;
        owned.watchers.delete(watcher);
        if (owned.watchers.size === 0) this.drop(owned);
      },
    };
  }

  /** @param {string} id */
  watchOrder(id, listener = () => {}) {
    return this.watch(`order:${id}`, listener);
  }

  /**
   * The current snapshot of a watched topic.
   * @param {string} name
   * @returns {TopicSnapshot | undefined}
   */
  get(name) {
    return this.topics.get(name)?.snapshot();
  }

  /**
   * An order as the UI shows it: the server's view with pending optimistic
   * changes laid over it.
   * @param {string} id
   */
  getOrder(id) {
    const snapshot = this.get(`order:${id}`);
    if (!snapshot?.order) return undefined;
    return this.ledger.overlay(snapshot.order);
  }

  /** Outcomes of this order's mutations (pending, confirmed, rolled back). */
  mutationOutcomes() {
    return this.ledger.outcomes;
  }

  // --- connection --------------------------------------------------------

  connect() {
    if (this.state.status === 'closed') this.setState(transition(this.state, { type: 'reset' }));
    if (this.tabs && !this.tabs.leader) {
      // The connection is the leader tab's; this tab may become it.
      this.tabs.start();
      return;
    }
    this.open();
  }

  /** True in a tab that shares another tab's connection. */
  isFollower() {
    return this.tabs !== null && !this.tabs.leader;
  }

  becameLeader() {
    if (this.state.status === 'closed') return;
    this.open();
  }

  /** Closes for good: no reconnect. */
  close(reason = 'closed by the app') {
    this.tabs?.stop();
    this.clearTimers();
    this.heartbeat.stop();
    this.transport?.close(1000, 'normal');
    this.transport = null;
    this.setState(transition(this.state, { type: 'close', reason }));
    if (typeof removeEventListener === 'function') {
      removeEventListener('online', this.onWake);
      removeEventListener('visibilitychange', this.onWake);
    }
  }

  open() {
    this.clearTimers();
    const name = this.chain[this.level];
    this.setState(transition(this.state, { type: 'connect', transport: name, attempt: this.attempt }));
    const transport = this.makeTransport(name);
    this.transport = transport;
    transport.open(this.handlersFor(transport), this.session());
  }

  /** @param {TransportName} name */
  makeTransport(name) {
    const baseUrl = this.baseUrl;
    const fetch = this.options.fetch;
    switch (name) {
      case 'websocket':
        return new WebSocketTransport({
          baseUrl,
          WebSocket: this.options.WebSocket,
          openTimeoutMs: this.options.connectTimeoutMs,
        });
      case 'sse':
        return new SseTransport({ baseUrl, fetch });
      case 'long-poll':
        return new LongPollTransport({ baseUrl, fetch });
      default:
        return new PollingTransport({ baseUrl, fetch, intervalMs: this.options.pollIntervalMs });
    }
  }

  /** What a one-way transport carries: the wanted topics and positions. */
  /** @returns {TransportSession} */
  session() {
    const client = this;
    return {
      get topics() {
        return [...client.topics.values()].filter((t) => t.wanted()).map((t) => t.name);
      },
      get positions() {
        /** @type {Record<string, any>} */
        const positions = {};
        for (const topic of client.topics.values()) {
          const position = topic.position();
          if (position) positions[topic.name] = position;
          // Nothing known yet: the whole history, for the timeline.
          else if (topic.kind !== 'feed') positions[topic.name] = { seq: 0, epoch: null };
        }
        return positions;
      },
      token: () => this.token(),
    };
  }

  /** @returns {Promise<string | null>} */
  async token() {
    if (!this.options.getToken) return null;
    const refresh = this.refreshToken;
    this.refreshToken = false;
    return (await this.options.getToken({ refresh })) ?? null;
  }

  /** @param {any} transport */
  handlersFor(transport) {
    const current = () => this.transport === transport;
    return {
      onOpen: () => current() && void this.opened(transport),
      onFrame: (/** @type {any} */ frame) => {
        if (!current()) return;
        this.onFrame(frame);
        if (this.tabs?.leader) this.tabs.post({ kind: 'frame', tab: this.tabs.tab, frame });
      },
      onActivity: () => current() && this.heartbeat.heard(),
      onInvalid: (/** @type {string} */ why) =>
        current() && this.telemetry.onValidationFailure?.({ topic: '', reason: why }),
      onClose: (/** @type {CloseInfo} */ info) => current() && this.lost(info),
    };
  }

  /** @param {any} transport */
  async opened(transport) {
    this.setState(transition(this.state, { type: 'opened' }));
    this.heartbeat.start(transport.bidirectional);
    if (transport.bidirectional) {
      const token = await this.token();
      if (this.transport !== transport) return;
      if (token) {
        transport.send({ type: 'auth', token });
        return; // live once `authenticated` comes
      }
    }
    this.becameLive();
  }

  becameLive() {
    this.attempt = 0;
    this.serverAfterMs = null;
    const name = this.chain[this.level];
    const now = Date.now();
    this.setState(transition(this.state, { type: 'authenticated', now }));
    if (this.level > 0) {
      const reason = `${this.chain[0]} unavailable; using ${name}`;
      this.setState(transition(this.state, { type: 'degrade', reason, now }));
      this.degradedSince = now;
      this.scheduleProbe();
    }
    if (this.transport?.bidirectional) {
      for (const topic of this.topics.values()) this.subscribeOnWire(topic);
      for (const { frame } of this.inflight.values()) this.transport.send(frame);
    }
  }

  /** @param {CloseInfo} info */
  lost(info) {
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    this.heartbeat.stop();
    if (this.state.status === 'closed') return;
    const code = info.code;
    // A transport that never opened, on a server that answers, is blocked
    // on the way: fall back at once. A server that does not answer is
    // down: keep the transport and retry with backoff.
    if (!info.opened && this.level < this.chain.length - 1 && !isAuthRefusal(code)) {
      void this.serverAnswers().then((answers) => {
        if (this.state.status === 'closed' || this.transport) return;
        if (answers) {
          this.telemetry.onTransportChange?.({ from: this.chain[this.level], to: this.chain[this.level + 1] });
          this.level += 1;
          this.open();
        } else {
          this.retryLater({ ...info, opened: true, reason: info.reason || 'the server does not answer' });
        }
      });
      return;
    }
    this.retryLater(info);
  }

  /** True when the server answers plain HTTP (so a failed transport is blocked, not the server down). */
  async serverAnswers() {
    const fetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    try {
      const response = await fetch(`${this.baseUrl}/v1/health`, { signal: AbortSignal.timeout(5000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  /** @param {CloseInfo} info */
  retryLater(info) {
    const code = info.code;
    if (code === 4003) {
      this.close('forbidden');
      return;
    }
    if (isAuthRefusal(code)) this.refreshToken = true;
    let delayMs;
    if (code === 1012 && this.serverAfterMs !== null) delayMs = serverDelay(this.serverAfterMs);
    else if (code === 4009) delayMs = 0;
    else delayMs = backoffDelay(this.attempt, this.options.backoff);
    this.attempt += 1;
    const reason = info.reason || `closed (${code})`;
    this.telemetry.onReconnectAttempt?.({ attempt: this.attempt, delayMs, reason });
    this.endDegraded();
    this.setState(
      transition(this.state, { type: 'lost', reason, attempt: this.attempt, retryAt: Date.now() + delayMs }),
    );
    this.clearTimers();
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  /** Back in the foreground or online: check the link at once. */
  checkLiveness() {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    if (this.state.status === 'reconnecting') {
      this.open();
    } else if (this.transport?.bidirectional) {
      this.heartbeat.probe();
    } else if (this.transport) {
      // A one-way stream may have died silently while the tab slept.
      this.reopen();
    }
  }

  scheduleProbe() {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probe(), this.options.probeIntervalMs ?? 60000);
  }

  /** On a fallback: does the best transport work again? */
  async probe() {
    this.probeTimer = null;
    if (this.level === 0 || !this.transport) return;
    const best = this.makeTransport(this.chain[0]);
    const works = await new Promise((resolve) => {
      best.open(
        {
          onOpen: () => resolve(true),
          onFrame: () => {},
          onActivity: () => {},
          onInvalid: () => {},
          onClose: () => resolve(false),
        },
        this.session(),
      );
      setTimeout(() => resolve(false), 5000);
    });
    best.close();
    if (works && this.transport) {
      this.telemetry.onTransportChange?.({ from: this.chain[this.level], to: this.chain[0] });
      this.transport.close();
      this.transport = null;
      this.heartbeat.stop();
      this.endDegraded();
      this.level = 0;
      // Through `reconnecting` for a moment: the state machine only
      // connects from there, and the switch is a reconnect.
      const reason = `moving to ${this.chain[0]}`;
      this.setState(transition(this.state, { type: 'lost', reason, attempt: 0, retryAt: Date.now() }));
      this.open();
    } else {
      this.scheduleProbe();
    }
  }

  endDegraded() {
    if (this.degradedSince && this.state.status === 'degraded') {
      this.telemetry.onDegraded?.({ reason: this.state.reason, durationMs: Date.now() - this.degradedSince });
    }
    this.degradedSince = 0;
  }

  clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.retryTimer = null;
    this.probeTimer = null;
  }

  /** @param {ConnectionState} next */
  setState(next) {
    if (next === this.state) return;
    this.state = next;
    if (this.tabs?.leader) this.tabs.post({ kind: 'state', tab: this.tabs.tab, state: next });
    for (const listener of [...this.stateListeners]) listener();
  }

  // --- topics on the wire --------------------------------------------------

  /** @param {string} name */
  newTopic(name) {
    return new Topic(name, {
      now: () => Date.now(),
      onDuplicate: (topic, envelope) => this.telemetry.onDuplicate?.({ topic, id: envelope.id }),
      onGap: (topic) => this.telemetry.onGap?.({ topic }),
      onInvalid: (topic, reason) => this.telemetry.onValidationFailure?.({ topic, reason }),
      onLag: (topic, lagMs) => this.telemetry.onLag?.({ topic, lagMs }),
    });
  }

  /** @param {Topic} topic */
  restore(topic) {
    // Only an order's view is kept across reloads; a feed or a chat
    // resumed from a position without its view would show a fragment.
    if (topic.kind !== 'order') return;
    const position = this.cursors.get(topic.name);
    if (!position) return;
    const order = readView(this.storage, topic.name);
    if (!order) return;
    topic.restore(/** @type {any} */ (position), order);
  }

  /** @param {Topic} topic */
  persist(topic) {
    const position = topic.position();
    if (!position) return;
    this.cursors.set(topic.name, /** @type {any} */ (position));
    if (topic.kind === 'order') writeView(this.storage, topic.name, topic.order);
  }

  /** @param {Topic} topic */
  subscribeOnWire(topic) {
    if (!topic.wanted() || !this.transport || !this.isLive()) return;
    if (!this.transport.bidirectional) {
      this.reopen();
      return;
    }
    /** @type {Record<string, unknown>} */
    const frame = { type: 'subscribe', topic: topic.name };
    const position = /** @type {any} */ (topic.position());
    if (position && 'offset' in position) frame.offset = position.offset;
    else if (position) Object.assign(frame, { since: position.seq, epoch: position.epoch ?? undefined });
    else if (topic.kind !== 'feed') frame.since = 0; // the whole history, for the timeline
    this.transport.send(frame);
  }

  /** @param {Topic} topic */
  drop(topic) {
    if (this.remote.get(topic.name)?.size) return; // another tab still watches it
    this.topics.delete(topic.name);
    if (this.isFollower()) {
      this.tabs?.post({ kind: 'unwatch', tab: this.tabs.tab, topic: topic.name });
      return;
    }
    if (this.transport?.bidirectional && this.isLive() && topic.wanted()) {
      this.transport.send({ type: 'unsubscribe', topic: topic.name });
    } else if (this.transport && !this.transport.bidirectional) {
      this.reopen();
    }
  }

  /** One-way transports carry a fixed topic set: reopen on a change (batched). */
  reopen() {
    if (this.reopenQueued) return;
    this.reopenQueued = true;
    queueMicrotask(() => {
      this.reopenQueued = false;
      if (!this.transport || this.transport.bidirectional || this.state.status === 'closed') return;
      this.transport.close();
      this.transport = null;
      this.open();
    });
  }

  /** A gap: ask for the topic again from the last applied position. */
  /** @param {Topic} topic */
  resync(topic) {
    if (this.transport?.bidirectional) {
      this.transport.send({ type: 'unsubscribe', topic: topic.name });
      this.subscribeOnWire(topic);
    } else {
      this.reopen();
    }
  }

  isLive() {
    return this.state.status === 'live' || this.state.status === 'degraded';
  }

  // --- frames --------------------------------------------------------------

  /** @param {any} frame */
  onFrame(frame) {
    // A follower takes the leader's topic frames, not its connection's.
    if (this.isFollower() && CONNECTION_FRAMES.has(frame.type)) return;
    const topic = typeof frame.topic === 'string' ? this.topics.get(frame.topic) : undefined;
    switch (frame.type) {
      case 'authenticated':
        if (this.state.status === 'authenticating') this.becameLive();
        break;
      case 'snapshot':
        topic?.applySnapshot(frame);
        if (topic) this.persist(topic);
        break;
      case 'subscribed':
        if (topic) {
          topic.applySubscribed(frame);
          this.persist(topic);
          this.telemetry.onReplay?.({ topic: topic.name, recovered: Boolean(frame.recovered) });
        }
        break;
      case 'event':
        this.onEvent(frame.event);
        break;
      case 'presence':
        topic?.applyPresence(frame.members);
        break;
      case 'unsubscribed':
        if (topic && frame.reason === 'final') topic.markFinal();
        break;
      case 'ack':
        this.settle(frame.clientMutationId, { state: 'confirmed', seq: frame.seq });
        break;
      case 'reject':
        this.settle(frame.clientMutationId, { state: 'rolled_back', code: frame.code, reason: frame.message });
        break;
      case 'auth_expiring':
        void this.refreshInBand();
        break;
      case 'reconnect':
        this.serverAfterMs = Number(frame.afterMs) || 0;
        break;
      case 'error':
        this.onError(frame);
        break;
      default:
        break;
    }
  }

  /** @param {Envelope} envelope */
  onEvent(envelope) {
    if (!envelope || typeof envelope.topic !== 'string') {
      this.telemetry.onValidationFailure?.({ topic: '', reason: 'an event without an envelope' });
      return;
    }
    // The feed carries order topics' events and couriers' positions; an
    // order topic its own.
    const toFeed = envelope.offset !== undefined || envelope.type === 'location';
    const targets = [this.topics.get(envelope.topic), toFeed ? this.topics.get('orders') : undefined];
    for (const topic of targets) {
      if (!topic) continue;
      if (!topic.applyEvent(envelope)) this.resync(topic);
      if (envelope.type === 'typing') this.scheduleTypingExpiry(topic);
      else if (envelope.seq !== undefined) this.persist(topic);
      if (topic.kind === 'order' && topic.order) this.ledger.settle(topic.order);
    }
  }

  /** @param {any} frame */
  onError(frame) {
    const code = String(frame.code ?? '');
    const topic = typeof frame.ref === 'string' ? this.topics.get(frame.ref) : undefined;
    if (topic && TOPIC_REFUSALS.has(code)) {
      topic.markError(code);
    } else if (TOKEN_CODES.has(code)) {
      this.refreshToken = true;
    } else if (code === 'slow_consumer' && this.transport && !this.transport.bidirectional) {
      this.reopen();
    }
  }

  async refreshInBand() {
    if (!this.options.getToken || !this.transport?.bidirectional) return;
    this.refreshToken = true;
    const token = await this.token();
    if (token) this.transport?.send({ type: 'auth', token });
  }

  // --- chat, typing, read receipts -------------------------------------------

  /**
   * Sends a chat message on the order's chat. Over WebSocket when live,
   * else over REST; either way its `clientMessageId` makes a retry appear
   * once. Resolves once the server stored it.
   * @param {string} orderId
   * @param {string} text
   * @returns {Promise<{clientMessageId: string}>}
   */
  async sendMessage(orderId, text) {
    const clientMessageId = newId();
    this.stopTyping(orderId);
    const fetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    /** @type {Record<string, string>} */
    const headers = { 'content-type': 'application/json' };
    const token = await this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    /** @type {string} */
    let failure = 'unavailable';
    // A few tries with the same id (the server stores it once), then give up.
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      let response;
      try {
        const path = `/v1/orders/${encodeURIComponent(orderId)}/chat`;
        response = await fetch(this.baseUrl + path, {
          method: 'POST',
          headers,
          body: JSON.stringify({ text, clientMessageId }),
        });
      } catch {
        failure = 'network';
        continue;
      }
      if (response.ok) return { clientMessageId };
      const body = await response.json().catch(() => ({}));
      failure = body?.error?.code ?? `http_${response.status}`;
      // A refusal (4xx) will not change on a retry.
      if (response.status < 500) break;
    }
    throw new Error(failure);
  }

  /**
   * Call on every keystroke in an order's chat box: tells the others at
   * most every 300 ms that you are typing, and that you stopped 2 s after
   * the last keystroke (receivers also expire it on their own). Typing
   * travels over WebSocket only.
   * @param {string} orderId
   */
  typing(orderId) {
    const now = Date.now();
    const state = this.typists.get(orderId) ?? { sentAt: 0, stop: /** @type {any} */ (null) };
    if (now - state.sentAt >= 300) {
      state.sentAt = now;
      this.sendTyping(orderId, true);
    }
    if (state.stop) clearTimeout(state.stop);
    state.stop = setTimeout(() => this.stopTyping(orderId), 2000);
    this.typists.set(orderId, state);
  }

  /** @param {string} orderId */
  stopTyping(orderId) {
    const state = this.typists.get(orderId);
    if (!state) return;
    if (state.stop) clearTimeout(state.stop);
    this.typists.delete(orderId);
    this.sendTyping(orderId, false);
  }

  /** @param {string} orderId @param {boolean} active */
  sendTyping(orderId, active) {
    const frame = { type: 'publish', topic: `chat:${orderId}`, event: 'typing', payload: { active, ts: Date.now() } };
    if (this.transport?.bidirectional && this.isLive()) this.transport.send(frame);
  }

  /**
   * Marks the order's chat read up to `seq` (the others see a receipt).
   * @param {string} orderId
   * @param {number} seq
   */
  markRead(orderId, seq) {
    const frame = { type: 'publish', topic: `chat:${orderId}`, event: 'chat_read', payload: { seq } };
    if (this.transport?.bidirectional && this.isLive()) {
      this.transport.send(frame);
      return;
    }
    void (async () => {
      const fetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
      /** @type {Record<string, string>} */
      const headers = { 'content-type': 'application/json' };
      const token = await this.token();
      if (token) headers.authorization = `Bearer ${token}`;
      await fetch(`${this.baseUrl}/v1/orders/${encodeURIComponent(orderId)}/chat/read`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ seq }),
      }).catch(() => undefined);
    })();
  }

  /** Clears typing states whose stop was lost, when they are due. */
  /** @param {Topic} topic */
  scheduleTypingExpiry(topic) {
    if (topic.typingTimer) clearTimeout(topic.typingTimer);
    topic.typingTimer = null;
    const next = topic.nextTypingExpiry();
    if (next === undefined) return;
    topic.typingTimer = setTimeout(() => {
      topic.typingTimer = null;
      topic.expireTyping();
      this.scheduleTypingExpiry(topic);
    }, Math.max(0, next - Date.now()) + 10);
  }

  // --- other tabs ------------------------------------------------------------

  /** @param {import('./tabs.js').TabMessage} message */
  onTabMessage(message) {
    const tabs = this.tabs;
    if (!tabs) return;
    if (tabs.leader) {
      this.onFollowerMessage(message);
      return;
    }
    switch (message.kind) {
      case 'state':
        this.state = message.state;
        for (const listener of [...this.stateListeners]) listener();
        break;
      case 'frame':
        this.onFrame(message.frame);
        break;
      case 'view': {
        const topic = this.topics.get(message.topic);
        if (message.to === tabs.tab && topic && message.position && !topic.positioned) {
          topic.restore(message.position, message.order, message.feed, message.messages);
          if (message.status === 'live' || message.status === 'final') topic.status = message.status;
          topic.changed();
        }
        break;
      }
      case 'leader':
        // A new leader: tell it what this tab watches.
        for (const name of this.topics.keys()) tabs.post({ kind: 'watch', tab: tabs.tab, topic: name });
        break;
      default:
        break;
    }
  }

  /** The leader's side: other tabs' watches and mutations. */
  /** @param {import('./tabs.js').TabMessage} message */
  onFollowerMessage(message) {
    const tabs = /** @type {TabCoordinator} */ (this.tabs);
    switch (message.kind) {
      case 'watch': {
        const watchers = this.remote.get(message.topic) ?? new Set();
        watchers.add(message.tab);
        this.remote.set(message.topic, watchers);
        tabs.post({ kind: 'state', tab: tabs.tab, state: this.state });
        const topic = this.topics.get(message.topic);
        if (!topic) {
          const created = this.newTopic(message.topic);
          this.topics.set(message.topic, created);
          this.restore(created);
          this.subscribeOnWire(created);
        } else if (topic.positioned) {
          tabs.post({
            kind: 'view',
            tab: tabs.tab,
            to: message.tab,
            topic: topic.name,
            position: topic.position(),
            order: topic.order,
            feed: topic.feed,
            messages: topic.messages,
            status: topic.status,
          });
        }
        break;
      }
      case 'unwatch':
      case 'bye': {
        const names = message.kind === 'unwatch' ? [message.topic] : [...this.remote.keys()];
        for (const name of names) {
          const watchers = this.remote.get(name);
          watchers?.delete(message.tab);
          if (watchers && watchers.size === 0) this.remote.delete(name);
          const topic = this.topics.get(name);
          if (topic && topic.watchers.size === 0 && !this.remote.has(name)) this.drop(topic);
        }
        break;
      }
      case 'mutate':
        if (this.transport?.bidirectional && this.isLive()) this.transport.send(message.frame);
        break;
      default:
        break;
    }
  }

  // --- optimistic mutations -----------------------------------------------

  /**
   * A customer action (`cancel`, `change_instructions`), applied locally at
   * once and confirmed, or rolled back with the reason. Retries reuse the
   * same `clientMutationId`, so the server applies it once.
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} [args]
   * @returns {Promise<{state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string}>}
   */
  mutate(orderId, action, args = {}) {
    const { clientMutationId } = this.ledger.begin(orderId, action, args, Date.now());
    this.topics.get(`order:${orderId}`)?.changed();
    const frame = { type: 'mutate', clientMutationId, topic: `order:${orderId}`, action, args };
    return new Promise((resolve) => {
      this.inflight.set(clientMutationId, { resolve, frame });
      const timeoutMs = this.options.mutationTimeoutMs ?? 10000;
      setTimeout(() => this.settle(clientMutationId, { state: 'rolled_back', code: 'timeout', reason: 'no answer in time' }), timeoutMs);
      if (this.transport?.bidirectional && this.isLive()) {
        this.transport.send(frame);
      } else if (this.isFollower() && this.isLive() && transportOf(this.state) === 'websocket') {
        this.tabs?.post({ kind: 'mutate', tab: this.tabs.tab, frame });
      } else {
        void this.mutateOverRest(orderId, action, args, clientMutationId);
      }
    });
  }

  /**
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} args
   * @param {string} clientMutationId
   */
  async mutateOverRest(orderId, action, args, clientMutationId) {
    const fetch = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    while (this.inflight.has(clientMutationId)) {
      try {
        /** @type {Record<string, string>} */
        const headers = { 'content-type': 'application/json', 'idempotency-key': clientMutationId };
        const token = await this.token();
        if (token) headers.authorization = `Bearer ${token}`;
        const path = `/v1/orders/${encodeURIComponent(orderId)}/actions/${encodeURIComponent(action)}`;
        const response = await fetch(this.baseUrl + path, { method: 'POST', headers, body: JSON.stringify(args) });
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          this.settle(clientMutationId, { state: 'confirmed', seq: body?.event?.seq });
        } else if (response.status < 500) {
          this.settle(clientMutationId, {
            state: 'rolled_back',
            code: body?.error?.code ?? `http_${response.status}`,
            reason: body?.error?.message ?? response.statusText,
          });
        }
        if (response.status < 500) return;
      } catch {
        // The network: retry with the same key.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /**
   * @param {string} clientMutationId
   * @param {{state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string}} outcome
   */
  settle(clientMutationId, outcome) {
    const pending = this.inflight.get(clientMutationId);
    if (!pending) return;
    this.inflight.delete(clientMutationId);
    if (outcome.state === 'confirmed') this.ledger.ack(clientMutationId, outcome.seq ?? 0);
    else this.ledger.reject(clientMutationId, outcome.code ?? 'rejected', outcome.reason ?? '');
    const frame = /** @type {any} */ (pending.frame);
    const topic = this.topics.get(frame.topic);
    // The event may have come before its ack: settle against the view now.
    if (topic?.order) this.ledger.settle(topic.order);
    topic?.changed();
    pending.resolve(outcome);
  }
}

/** A client mutation id (randomUUID needs a secure context). */
function newId() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** @param {string | number} code */
function isAuthRefusal(code) {
  return code === 4001 || code === 4004 || code === 401;
}

const VIEWS_KEY = 'trackwire.views.v1';

/**
 * @param {Pick<Storage, 'getItem'> | null} storage
 * @param {string} topic
 */
function readView(storage, topic) {
  try {
    const views = JSON.parse(storage?.getItem(VIEWS_KEY) ?? '{}');
    return views[topic] ?? null;
  } catch {
    return null;
  }
}

/** Most order views kept across reloads. */
const MAX_VIEWS = 50;

/**
 * @param {Pick<Storage, 'getItem' | 'setItem'> | null} storage
 * @param {string} topic
 * @param {unknown} view
 */
function writeView(storage, topic, view) {
  if (!storage) return;
  try {
    const views = JSON.parse(storage.getItem(VIEWS_KEY) ?? '{}');
    delete views[topic];
    views[topic] = view;
    const names = Object.keys(views);
    for (const name of names.slice(0, Math.max(0, names.length - MAX_VIEWS))) delete views[name];
    storage.setItem(VIEWS_KEY, JSON.stringify(views));
  } catch {
    // Storage full or unavailable: the next load starts from a snapshot.
  }
}
