// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./state.js').Transport} TransportName */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */
/**
 * @typedef {object} ChainOptions
 * @property {string} baseUrl
 * @property {TransportName[]} [transports] best first (default: all four)
 * @property {typeof globalThis.WebSocket} [WebSocket]
 * @property {typeof globalThis.fetch} [fetch]
 * @property {number} [connectTimeoutMs] how long a WebSocket upgrade may take
 * @property {number} [probeIntervalMs] how often a fallback tries to move back up (60 s)
 * @property {number} [pollIntervalMs] the polling transport's interval
 */
export class TransportChain {
    /** @param {ChainOptions} options */
    constructor(options: ChainOptions);
    options: ChainOptions;
    /** @type {TransportName[]} */
    names: TransportName[];
    /** Index in `names` of the transport in use. */
    level: number;
    /** @type {ReturnType<typeof setTimeout> | null} */
    probeTimer: ReturnType<typeof setTimeout> | null;
    /** The transport in use. */
    get current(): import("./state.js").Transport;
    /** The next one down (when `canFallBack()`). */
    get next(): import("./state.js").Transport;
    get best(): import("./state.js").Transport;
    /** True when a worse transport than the best is in use. */
    get onFallback(): boolean;
    canFallBack(): boolean;
    fallBack(): void;
    backToBest(): void;
    /** Why the state is `degraded` on a fallback. */
    fallbackReason(): string;
    /** @param {TransportName} name */
    make(name: TransportName): LongPollTransport | PollingTransport | SseTransport | WebSocketTransport;
    /** True when the server answers plain HTTP (so a failed transport is blocked, not the server down). */
    serverAnswers(): Promise<boolean>;
    /** @param {() => void} probe runs once after the probe interval */
    scheduleProbe(probe: () => void): void;
    cancelProbe(): void;
    /**
     * Whether the best transport opens now (within 5 s); the trial
     * connection is closed either way.
     * @param {TransportSession} session
     * @returns {Promise<boolean>}
     */
    bestOpens(session: TransportSession): Promise<boolean>;
}
export type TransportName = import("./state.js").Transport;
export type TransportSession = import("./transports/types.js").TransportSession;
export type ChainOptions = {
    baseUrl: string;
    /**
     * best first (default: all four)
     */
    transports?: import("./state.js").Transport[] | undefined;
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
     * how long a WebSocket upgrade may take
     */
    connectTimeoutMs?: number | undefined;
    /**
     * how often a fallback tries to move back up (60 s)
     */
    probeIntervalMs?: number | undefined;
    /**
     * the polling transport's interval
     */
    pollIntervalMs?: number | undefined;
};
import { LongPollTransport } from './transports/longpoll.js';
import { PollingTransport } from './transports/polling.js';
import { SseTransport } from './transports/sse.js';
import { WebSocketTransport } from './transports/websocket.js';
