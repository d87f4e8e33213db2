// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
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
    /** @param {ClientOptions} [options] */
    constructor(options?: ClientOptions);
    /** @returns {ConnectionState} */
    getState(): ConnectionState;
    /**
     * @param {() => void} listener called after every change of state
     * @returns {() => void} unsubscribe
     */
    onStateChange(listener: () => void): () => void;
    /**
     * Watches a topic (`order:{id}`, `chat:{id}`, `orders`, or `ops` for operators); the last
     * watcher's cleanup unsubscribes on the wire.
     * @param {string} name
     * @param {() => void} [listener] called after every change
     * @returns {Watch}
     */
    watch(name: string, listener?: () => void): Watch;
    /**
     * Watches `order:{id}`.
     * @param {string} id
     * @param {() => void} [listener] called after every change
     * @returns {Watch}
     */
    watchOrder(id: string, listener?: () => void): Watch;
    /**
     * The current snapshot of a watched topic.
     * @param {string} name
     * @returns {TopicSnapshot | undefined}
     */
    get(name: string): TopicSnapshot | undefined;
    /**
     * An order as the UI shows it: the server's view with pending optimistic
     * changes laid over it.
     * @param {string} id
     * @returns {OverlaidView | undefined}
     */
    getOrder(id: string): OverlaidView | undefined;
    /**
     * Outcomes of the mutations (pending, confirmed, rolled back), oldest first.
     * @returns {MutationOutcome[]}
     */
    mutationOutcomes(): MutationOutcome[];
    /** Connects (a watch does it by itself); after `close`, connects again. */
    connect(): void;
    /**
     * Closes for good: no reconnect. The state is `closed {reason}`.
     * @param {string} [reason]
     */
    close(reason?: string): void;
    /**
     * The app's user signed in or out, or as somebody else: call it then.
     * The client asks the token provider at once; a token of another
     * identity makes this tab leave the old identity's tabs, drop what it
     * showed of it, and connect as the new one. (The client also notices on
     * its own, at the next token it asks for.)
     */
    reauthenticate(): void;
    /**
     * Sends a chat message on the order's chat, over REST whatever the
     * transport; its `clientMessageId` makes a retry appear once. Resolves
     * once the server stored it.
     * @param {string} orderId
     * @param {string} text
     * @returns {Promise<{clientMessageId: string}>}
     */
    sendMessage(orderId: string, text: string): Promise<{
        clientMessageId: string;
    }>;
    /**
     * Call on every keystroke in an order's chat box: tells the others at
     * most every 300 ms that you are typing, and that you stopped 2 s after
     * the last keystroke (receivers also expire it on their own). Over a
     * live WebSocket, else over REST.
     * @param {string} orderId
     */
    typing(orderId: string): void;
    /**
     * Tells the others at once that you stopped typing (a sent message does it too).
     * @param {string} orderId
     */
    stopTyping(orderId: string): void;
    /**
     * Marks the order's chat read up to `seq` (the others see a receipt).
     * @param {string} orderId
     * @param {number} seq
     */
    markRead(orderId: string, seq: number): void;
    /**
     * A customer action (`cancel`, `change_instructions`), applied locally at
     * once and confirmed, or rolled back with the reason. Retries reuse the
     * same `clientMutationId`, so the server applies it once.
     * @param {string} orderId
     * @param {string} action
     * @param {Record<string, unknown>} [args]
     * @returns {Promise<MutationResult>}
     */
    mutate(orderId: string, action: string, args?: Record<string, unknown>): Promise<MutationResult>;
    #private;
}
export type ConnectionState = import("./state.js").ConnectionState;
export type TransportName = import("./state.js").Transport;
export type TopicSnapshot = import("./topic.js").TopicSnapshot;
export type OverlaidView = import("./mutations.js").OverlaidView;
export type MutationOutcome = import("./mutations.js").MutationOutcome;
export type MutationResult = import("./mutation-requests.js").MutationResult;
/**
 * A watcher's handle on a topic.
 */
export type Watch = {
    topic: string;
    /**
     * the topic's current snapshot
     */
    snapshot: () => TopicSnapshot;
    /**
     * the last watcher's leaves the topic on the wire
     */
    unsubscribe: () => void;
};
export type Telemetry = {
    onReconnectAttempt?: ((info: {
        attempt: number;
        delayMs: number;
        reason: string;
    }) => void) | undefined;
    /**
     * called when a degraded spell ends, with how long it lasted
     */
    onDegraded?: ((info: {
        reason: string;
        durationMs: number;
    }) => void) | undefined;
    /**
     * the time from an event's `occurredAt` to its application
     */
    onLag?: ((info: {
        topic: string;
        lagMs: number;
    }) => void) | undefined;
    onDuplicate?: ((info: {
        topic: string;
        id: string;
    }) => void) | undefined;
    onGap?: ((info: {
        topic: string;
    }) => void) | undefined;
    onReplay?: ((info: {
        topic: string;
        recovered: boolean;
    }) => void) | undefined;
    onValidationFailure?: ((info: {
        topic: string;
        reason: string;
    }) => void) | undefined;
    onTransportChange?: ((info: {
        from: string;
        to: string;
    }) => void) | undefined;
};
export type ClientOptions = {
    /**
     * the server's base URL (default: the page's origin)
     */
    url?: string | undefined;
    /**
     * a bearer token; `refresh` is true when the last one was refused or
     * is about to expire (null then: there is none, the session is over).
     * Without it the client presents no token (a development server).
     */
    getToken?: ((options: {
        refresh: boolean;
    }) => (string | null | Promise<string | null>)) | undefined;
    /**
     * the fallback chain, best first
     */
    transports?: import("./state.js").Transport[] | undefined;
    /**
     * (Node: the `ws` package's)
     */
    WebSocket?: {
        new (url: string | URL, protocols?: string | string[]): WebSocket;
        prototype: WebSocket;
        readonly CONNECTING: 0;
        readonly OPEN: 1;
        readonly CLOSING: 2;
        readonly CLOSED: 3;
    } | undefined;
    fetch?: typeof fetch | undefined;
    /**
     * where positions and views survive a reload (default: sessionStorage)
     */
    storage?: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null | undefined;
    /**
     * the server's heartbeat interval (25 s)
     */
    heartbeatMs?: number | undefined;
    /**
     * how long a WebSocket upgrade may take (10 s)
     */
    connectTimeoutMs?: number | undefined;
    /**
     * how often a fallback tries to move back up (60 s)
     */
    probeIntervalMs?: number | undefined;
    backoff?: {
        baseMs?: number;
        maxMs?: number;
    } | undefined;
    mutationTimeoutMs?: number | undefined;
    /**
     * the polling transport's interval
     */
    pollIntervalMs?: number | undefined;
    telemetry?: Telemetry | undefined;
    /**
     * send this client's freshness
     * (sampled lag from `occurredAt` to applied, degraded spells) to
     * `POST /v1/telemetry` once a minute (default: true)
     */
    reportFreshness?: boolean | undefined;
    /**
     * how often, and what share of events' lag
     */
    freshness?: import("./freshness.js").FreshnessOptions | undefined;
    /**
     * one connection for the tabs of this
     * origin that are the same identity (default: where Web Locks and
     * BroadcastChannel exist)
     */
    shareTabs?: boolean | undefined;
};
