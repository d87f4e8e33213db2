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
 *
 * The parts it coordinates: transport-chain.js (making transports, falling
 * back, probing back up), reconnect.js (what a close code means),
 * resume.js (where each topic resumes from), tokens.js (the token
 * provider, refusals, whose tab this is), chat.js, mutation-requests.js,
 * tab-sharing.js and reload-store.js.
 *
 * Before it connects it asks the token provider once, to learn whose tab
 * this is: tabs share a connection, and a reload its stored views, only
 * within one identity.
 */

import { ChatSender, scheduleTypingExpiry } from './chat.js';
import { FeedCompletion, inFeed } from './feed.js';
import { ANONYMOUS } from './identity.js';
import { Heartbeat } from './heartbeat.js';
import { MutationRequests } from './mutation-requests.js';
import { Outage, isAuthRefusal, isTokenError } from './reconnect.js';
import { ReloadStore } from './reload-store.js';
import { streamSession, subscribeFrame } from './resume.js';
import { initialState, transition, transportOf } from './state.js';
import { TabSharing, tabGroupName } from './tab-sharing.js';
import { canShareTabs } from './tabs.js';
import { Tokens } from './tokens.js';
import { Topic } from './topic.js';
import { TransportChain } from './transport-chain.js';

/** @typedef {import('./state.js').ConnectionState} ConnectionState */
/** @typedef {import('./state.js').Transport} TransportName */
/** @typedef {import('./topic.js').TopicSnapshot} TopicSnapshot */
/** @typedef {import('./transports/types.js').CloseInfo} CloseInfo */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */
/** @typedef {import('./pipeline.js').Envelope} Envelope */
/** @typedef {import('./identity.js').Identity} Identity */

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
 * @property {boolean} [shareTabs] one connection for the tabs of this
 *   origin that are the same identity (default: where Web Locks and
 *   BroadcastChannel exist)
 */

/** Frames about the connection itself, not a topic. */
const CONNECTION_FRAMES = new Set(['authenticated', 'auth_expiring', 'reconnect', 'pong']);

/** Refusals of one topic: do not ask again. */
const TOPIC_REFUSALS = new Set(['forbidden', 'order_not_found', 'unknown_topic', 'not_found']);

/** The reason of a state while the browser says the network is gone. */
const OFFLINE = 'offline';

/** True when the browser says there is no network. */
function browserOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

export class TrackwireClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    const origin = typeof location !== 'undefined' ? location.origin : '';
    this.baseUrl = (options.url ?? origin).replace(/\/$/, '');
    this.options = options;
    this.chain = new TransportChain({ ...options, baseUrl: this.baseUrl });
    this.telemetry = options.telemetry ?? {};
    const storage =
      options.storage !== undefined ? options.storage : typeof sessionStorage !== 'undefined' ? sessionStorage : null;
    this.reloadStore = new ReloadStore(storage);
    /** @type {ConnectionState} */
    this.state = initialState();
    /** @type {Set<() => void>} */
    this.stateListeners = new Set();
    /** @type {Map<string, Topic>} */
    this.topics = new Map();
    const api = { baseUrl: this.baseUrl, fetch: options.fetch, token: () => this.restToken() };
    this.mutations = new MutationRequests(
      {
        ...api,
        deliver: (frame) => this.deliverMutation(frame),
        topic: (name) => this.topics.get(name),
      },
      options.mutationTimeoutMs ?? 10000,
    );
    this.chat = new ChatSender({ ...api, sendLive: (frame) => this.sendLive(frame) });
    this.feedCompletion = new FeedCompletion(api);
    this.tokens = new Tokens(options.getToken, {
      onIdentity: (identity) => this.switchIdentity(identity),
      onExpired: () => this.close('session_expired'),
    });
    if (!options.getToken) {
      // No tokens: the server's development identity, known at once, so a
      // stored view shows before any network.
      this.tokens.identity = ANONYMOUS;
      this.reloadStore.setIdentity(ANONYMOUS.key);
    }
    /** A token fetch for the connection failed (not the transport). */
    this.tokenFailed = false;
    this.outage = new Outage();
    /** The browser was online when this attempt began. */
    this.openedOnline = true;
    /** @type {any} */
    this.transport = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    this.reopenQueued = false;
    this.degradedSince = 0;
    this.heartbeat = new Heartbeat(options.heartbeatMs ?? 25000, {
      ping: () => this.transport?.send({ type: 'ping' }),
      dead: () => this.lost({ code: 4010, reason: 'heartbeat timeout', opened: true }),
    });
    this.shareTabs = options.shareTabs ?? canShareTabs();
    /** @type {TabSharing | null} this identity's tabs, once known */
    this.tabs = null;
    /** Learning whose tab this is, before connecting. */
    this.starting = false;
    this.onWake = () => this.checkLiveness();
    this.onOffline = () => this.wentOffline();
    if (typeof addEventListener === 'function') {
      addEventListener('online', this.onWake);
      addEventListener('offline', this.onOffline);
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
      // Stored views are restored once the identity is known (start()).
      if (this.tokens.identity) this.reloadStore.restore(owned);
      if (this.state.status === 'idle') this.connect();
      this.subscribeOnWire(owned);
      if (this.isFollower()) this.tabs?.announceWatch(name);
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
    return this.mutations.ledger.overlay(snapshot.order);
  }

  /** Outcomes of this order's mutations (pending, confirmed, rolled back). */
  mutationOutcomes() {
    return this.mutations.ledger.outcomes;
  }

  // --- connection --------------------------------------------------------

  connect() {
    if (this.state.status === 'closed') this.setState(transition(this.state, { type: 'reset' }));
    // Already connecting, connected, waiting to retry, or in a tab group.
    if (this.starting || this.tabs || this.transport || this.retryTimer) return;
    void this.start();
  }

  /** Learns whose tab this is, then joins that identity's tabs or connects. */
  async start() {
    this.starting = true;
    /** @type {Identity | null} */
    let identity = null;
    try {
      identity = await this.tokens.current();
    } catch {
      // The provider failed: connect alone; the connection asks it again.
    }
    this.starting = false;
    // Closed meanwhile, or already joined (a change of identity did).
    if (this.state.status === 'closed' || this.tabs || this.transport) return;
    if (identity) this.adopt(identity);
    else this.open();
  }

  /**
   * From now on this tab is `identity`: its stored views, its tab group.
   * @param {Identity} identity
   */
  adopt(identity) {
    this.tokens.identity = identity;
    this.reloadStore.setIdentity(identity.key);
    for (const topic of this.topics.values()) if (!topic.positioned) this.reloadStore.restore(topic);
    if (!this.shareTabs || !identity.shareable) {
      this.open();
      return;
    }
    // The connection is the leader tab's; this tab may become it.
    this.tabs = new TabSharing(tabGroupName(this.baseUrl, identity.key), this.tabHost());
    this.tabs.start();
    for (const name of this.topics.keys()) this.tabs.announceWatch(name);
  }

  /** @returns {import('./tab-sharing.js').TabHost} */
  tabHost() {
    return {
      topics: this.topics,
      getState: () => this.state,
      setState: (state) => this.setState(state),
      onFrame: (frame) => this.onFrame(frame),
      watchForTab: (name) => {
        const created = this.newTopic(name);
        this.topics.set(name, created);
        this.reloadStore.restore(created);
        this.subscribeOnWire(created);
      },
      drop: (topic) => this.drop(topic),
      sendLive: (frame) => this.sendLive(frame),
      onLeader: () => this.becameLeader(),
    };
  }

  /**
   * The app's user signed in or out, or as somebody else: call it then.
   * The client asks the token provider at once; a token of another
   * identity makes this tab leave the old identity's tabs, drop what it
   * showed of it, and connect as the new one. (The client also notices on
   * its own, at the next token it asks for.)
   */
  reauthenticate() {
    if (!this.options.getToken || !this.tokens.identity) return;
    void this.tokens.ask(false).then(
      (token) => {
        // The same person with a new token: a live WebSocket takes it in band.
        if (token && this.transport?.bidirectional && this.isLive()) this.transport.send({ type: 'auth', token });
      },
      () => {},
    );
  }

  /**
   * A token of another identity came: leave the old identity's tabs at
   * once, forget what it saw, and connect as the new one.
   * @param {Identity} identity
   */
  switchIdentity(identity) {
    this.tabs?.stop();
    this.tabs = null;
    this.clearTimers();
    this.heartbeat.stop();
    const transport = this.transport;
    this.transport = null;
    transport?.close(1000, 'signed in as somebody else');
    this.tokens.identity = identity;
    this.tokens.accepted();
    this.outage.reset();
    for (const topic of this.topics.values()) topic.reset();
    this.mutations.abandon('identity_changed', 'signed in as somebody else');
    if (this.state.status === 'closed') return;
    this.setState(transition(this.state, { type: 'lost', reason: 'signed in as somebody else', attempt: 0, retryAt: Date.now() }));
    this.adopt(identity);
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
    this.tabs = null;
    this.clearTimers();
    this.heartbeat.stop();
    this.transport?.close(1000, 'normal');
    this.transport = null;
    this.setState(transition(this.state, { type: 'close', reason }));
    if (typeof removeEventListener === 'function') {
      removeEventListener('online', this.onWake);
      removeEventListener('offline', this.onOffline);
      removeEventListener('visibilitychange', this.onWake);
    }
  }

  open() {
    this.clearTimers();
    const name = this.chain.current;
    this.setState(transition(this.state, { type: 'connect', transport: name, attempt: this.outage.attempt }));
    const transport = this.chain.make(name);
    this.transport = transport;
    this.openedOnline = !browserOffline();
    transport.open(this.handlersFor(transport), this.session());
  }

  /** What a one-way transport carries: the wanted topics and positions. */
  /** @returns {TransportSession} */
  session() {
    return streamSession(this.topics, () => this.token());
  }

  /**
   * The token for the connection (fresh after a refusal). A provider that
   * fails is not a transport that fails: the client then retries, and does
   * not fall back.
   * @returns {Promise<string | null>}
   */
  async token() {
    try {
      return await this.tokens.forConnection();
    } catch (error) {
      this.tokenFailed = true;
      throw error;
    }
  }

  /** The token for a REST call (tokens.js). */
  restToken() {
    return this.tokens.forRest();
  }

  /** @param {any} transport */
  handlersFor(transport) {
    const current = () => this.transport === transport;
    return {
      onOpen: () => current() && void this.opened(transport),
      onFrame: (/** @type {any} */ frame) => {
        if (!current()) return;
        this.onFrame(frame);
        if (this.tabs?.leader) this.tabs.shareFrame(frame);
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
      let token;
      try {
        token = await this.token();
      } catch (error) {
        if (this.transport === transport) this.lost({ code: 0, reason: `no token: ${error}`, opened: true });
        return;
      }
      if (this.transport !== transport || this.state.status === 'closed') return;
      if (token) {
        transport.send({ type: 'auth', token });
        return; // live once `authenticated` comes
      }
    }
    this.becameLive();
  }

  becameLive() {
    const now = Date.now();
    this.outage.live(now);
    this.tokens.accepted();
    this.setState(transition(this.state, { type: 'authenticated', now }));
    if (this.chain.onFallback) {
      const reason = this.chain.fallbackReason();
      this.setState(transition(this.state, { type: 'degrade', reason, now }));
      this.degradedSince = now;
      this.chain.scheduleProbe(() => void this.probe());
    }
    if (this.transport?.bidirectional) {
      for (const topic of this.topics.values()) this.subscribeOnWire(topic);
      this.mutations.resend((frame) => this.transport.send(frame));
    }
  }

  /** @param {CloseInfo} info */
  lost(info) {
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    this.heartbeat.stop();
    this.outage.lost(Date.now());
    if (this.state.status === 'closed') return;
    const code = info.code;
    const tokenFailed = this.tokenFailed;
    this.tokenFailed = false;
    if (isAuthRefusal(code)) {
      this.tokenRefused(info);
      return;
    }
    // A transport that never opened, on a server that answers, is blocked
    // on the way: fall back at once. A server that does not answer is
    // down: keep the transport and retry with backoff. One that failed
    // while the browser was offline says nothing of the way.
    const online = this.openedOnline && !browserOffline();
    if (!info.opened && !tokenFailed && online && this.chain.canFallBack()) {
      void this.chain.serverAnswers().then((answers) => {
        if (this.state.status === 'closed' || this.transport) return;
        if (answers) {
          this.telemetry.onTransportChange?.({ from: this.chain.current, to: this.chain.next });
          this.chain.fallBack();
          this.open();
        } else {
          this.retryLater({ ...info, opened: true, reason: info.reason || 'the server does not answer' });
        }
      });
      return;
    }
    this.retryLater(info);
  }

  /**
   * The server refused the token (a close code, a refused stream, an
   * `error` frame): reconnect at once with a fresh one, or, when that one
   * was refused too or there is none, the session is over.
   * @param {CloseInfo} info
   */
  tokenRefused(info) {
    if (!this.tokens.refused()) {
      this.close('session_expired');
      return;
    }
    this.retryLater({ ...info, code: 4009, reason: info.reason || `token refused (${info.code})` });
  }

  /** @param {CloseInfo} info */
  retryLater(info) {
    const code = info.code;
    const plan = this.outage.next(code, Date.now(), this.options.backoff);
    if (plan.stop) {
      this.close('forbidden');
      return;
    }
    const delayMs = plan.delayMs;
    const attempt = this.outage.attempt;
    const reason = browserOffline() ? OFFLINE : info.reason || `closed (${code})`;
    this.telemetry.onReconnectAttempt?.({ attempt, delayMs, reason });
    this.endDegraded();
    this.setState(
      transition(this.state, { type: 'lost', reason, attempt, retryAt: Date.now() + delayMs }),
    );
    this.clearTimers();
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  /**
   * The browser says the network is gone: nothing can arrive now, whatever
   * the socket says (it may not notice for minutes), so the link is given
   * up at once and the state says `reconnecting {reason: 'offline'}`.
   * Retries go on (a server on this machine may still answer); back
   * online, one starts at once and resubscribes from where each topic is.
   */
  wentOffline() {
    if (this.isFollower() || !this.transport) return;
    this.lost({ code: 0, reason: OFFLINE, opened: true });
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

  /** On a fallback: does the best transport work again? */
  async probe() {
    if (!this.chain.onFallback || !this.transport) return;
    const works = await this.chain.bestOpens(this.session());
    if (works && this.transport) {
      this.telemetry.onTransportChange?.({ from: this.chain.current, to: this.chain.best });
      this.transport.close();
      this.transport = null;
      this.heartbeat.stop();
      this.endDegraded();
      this.chain.backToBest();
      // Through `reconnecting` for a moment: the state machine only
      // connects from there, and the switch is a reconnect.
      const reason = `moving to ${this.chain.best}`;
      this.setState(transition(this.state, { type: 'lost', reason, attempt: 0, retryAt: Date.now() }));
      this.open();
    } else {
      this.chain.scheduleProbe(() => void this.probe());
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
    this.retryTimer = null;
    this.chain.cancelProbe();
  }

  /** @param {ConnectionState} next */
  setState(next) {
    if (next === this.state) return;
    this.state = next;
    if (this.tabs?.leader) this.tabs.shareState(next);
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
      onUnknownOrder: (id) => {
        const feed = this.topics.get('orders');
        if (feed) void this.feedCompletion.missing(feed, id);
      },
    });
  }

  /** @param {Topic} topic */
  subscribeOnWire(topic) {
    if (!topic.wanted() || !this.transport || !this.isLive()) return;
    if (!this.transport.bidirectional) {
      this.reopen();
      return;
    }
    this.transport.send(subscribeFrame(topic));
  }

  /** @param {Topic} topic */
  drop(topic) {
    if (this.tabs?.watchedElsewhere(topic.name)) return; // another tab still watches it
    this.topics.delete(topic.name);
    if (this.isFollower()) {
      this.tabs?.announceUnwatch(topic.name);
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

  /**
   * Sends a frame over a live two-way transport.
   * @param {object} frame
   * @returns {boolean} false when there is none
   */
  sendLive(frame) {
    if (!this.transport?.bidirectional || !this.isLive()) return false;
    // False while the socket is closing: the caller goes over REST instead.
    return this.transport.send(frame);
  }

  /**
   * A mutation's way over a live connection: this tab's two-way transport,
   * or the leader tab's WebSocket.
   * @param {object} frame
   * @returns {boolean} false when there is neither (REST then)
   */
  deliverMutation(frame) {
    if (this.sendLive(frame)) return true;
    if (!this.isFollower() || !this.isLive() || transportOf(this.state) !== 'websocket') return false;
    this.tabs?.forwardMutation(frame);
    return true;
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
        if (topic) this.reloadStore.persist(topic);
        if (topic?.kind === 'feed') void this.feedCompletion.complete(topic);
        break;
      case 'subscribed':
        if (topic) {
          topic.applySubscribed(frame);
          this.reloadStore.persist(topic);
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
        this.mutations.settle(frame.clientMutationId, { state: 'confirmed', seq: frame.seq });
        break;
      case 'reject':
        this.mutations.settle(frame.clientMutationId, { state: 'rolled_back', code: frame.code, reason: frame.message });
        break;
      case 'auth_expiring':
        void this.refreshInBand();
        break;
      case 'reconnect':
        this.outage.serverAfterMs = Number(frame.afterMs) || 0;
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
    const targets = [this.topics.get(envelope.topic), inFeed(envelope) ? this.topics.get('orders') : undefined];
    for (const topic of targets) {
      if (!topic) continue;
      if (!topic.applyEvent(envelope)) this.resync(topic);
      if (envelope.type === 'typing') scheduleTypingExpiry(topic);
      else if (envelope.seq !== undefined) this.reloadStore.persist(topic);
      if (topic.kind === 'order' && topic.order) this.mutations.ledger.settle(topic.order);
    }
  }

  /** @param {any} frame */
  onError(frame) {
    const code = String(frame.code ?? '');
    const topic = typeof frame.ref === 'string' ? this.topics.get(frame.ref) : undefined;
    if (topic && TOPIC_REFUSALS.has(code)) {
      topic.markError(code);
    } else if (isTokenError(code)) {
      // Refused in band (a server that lets the connection stay, as the
      // demo does, would otherwise leave it authenticating for ever).
      if (this.transport && this.state.status === 'authenticating') {
        this.lost({ code: 4001, reason: `token refused (${code})`, opened: true });
      } else {
        this.tokens.refreshDue = true;
      }
    } else if (code === 'slow_consumer' && this.transport && !this.transport.bidirectional) {
      this.reopen();
    }
  }

  async refreshInBand() {
    if (!this.options.getToken || !this.transport?.bidirectional) return;
    // None to be had yet: the server says when the old one lapses.
    const token = await this.tokens.ask(true).catch(() => null);
    if (token) this.transport?.send({ type: 'auth', token });
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
    return this.chat.sendMessage(orderId, text);
  }

  /**
   * Call on every keystroke in an order's chat box: tells the others at
   * most every 300 ms that you are typing, and that you stopped 2 s after
   * the last keystroke (receivers also expire it on their own). Over a
   * live WebSocket, else over REST.
   * @param {string} orderId
   */
  typing(orderId) {
    this.chat.typing(orderId);
  }

  /** @param {string} orderId */
  stopTyping(orderId) {
    this.chat.stopTyping(orderId);
  }

  /**
   * Marks the order's chat read up to `seq` (the others see a receipt).
   * @param {string} orderId
   * @param {number} seq
   */
  markRead(orderId, seq) {
    this.chat.markRead(orderId, seq);
  }

  // --- optimistic mutations (mutation-requests.js) ---------------------------

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
    return this.mutations.send(orderId, action, args);
  }
}
