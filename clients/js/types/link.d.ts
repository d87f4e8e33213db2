// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
export class Link {
    /**
     * @param {ClientOptions & { baseUrl: string }} options
     * @param {Tokens} tokens
     * @param {LinkHost} host
     */
    constructor(options: ClientOptions & {
        baseUrl: string;
    }, tokens: Tokens, host: LinkHost);
    options: import("./client.js").ClientOptions & {
        baseUrl: string;
    };
    tokens: import("./tokens.js").Tokens;
    host: LinkHost;
    chain: TransportChain;
    /** @type {Telemetry} */
    telemetry: Telemetry;
    /** @type {ConnectionState} */
    state: ConnectionState;
    /** @type {Set<() => void>} */
    stateListeners: Set<() => void>;
    /** A token fetch for the connection failed (not the transport). */
    tokenFailed: boolean;
    outage: Outage;
    /** The browser was online when this attempt began. */
    openedOnline: boolean;
    /** @type {any} */
    transport: any;
    /** @type {ReturnType<typeof setTimeout> | null} */
    retryTimer: ReturnType<typeof setTimeout> | null;
    reopenQueued: boolean;
    degradedSince: number;
    heartbeat: Heartbeat;
    onWake: () => void;
    onOffline: () => void;
    /**
     * @param {() => void} listener
     * @returns {() => void} unsubscribe
     */
    onStateChange(listener: () => void): () => void;
    /** @param {ConnectionState} next */
    setState(next: ConnectionState): void;
    isLive(): boolean;
    /**
     * Sends a frame over a live two-way transport.
     * @param {object} frame
     * @returns {boolean} false when there is none
     */
    sendLive(frame: object): boolean;
    open(): void;
    /** What a one-way transport carries: the wanted topics and positions. */
    /** @returns {TransportSession} */
    session(): TransportSession;
    /**
     * The token for the connection (fresh after a refusal). A provider that
     * fails is not a transport that fails: the client then retries, and does
     * not fall back.
     * @returns {Promise<string | null>}
     */
    token(): Promise<string | null>;
    /** @param {any} transport */
    handlersFor(transport: any): {
        onOpen: () => false | undefined;
        onFrame: (frame: any) => false | void;
        onActivity: () => false | void;
        onInvalid: (why: string) => false | void | undefined;
        onClose: (info: CloseInfo) => false | void;
    };
    /** @param {any} transport */
    opened(transport: any): Promise<void>;
    becameLive(): void;
    /** @param {CloseInfo} info */
    lost(info: CloseInfo): void;
    /**
     * The server refused the token (a close code, a refused stream, an
     * `error` frame): reconnect at once with a fresh one, or, when that one
     * was refused too or there is none, the session is over.
     * @param {CloseInfo} info
     */
    tokenRefused(info: CloseInfo): void;
    /** @param {CloseInfo} info */
    retryLater(info: CloseInfo): void;
    /**
     * The browser says the network is gone: nothing can arrive now, whatever
     * the socket says (it may not notice for minutes), so the link is given
     * up at once and the state says `reconnecting {reason: 'offline'}`.
     * Retries go on (a server on this machine may still answer); back
     * online, one starts at once and resubscribes from where each topic is.
     */
    wentOffline(): void;
    /** Back in the foreground or online: check the link at once. */
    checkLiveness(): void;
    /** On a fallback: does the best transport work again? */
    probe(): Promise<void>;
    /** One-way transports carry a fixed topic set: reopen on a change (batched). */
    reopen(): void;
    endDegraded(): void;
    clearTimers(): void;
    /**
     * Lets the transport go, with no retry pending (a close, a change of
     * identity); the state is the caller's to set.
     * @param {string} [why] the close reason the server is told
     */
    release(why?: string): void;
    /**
     * Closes for good: no reconnect, no more listening to the browser.
     * @param {string} reason the `closed` state's reason
     */
    close(reason: string): void;
}
export type ConnectionState = import("./state.js").ConnectionState;
export type Topic = import("./topic.js").Topic;
export type Tokens = import("./tokens.js").Tokens;
export type CloseInfo = import("./transports/types.js").CloseInfo;
export type TransportSession = import("./transports/types.js").TransportSession;
export type ClientOptions = import("./client.js").ClientOptions;
export type Telemetry = import("./client.js").Telemetry;
/**
 * What the link needs of the client around it.
 */
export type LinkHost = {
    /**
     * the watched topics (what a one-way
     * transport carries)
     */
    topics: Map<string, Topic>;
    /**
     * a frame from the live transport
     */
    received: (frame: any) => void;
    /**
     * live again on a two-way
     * transport: subscribe every topic, resend pending mutations
     */
    resubscribe: (transport: any) => void;
    stateChanged: (state: ConnectionState) => void;
    /**
     * this tab uses another tab's connection
     */
    isFollower: () => boolean;
    /**
     * the client closes for good
     */
    close: (reason: string) => void;
};
import { TransportChain } from './transport-chain.js';
import { Outage } from './reconnect.js';
import { Heartbeat } from './heartbeat.js';
