// @ts-check
/**
 * One watched topic: its pipeline (validate, dedupe, reorder, gaps), its
 * view (an order, the tenant's order feed, or a chat) and its watchers.
 * Frames come in from any transport; what comes out is a new immutable
 * snapshot for the UI, with a stable identity between changes (what
 * React's useSyncExternalStore needs).
 */

import { TopicPipeline } from './pipeline.js';
import { mergeOrders } from './feed.js';
import { applyEvent, emptyOrder, fromSnapshot } from './order-state.js';

/** @typedef {import('./pipeline.js').Envelope} Envelope */
/** @typedef {import('./pipeline.js').Position} Position */
/** @typedef {import('./order-state.js').OrderView} OrderView */

/**
 * @typedef {'loading' | 'live' | 'final' | 'error'} TopicStatus
 *   `loading` until the first snapshot or replay; `final` once the order
 *   is delivered, cancelled or returned (nothing more will come); `error`
 *   when the server refused the topic (`error` says why).
 */

/**
 * @typedef {object} FeedView
 * @property {Map<string, OrderView>} orders every order seen, by id
 * @property {number} offset
 */

/**
 * @typedef {object} ChatMessage
 * @property {number} seq
 * @property {string} text
 * @property {string} clientMessageId
 * @property {string} [from] the sender's subject
 * @property {string} [role] the sender's role
 * @property {string} at
 */

/**
 * One node's figures on the operators' `ops` topic (docs/api.md,
 * `GET /v1/ops/stats`): latest-wins per node.
 * @typedef {object} NodeFigures
 * @property {string} node the node's id
 * @property {number} ts when measured, ms since 1970
 * @property {number} uptimeSeconds
 * @property {Record<string, number>} connections open connections by transport (`ws`, `sse`, `longpoll`)
 * @property {number} deliveriesPerSecond live events written to clients per second
 * @property {number} deliveries since the node started
 * @property {number} slowConsumerCuts since the node started
 * @property {number} slowConsumerCutsRecent in the last minute
 * @property {{ code: string, recent: number, total: number }[]} refusals by code, the most in the last minute first
 * @property {{ tenant: string, topic: string, subscribers: number, perSecond: number }[]} topics the busiest on the node
 * @property {{ boundsMs: number[], counts: number[] }} clientLag clients' reported lag since start; `counts` has one more bucket, above the last bound
 */

/**
 * What a watcher sees of a topic.
 * @typedef {object} TopicSnapshot
 * @property {string} topic
 * @property {TopicStatus} status
 * @property {string | null} error the server's code when `status` is `error`
 * @property {OrderView | null} order an `order:` topic's view
 * @property {FeedView | null} feed the `orders` topic's view
 * @property {ChatMessage[] | null} messages a `chat:` topic's messages
 * @property {NodeFigures[] | null} nodes the `ops` topic's nodes, by id (operators only)
 * @property {Member[]} present who is watching (order and chat topics)
 * @property {string[]} typing who is typing now (chat topics)
 * @property {Record<string, number>} reads each participant's last read seq (chat topics)
 * @property {number} lastUpdated ms since 1970 of the last applied change (0: none yet)
 */

/**
 * @typedef {object} Member
 * @property {string} subject
 * @property {string} role
 * @property {string} since
 */

/** A typing state ends on its own when its stop is lost. */
export const TYPING_TTL_MS = 5000;

/**
 * @typedef {object} TopicHooks
 * @property {(id: string) => void} [onUnknownOrder] the feed got an event of
 *   an order it has never seen (feed.js fetches it)
 * @property {(topic: string, envelope: Envelope) => void} [onDuplicate]
 * @property {(topic: string) => void} [onGap]
 * @property {(topic: string, reason: string) => void} [onInvalid]
 * @property {(topic: string, lagMs: number) => void} [onLag]
 * @property {() => number} now
 */

export class Topic {
  /**
   * @param {string} name
   * @param {TopicHooks} hooks
   */
  constructor(name, hooks) {
    this.name = name;
    this.kind = name === 'orders' ? 'feed' : name === 'ops' ? 'ops' : name.startsWith('chat:') ? 'chat' : 'order';
    this.hooks = hooks;
    this.pipeline = new TopicPipeline({ topic: name, by: this.kind === 'feed' ? 'offset' : 'seq' });
    /** @type {Set<() => void>} */
    this.watchers = new Set();
    /** @type {TopicStatus} */
    this.status = 'loading';
    /** @type {string | null} */
    this.error = null;
    /** Known to the server (a snapshot or `subscribed` came). */
    this.positioned = false;
    /** @type {OrderView | null} */
    this.order = this.kind === 'order' ? emptyOrder(name.slice('order:'.length)) : null;
    /** @type {FeedView | null} */
    this.feed = this.kind === 'feed' ? { orders: new Map(), offset: 0 } : null;
    /** @type {Set<string>} the feed's orders the last snapshot did not hold (feed.js) */
    this.unlisted = new Set();
    /** The feed's map is in a snapshot handed out: copy it before a change. */
    this.feedShared = false;
    /** @type {ChatMessage[] | null} */
    this.messages = this.kind === 'chat' ? [] : null;
    /** @type {Map<string, NodeFigures> | null} the ops topic's nodes, replaced (not changed) on each update */
    this.nodes = this.kind === 'ops' ? new Map() : null;
    this.lastUpdated = 0;
    /** @type {Member[]} */
    this.present = [];
    /** @type {Map<string, number>} subject → when their typing expires */
    this.typing = new Map();
    /** @type {Record<string, number>} */
    this.reads = {};
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.typingTimer = null;
    /** @type {TopicSnapshot | null} */
    this.cached = null;
  }

  /**
   * Forgets everything (the tab is somebody else's now): the watchers see
   * a topic that knows nothing, until the new identity's server answers.
   */
  reset() {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    const watchers = this.watchers;
    Object.assign(this, new Topic(this.name, this.hooks));
    this.watchers = watchers;
    this.changed();
  }

  /** @param {Member[]} members a `presence` frame's snapshot */
  applyPresence(members) {
    this.present = Array.isArray(members) ? members : [];
    this.changed();
  }

  /** Drops typing states past their time; true when any was dropped. */
  expireTyping(now = this.hooks.now()) {
    let dropped = false;
    for (const [subject, until] of this.typing) {
      if (until <= now) {
        this.typing.delete(subject);
        dropped = true;
      }
    }
    if (dropped) this.changed();
    return dropped;
  }

  /** When the next typing state expires (undefined: none). */
  nextTypingExpiry() {
    let next;
    for (const until of this.typing.values()) if (next === undefined || until < next) next = until;
    return next;
  }

  /** Where the client stands, for a resubscribe or a stream cursor. */
  position() {
    return this.positioned ? this.pipeline.position() : undefined;
  }

  /**
   * Restores a persisted view and position (a page reload resumes by
   * `since` instead of starting blind).
   * @param {Position} position
   * @param {OrderView | null} order
   * @param {FeedView | null} [feed] another tab's feed view
   * @param {ChatMessage[] | null} [messages] another tab's chat
   */
  restore(position, order, feed, messages) {
    this.pipeline.reset(position);
    this.positioned = true;
    if (order && this.kind === 'order') this.order = order;
    if (feed && this.kind === 'feed') this.feed = feed;
    if (messages && this.kind === 'chat') this.messages = messages;
    this.changed();
  }

  /** @returns {TopicSnapshot} */
  snapshot() {
    if (!this.cached) {
      this.feedShared = true;
      this.cached = {
        topic: this.name,
        status: this.status,
        error: this.error,
        order: this.order,
        feed: this.feed,
        messages: this.messages,
        nodes: this.nodes ? [...this.nodes.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)) : null,
        present: this.present,
        typing: [...this.typing.keys()],
        reads: this.reads,
        lastUpdated: this.lastUpdated,
      };
    }
    return this.cached;
  }

  changed() {
    this.cached = null;
    for (const watcher of [...this.watchers]) watcher();
  }

  /**
   * A `snapshot` frame: replaces the view and the position.
   * @param {any} frame
   */
  applySnapshot(frame) {
    if (this.kind === 'order' && frame.order) {
      this.order = fromSnapshot(frame.order, this.order ?? undefined);
      this.pipeline.reset({ seq: frame.seq ?? this.order.seq, epoch: frame.epoch ?? this.order.epoch });
    } else if (this.kind === 'feed') {
      /** @type {Map<string, OrderView>} */
      const orders = new Map();
      for (const order of Array.isArray(frame.orders) ? frame.orders : []) {
        const view = fromSnapshot(order);
        orders.set(view.id, view);
      }
      // The snapshot holds the newest orders only: the others stay until
      // the REST list says whether they still are (feed.js).
      this.unlisted = new Set();
      for (const [id, view] of this.feed?.orders ?? []) {
        if (orders.has(id)) continue;
        orders.set(id, view);
        this.unlisted.add(id);
      }
      this.feed = { orders, offset: frame.offset ?? 0 };
      this.pipeline.reset({ offset: frame.offset ?? 0 });
    } else if (this.kind === 'chat') {
      this.messages = [];
      this.pipeline.reset({ seq: frame.seq ?? 0, epoch: frame.epoch ?? null });
    } else if (this.kind === 'ops') {
      this.nodes = nodesOf(frame.nodes, new Map());
    }
    this.positioned = true;
    this.settled();
    this.lastUpdated = this.hooks.now();
    this.changed();
  }

  /**
   * Orders from the REST list or one order's snapshot, into the feed.
   * @param {unknown[]} snapshots
   */
  mergeOrders(snapshots) {
    if (!this.feed || snapshots.length === 0) return;
    for (const snapshot of snapshots) this.unlisted.delete(/** @type {any} */ (snapshot)?.id);
    this.feed = { orders: mergeOrders(this.feed.orders, snapshots), offset: this.feed.offset };
    this.lastUpdated = this.hooks.now();
    this.changed();
  }

  /** The REST list has been read: orders neither it nor the snapshot held go. */
  dropUnlisted() {
    if (!this.feed || this.unlisted.size === 0) return;
    const orders = new Map(this.feed.orders);
    for (const id of this.unlisted) orders.delete(id);
    this.unlisted = new Set();
    this.feed = { orders, offset: this.feed.offset };
    this.changed();
  }

  /**
   * Something authoritative arrived: the topic is live (long-poll and
   * polling carry no `subscribed` frames).
   */
  settled() {
    if (this.status !== 'loading') return;
    this.status = this.order?.final ? 'final' : 'live';
  }

  /**
   * A `subscribed` frame: the topic is live (or final) at this position.
   * @param {any} frame
   */
  applySubscribed(frame) {
    if (!this.positioned) {
      if (this.kind === 'feed') this.pipeline.reset({ offset: frame.offset ?? 0 });
      else this.pipeline.reset({ seq: frame.seq ?? 0, epoch: frame.epoch ?? null });
      this.positioned = true;
    }
    this.status = frame.final ? 'final' : 'live';
    this.error = null;
    this.changed();
  }

  /**
   * An `event` frame. Returns false when a gap was found: the caller
   * resyncs the topic instead of applying past it.
   * @param {Envelope} envelope
   */
  applyEvent(envelope) {
    const result = this.pipeline.accept(envelope);
    if (result.invalid) {
      this.hooks.onInvalid?.(this.name, result.invalid);
      return true;
    }
    if (result.duplicate) this.hooks.onDuplicate?.(this.name, envelope);
    if (result.gap) {
      this.hooks.onGap?.(this.name);
      return false;
    }
    if (result.ready.length === 0) return true;
    const now = this.hooks.now();
    for (const ready of result.ready) {
      if (ready.occurredAt && ready.seq !== undefined) {
        this.hooks.onLag?.(this.name, Math.max(0, now - Date.parse(ready.occurredAt)));
      }
      this.applyReady(ready, now);
    }
    // A replay from the start positions a topic too (a signal does not).
    if (result.ready.some((ready) => ready.seq !== undefined)) this.positioned = true;
    this.settled();
    this.lastUpdated = now;
    this.changed();
    return true;
  }

  /**
   * @param {Envelope} envelope
   * @param {number} now
   */
  applyReady(envelope, now) {
    const payload = /** @type {Record<string, any>} */ (envelope.payload);
    const from = typeof payload.from?.subject === 'string' ? payload.from.subject : undefined;
    if (envelope.type === 'presence' && typeof payload.subject === 'string') {
      const others = this.present.filter((m) => m.subject !== payload.subject);
      this.present =
        payload.state === 'join'
          ? [...others, { subject: payload.subject, role: String(payload.role ?? ''), since: String(payload.since ?? '') }]
          : others;
      return;
    }
    if (envelope.type === 'typing' && from) {
      if (payload.active) this.typing.set(from, now + TYPING_TTL_MS);
      else this.typing.delete(from);
      return;
    }
    if (envelope.type === 'chat_read' && typeof payload.subject === 'string') {
      this.reads = { ...this.reads, [payload.subject]: Number(payload.seq) || 0 };
      return;
    }
    if (envelope.type === 'chat_message' && from) this.typing.delete(from);
    if (this.kind === 'ops' && this.nodes) {
      // Latest-wins per node: the pipeline dropped one older than its `ts`.
      if (envelope.type === 'node_stats') this.nodes = nodesOf([payload], new Map(this.nodes));
      return;
    }
    if (this.kind === 'order' && this.order) {
      this.order = applyEvent(this.order, envelope, now);
    } else if (this.kind === 'feed' && this.feed) {
      const id = envelope.topic.slice('order:'.length);
      const known = this.feed.orders.get(id);
      // A position of an order the feed has not shown yet: nothing to move.
      if (envelope.seq === undefined && !known) return;
      this.unlisted.delete(id);
      if (!known && envelope.type !== 'order_created') this.hooks.onUnknownOrder?.(id);
      // A snapshot handed out never changes; between two, one copy serves
      // every event of a burst.
      const orders = this.feedShared ? new Map(this.feed.orders) : this.feed.orders;
      this.feedShared = false;
      const view = applyEvent(known ?? emptyOrder(id), envelope, now);
      orders.set(id, view);
      this.feed = { orders, offset: envelope.offset ?? this.feed.offset };
    } else if (this.kind === 'chat' && this.messages && envelope.seq !== undefined) {
      this.messages = [
        ...this.messages,
        {
          seq: envelope.seq,
          text: String(payload.text ?? ''),
          clientMessageId: String(payload.clientMessageId ?? ''),
          from,
          role: typeof payload.from?.role === 'string' ? payload.from.role : undefined,
          at: envelope.occurredAt ?? '',
        },
      ];
    }
  }

  /** `unsubscribed {reason: final}`: nothing more will come. */
  markFinal() {
    this.status = 'final';
    this.changed();
  }

  /** @param {string} code */
  markError(code) {
    this.status = 'error';
    this.error = code;
    this.changed();
  }

  /** The topic may be subscribed again (it is not final or refused). */
  wanted() {
    return this.status !== 'final' && this.status !== 'error';
  }
}

/**
 * Nodes' figures into `into`, by node id; anything without an id is left out.
 * @param {unknown} list
 * @param {Map<string, NodeFigures>} into
 */
function nodesOf(list, into) {
  for (const node of Array.isArray(list) ? list : []) {
    if (node && typeof node === 'object' && typeof node.node === 'string') into.set(node.node, /** @type {NodeFigures} */ (node));
  }
  return into;
}
