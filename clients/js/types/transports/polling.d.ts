// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */
export class PollingTransport extends HttpTransport {
    /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch, intervalMs?: number }} options */
    constructor(options: {
        baseUrl: string;
        fetch?: typeof globalThis.fetch;
        intervalMs?: number;
    });
    name: "polling";
    intervalMs: number;
    /** @type {Map<string, string>} ETag per topic */
    etags: Map<string, string>;
    /**
     * One topic's news as frames; a refusal is returned as a close.
     * @param {string} topic
     * @param {TransportSession} session
     * @param {TransportHandlers} handlers
     * @param {(path: string, headers?: Record<string, string>) => Promise<{status: number, ok: boolean, headers: Headers, body: any}>} get
     * @returns {Promise<{code: number, reason: string} | null>}
     */
    pollTopic(topic: string, session: TransportSession, handlers: TransportHandlers, get: (path: string, headers?: Record<string, string>) => Promise<{
        status: number;
        ok: boolean;
        headers: Headers;
        body: any;
    }>): Promise<{
        code: number;
        reason: string;
    } | null>;
}
export type TransportHandlers = import("./types.js").TransportHandlers;
export type TransportSession = import("./types.js").TransportSession;
export type Closer = import("./http.js").Closer;
import { HttpTransport } from './http.js';
