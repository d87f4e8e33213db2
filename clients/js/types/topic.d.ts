// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
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
export const TYPING_TTL_MS: 5000;
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
    constructor(name: string, hooks: TopicHooks);
    name: string;
    kind: string;
    hooks: TopicHooks;
    pipeline: TopicPipeline;
    /** @type {Set<() => void>} */
    watchers: Set<() => void>;
    /** @type {TopicStatus} */
    status: TopicStatus;
    /** @type {string | null} */
    error: string | null;
    /** Known to the server (a snapshot or `subscribed` came). */
    positioned: boolean;
    /** @type {OrderView | null} */
    order: OrderView | null;
    /** @type {FeedView | null} */
    feed: FeedView | null;
    /** @type {Set<string>} the feed's orders the last snapshot did not hold (feed.js) */
    unlisted: Set<string>;
    /** The feed's map is in a snapshot handed out: copy it before a change. */
    feedShared: boolean;
    /** @type {ChatMessage[] | null} */
    messages: ChatMessage[] | null;
    /** @type {Map<string, NodeFigures> | null} the ops topic's nodes, replaced (not changed) on each update */
    nodes: Map<string, NodeFigures> | null;
    lastUpdated: number;
    /** @type {Member[]} */
    present: Member[];
    /** @type {Map<string, number>} subject → when their typing expires */
    typing: Map<string, number>;
    /** @type {Record<string, number>} */
    reads: Record<string, number>;
    /** @type {ReturnType<typeof setTimeout> | null} */
    typingTimer: ReturnType<typeof setTimeout> | null;
    /** @type {TopicSnapshot | null} */
    cached: TopicSnapshot | null;
    /**
     * Forgets everything (the tab is somebody else's now): the watchers see
     * a topic that knows nothing, until the new identity's server answers.
     */
    reset(): void;
    /** @param {Member[]} members a `presence` frame's snapshot */
    applyPresence(members: Member[]): void;
    /** Drops typing states past their time; true when any was dropped. */
    expireTyping(now?: number): boolean;
    /** When the next typing state expires (undefined: none). */
    nextTypingExpiry(): number | undefined;
    /** Where the client stands, for a resubscribe or a stream cursor. */
    position(): import("./pipeline.js").Position | undefined;
    /**
     * Restores a persisted view and position (a page reload resumes by
     * `since` instead of starting blind).
     * @param {Position} position
     * @param {OrderView | null} order
     * @param {FeedView | null} [feed] another tab's feed view
     * @param {ChatMessage[] | null} [messages] another tab's chat
     */
    restore(position: Position, order: OrderView | null, feed?: FeedView | null, messages?: ChatMessage[] | null): void;
    /** @returns {TopicSnapshot} */
    snapshot(): TopicSnapshot;
    changed(): void;
    /**
     * A `snapshot` frame: replaces the view and the position.
     * @param {any} frame
     */
    applySnapshot(frame: any): void;
    /**
     * Orders from the REST list or one order's snapshot, into the feed.
     * @param {unknown[]} snapshots
     */
    mergeOrders(snapshots: unknown[]): void;
    /** The REST list has been read: orders neither it nor the snapshot held go. */
    dropUnlisted(): void;
    /**
     * Something authoritative arrived: the topic is live (long-poll and
     * polling carry no `subscribed` frames).
     */
    settled(): void;
    /**
     * A `subscribed` frame: the topic is live (or final) at this position.
     * @param {any} frame
     */
    applySubscribed(frame: any): void;
    /**
     * An `event` frame. Returns false when a gap was found: the caller
     * resyncs the topic instead of applying past it.
     * @param {Envelope} envelope
     */
    applyEvent(envelope: Envelope): boolean;
    /**
     * @param {Envelope} envelope
     * @param {number} now
     */
    applyReady(envelope: Envelope, now: number): void;
    /** `unsubscribed {reason: final}`: nothing more will come. */
    markFinal(): void;
    /** @param {string} code */
    markError(code: string): void;
    /** The topic may be subscribed again (it is not final or refused). */
    wanted(): boolean;
}
export type Envelope = import("./pipeline.js").Envelope;
export type Position = import("./pipeline.js").Position;
export type OrderView = import("./order-state.js").OrderView;
/**
 * `loading` until the first snapshot or replay; `final` once the order
 * is delivered, cancelled or returned (nothing more will come); `error`
 * when the server refused the topic (`error` says why).
 */
export type TopicStatus = "loading" | "live" | "final" | "error";
export type FeedView = {
    /**
     * every order seen, by id
     */
    orders: Map<string, OrderView>;
    offset: number;
};
export type ChatMessage = {
    seq: number;
    text: string;
    clientMessageId: string;
    /**
     * the sender's subject
     */
    from?: string | undefined;
    /**
     * the sender's role
     */
    role?: string | undefined;
    at: string;
};
/**
 * One node's figures on the operators' `ops` topic (docs/api.md,
 * `GET /v1/ops/stats`): latest-wins per node.
 */
export type NodeFigures = {
    /**
     * the node's id
     */
    node: string;
    /**
     * when measured, ms since 1970
     */
    ts: number;
    uptimeSeconds: number;
    /**
     * open connections by transport (`ws`, `sse`, `longpoll`)
     */
    connections: Record<string, number>;
    /**
     * live events written to clients per second
     */
    deliveriesPerSecond: number;
    /**
     * since the node started
     */
    deliveries: number;
    /**
     * since the node started
     */
    slowConsumerCuts: number;
    /**
     * in the last minute
     */
    slowConsumerCutsRecent: number;
    /**
     * by code, the most in the last minute first
     */
    refusals: {
        code: string;
        recent: number;
        total: number;
    }[];
    /**
     * the busiest on the node
     */
    topics: {
        tenant: string;
        topic: string;
        subscribers: number;
        perSecond: number;
    }[];
    /**
     * clients' reported lag since start; `counts` has one more bucket, above the last bound
     */
    clientLag: {
        boundsMs: number[];
        counts: number[];
    };
};
/**
 * What a watcher sees of a topic.
 */
export type TopicSnapshot = {
    topic: string;
    status: TopicStatus;
    /**
     * the server's code when `status` is `error`
     */
    error: string | null;
    /**
     * an `order:` topic's view
     */
    order: OrderView | null;
    /**
     * the `orders` topic's view
     */
    feed: FeedView | null;
    /**
     * a `chat:` topic's messages
     */
    messages: ChatMessage[] | null;
    /**
     * the `ops` topic's nodes, by id (operators only)
     */
    nodes: NodeFigures[] | null;
    /**
     * who is watching (order and chat topics)
     */
    present: Member[];
    /**
     * who is typing now (chat topics)
     */
    typing: string[];
    /**
     * each participant's last read seq (chat topics)
     */
    reads: Record<string, number>;
    /**
     * ms since 1970 of the last applied change (0: none yet)
     */
    lastUpdated: number;
};
export type Member = {
    subject: string;
    role: string;
    since: string;
};
export type TopicHooks = {
    /**
     * the feed got an event of
     * an order it has never seen (feed.js fetches it)
     */
    onUnknownOrder?: ((id: string) => void) | undefined;
    onDuplicate?: ((topic: string, envelope: Envelope) => void) | undefined;
    onGap?: ((topic: string) => void) | undefined;
    onInvalid?: ((topic: string, reason: string) => void) | undefined;
    onLag?: ((topic: string, lagMs: number) => void) | undefined;
    now: () => number;
};
import { TopicPipeline } from './pipeline.js';
