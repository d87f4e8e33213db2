// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Protocol v1 over one WebSocket (`GET /v1/ws`, subprotocol
 * `trackwire.v1.json`): the only two-way transport. Every transport has this
 * surface: `open(handlers, session)`, `send(frame)`, `close()`.
 */
/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
export const SUBPROTOCOL: "trackwire.v1.json";
export class WebSocketTransport {
    /**
     * @param {{ baseUrl: string, WebSocket?: typeof globalThis.WebSocket, openTimeoutMs?: number }} options
     */
    constructor(options: {
        baseUrl: string;
        WebSocket?: typeof globalThis.WebSocket;
        openTimeoutMs?: number;
    });
    name: "websocket";
    /** Frames (subscribe, mutate, auth) go over the connection itself. */
    bidirectional: boolean;
    baseUrl: string;
    WebSocketImpl: {
        new (url: string | URL, protocols?: string | string[]): WebSocket;
        prototype: WebSocket;
        readonly CONNECTING: 0;
        readonly OPEN: 1;
        readonly CLOSING: 2;
        readonly CLOSED: 3;
    };
    openTimeoutMs: number;
    /** @type {WebSocket | null} */
    socket: WebSocket | null;
    cancelOpenTimer: () => void;
    /**
     * @param {TransportHandlers} handlers
     * @param {TransportSession} _session
     */
    open(handlers: TransportHandlers, _session: TransportSession): void;
    /** @param {object} frame */
    send(frame: object): boolean;
    /** @param {number} [code] @param {string} [reason] */
    close(code?: number, reason?: string): void;
}
export type TransportHandlers = import("./types.js").TransportHandlers;
export type TransportSession = import("./types.js").TransportSession;
