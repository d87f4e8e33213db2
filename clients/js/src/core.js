// @ts-check
/**
 * What is behind `TrackwireClient` (client.js, which keeps it private):
 * the watched topics and their subscriptions on the wire, whose tab this
 * is and which tabs share its connection, and the parts it wires
 * together: the link (link.js: transport, state, reconnects), the frames'
 * router (frames.js), the token provider (tokens.js), chat, mutations, the
 * feed's completion and the stored views of a reload.
 *
 * Before it connects it asks the token provider once, to learn whose tab
 * this is: tabs share a connection, and a reload its stored views, only
 * within one identity.
 */

import { ChatSender } from './chat.js';
import { FeedCompletion } from './feed.js';
import { FreshnessReporter, telemetrySender } from './freshness.js';
import { routeFrame } from './frames.js';
import { ANONYMOUS } from './identity.js';
import { Link } from './link.js';
import { MutationRequests } from './mutation-requests.js';
import { ReloadStore } from './reload-store.js';
import { fetchOrGlobal } from './rest.js';
import { subscribeFrame } from './resume.js';
import { transition, transportOf } from './state.js';
import { TabSharing, tabGroupName } from './tab-sharing.js';
import { canShareTabs } from './tabs.js';
import { Tokens } from './tokens.js';
import { Topic } from './topic.js';

/** @typedef {import('./client.js').ClientOptions} ClientOptions */
/** @typedef {import('./client.js').Telemetry} Telemetry */
/** @typedef {import('./client.js').Watch} Watch */
/** @typedef {import('./identity.js').Identity} Identity */

export class ClientCore {
  /** @param {ClientOptions} options */
  constructor(options) {
    const origin = typeof location !== 'undefined' ? location.origin : '';
    this.baseUrl = (options.url ?? origin).replace(/\/$/, '');
    this.options = options;
    const app = options.telemetry ?? {};
    /** @type {FreshnessReporter | null} this client's freshness, reported (freshness.js) */
    this.freshness = null;
    /** @type {Telemetry} the app's hooks, with the freshness report's */
    this.telemetry = {
      ...app,
      onDegraded: (info) => {
        this.freshness?.degraded(info.durationMs);
        app.onDegraded?.(info);
      },
    };
    const storage =
      options.storage !== undefined ? options.storage : typeof sessionStorage !== 'undefined' ? sessionStorage : null;
    this.reloadStore = new ReloadStore(storage);
    /** @type {Map<string, Topic>} */
    this.topics = new Map();
    this.tokens = new Tokens(options.getToken, {
      onIdentity: (identity) => this.switchIdentity(identity),
      onExpired: () => this.close('session_expired'),
    });
    this.link = new Link({ ...options, baseUrl: this.baseUrl, telemetry: this.telemetry }, this.tokens, {
      topics: this.topics,
      received: (frame) => {
        routeFrame(this, frame);
        if (this.tabs?.leader) this.tabs.shareFrame(frame);
      },
      resubscribe: (transport) => {
        for (const topic of this.topics.values()) this.subscribeOnWire(topic);
        this.mutations.resend((frame) => transport.send(frame));
      },
      stateChanged: (state) => {
        if (this.tabs?.leader) this.tabs.shareState(state);
      },
      isFollower: () => this.isFollower(),
      close: (reason) => this.close(reason),
    });
    const api = { baseUrl: this.baseUrl, fetch: options.fetch, token: () => this.tokens.forRest() };
    this.mutations = new MutationRequests(
      {
        ...api,
        deliver: (frame) => this.deliverMutation(frame),
        topic: (name) => this.topics.get(name),
      },
      options.mutationTimeoutMs ?? 10000,
    );
    this.chat = new ChatSender({ ...api, sendLive: (frame) => this.link.sendLive(frame) });
    this.feedCompletion = new FeedCompletion(api);
    if (options.reportFreshness !== false) {
      const send = telemetrySender({
        baseUrl: this.baseUrl,
        fetch: (url, init) => fetchOrGlobal(options.fetch)(url, init),
        token: () => this.tokens.forRest(),
      });
      this.freshness = new FreshnessReporter(send, options.freshness);
    }
    if (!options.getToken) {
      // No tokens: the server's development identity, known at once, so a
      // stored view shows before any network.
      this.tokens.identity = ANONYMOUS;
      this.reloadStore.setIdentity(ANONYMOUS.key);
    }
    this.shareTabs = options.shareTabs ?? canShareTabs();
    /** @type {TabSharing | null} this identity's tabs, once known */
    this.tabs = null;
    /** Learning whose tab this is, before connecting. */
    this.starting = false;
  }

  /**
   * @param {string} name
   * @param {() => void} listener
   * @returns {Watch}
   */
  watch(name, listener) {
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
      if (this.link.state.status === 'idle') this.connect();
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

  // --- whose tab this is ---------------------------------------------------

  connect() {
    this.freshness?.start();
    const link = this.link;
    if (link.state.status === 'closed') link.setState(transition(link.state, { type: 'reset' }));
    // Already connecting, connected, waiting to retry, or in a tab group.
    if (this.starting || this.tabs || link.transport || link.retryTimer) return;
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
    if (this.link.state.status === 'closed' || this.tabs || this.link.transport) return;
    if (identity) this.adopt(identity);
    else this.link.open();
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
      this.link.open();
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
      getState: () => this.link.state,
      setState: (state) => this.link.setState(state),
      onFrame: (frame) => routeFrame(this, frame),
      watchForTab: (name) => {
        const created = this.newTopic(name);
        this.topics.set(name, created);
        this.reloadStore.restore(created);
        this.subscribeOnWire(created);
      },
      drop: (topic) => this.drop(topic),
      sendLive: (frame) => this.link.sendLive(frame),
      onLeader: () => this.becameLeader(),
    };
  }

  /** The app's user signed in or out, or as somebody else (client.js). */
  reauthenticate() {
    if (!this.options.getToken || !this.tokens.identity) return;
    void this.tokens.ask(false).then(
      (token) => {
        // The same person with a new token: a live WebSocket takes it in band.
        const transport = this.link.transport;
        if (token && transport?.bidirectional && this.link.isLive()) transport.send({ type: 'auth', token });
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
    this.link.release('signed in as somebody else');
    this.tokens.identity = identity;
    this.tokens.accepted();
    this.link.outage.reset();
    for (const topic of this.topics.values()) topic.reset();
    this.mutations.abandon('identity_changed', 'signed in as somebody else');
    const link = this.link;
    if (link.state.status === 'closed') return;
    link.setState(transition(link.state, { type: 'lost', reason: 'signed in as somebody else', attempt: 0, retryAt: Date.now() }));
    this.adopt(identity);
  }

  /** True in a tab that shares another tab's connection. */
  isFollower() {
    return this.tabs !== null && !this.tabs.leader;
  }

  becameLeader() {
    if (this.link.state.status === 'closed') return;
    this.link.open();
  }

  /** Closes for good: no reconnect. */
  close(reason = 'closed by the app') {
    this.freshness?.pause();
    this.tabs?.stop();
    this.tabs = null;
    this.link.close(reason);
  }

  // --- topics on the wire --------------------------------------------------

  /** @param {string} name */
  newTopic(name) {
    return new Topic(name, {
      now: () => Date.now(),
      onDuplicate: (topic, envelope) => this.telemetry.onDuplicate?.({ topic, id: envelope.id }),
      onGap: (topic) => this.telemetry.onGap?.({ topic }),
      onInvalid: (topic, reason) => this.telemetry.onValidationFailure?.({ topic, reason }),
      onLag: (topic, lagMs) => {
        this.freshness?.lag(lagMs);
        this.telemetry.onLag?.({ topic, lagMs });
      },
      onUnknownOrder: (id) => {
        const feed = this.topics.get('orders');
        if (feed) void this.feedCompletion.missing(feed, id);
      },
    });
  }

  /** @param {Topic} topic */
  subscribeOnWire(topic) {
    const transport = this.link.transport;
    if (!topic.wanted() || !transport || !this.link.isLive()) return;
    if (!transport.bidirectional) {
      this.link.reopen();
      return;
    }
    transport.send(subscribeFrame(topic));
  }

  /** @param {Topic} topic */
  drop(topic) {
    if (this.tabs?.watchedElsewhere(topic.name)) return; // another tab still watches it
    this.topics.delete(topic.name);
    if (this.isFollower()) {
      this.tabs?.announceUnwatch(topic.name);
      return;
    }
    const transport = this.link.transport;
    if (transport?.bidirectional && this.link.isLive() && topic.wanted()) {
      transport.send({ type: 'unsubscribe', topic: topic.name });
    } else if (transport && !transport.bidirectional) {
      this.link.reopen();
    }
  }

  /**
   * A gap: ask for the topic again from the last applied position.
   * @param {Topic} topic
   */
  resync(topic) {
    const transport = this.link.transport;
    if (transport?.bidirectional) {
      transport.send({ type: 'unsubscribe', topic: topic.name });
      this.subscribeOnWire(topic);
    } else {
      this.link.reopen();
    }
  }

  /**
   * A mutation's way over a live connection: this tab's two-way transport,
   * or the leader tab's WebSocket.
   * @param {object} frame
   * @returns {boolean} false when there is neither (REST then)
   */
  deliverMutation(frame) {
    if (this.link.sendLive(frame)) return true;
    if (!this.isFollower() || !this.link.isLive() || transportOf(this.link.state) !== 'websocket') return false;
    this.tabs?.forwardMutation(frame);
    return true;
  }

  /** The server says the token lapses soon: a fresh one, in band. */
  async refreshInBand() {
    if (!this.options.getToken || !this.link.transport?.bidirectional) return;
    // None to be had yet: the server says when the old one lapses.
    const token = await this.tokens.ask(true).catch(() => null);
    if (token) this.link.transport?.send({ type: 'auth', token });
  }
}
