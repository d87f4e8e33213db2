// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Headers with the session's bearer token, when it has one.
 * @param {TransportSession} session
 * @param {Record<string, string>} [extra]
 * @returns {Promise<Record<string, string>>}
 */
export function bearerHeaders(session: TransportSession, extra?: Record<string, string>): Promise<Record<string, string>>;
/**
 * Fetches JSON with a signal of its own: aborted with the transport or on
 * timeout, and released when the answer is read, so nothing piles up on
 * the transport's signal over a long session.
 * @param {typeof globalThis.fetch} fetch
 * @param {AbortController} transport
 * @param {string} url
 * @param {Record<string, string>} headers
 * @returns {Promise<{status: number, ok: boolean, headers: Headers, body: any}>}
 */
export function fetchJson(fetch: typeof globalThis.fetch, transport: AbortController, url: string, headers: Record<string, string>): Promise<{
    status: number;
    ok: boolean;
    headers: Headers;
    body: any;
}>;
/**
 * What the one-way transports (SSE, long-poll, polling) share: the
 * open/close surface over one AbortController, the bearer header, a close
 * reported once, and JSON requests that clean up after themselves.
 */
/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
export class HttpTransport {
    /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch }} options */
    constructor(options: {
        baseUrl: string;
        fetch?: typeof globalThis.fetch;
    });
    /** Subscriptions travel with each request; frames cannot be sent. */
    bidirectional: boolean;
    baseUrl: string;
    fetch: typeof fetch;
    /** @type {AbortController | null} */
    abort: AbortController | null;
    /**
     * @param {TransportHandlers} handlers
     * @param {TransportSession} session
     */
    open(handlers: TransportHandlers, session: TransportSession): void;
    /**
     * The transport's work until `abort`; subclasses implement it.
     * @param {TransportHandlers} _handlers
     * @param {TransportSession} _session
     * @param {AbortController} _abort
     * @param {Closer} _close
     * @returns {Promise<void>}
     */
    run(_handlers: TransportHandlers, _session: TransportSession, _abort: AbortController, _close: Closer): Promise<void>;
    send(): boolean;
    close(): void;
}
export type Closer = {
    /**
     * whether `open` was reported
     */
    opened: () => boolean;
    /**
     * reports `onOpen` once
     */
    markOpened: () => void;
    /**
     * reports `onClose` once (unless closed by the client)
     */
    finish: (code: number | string, reason: string) => void;
};
export type TransportHandlers = import("./types.js").TransportHandlers;
export type TransportSession = import("./types.js").TransportSession;
