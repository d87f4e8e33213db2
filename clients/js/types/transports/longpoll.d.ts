// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */
export class LongPollTransport extends HttpTransport {
    /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch, waitSeconds?: number }} options */
    constructor(options: {
        baseUrl: string;
        fetch?: typeof globalThis.fetch;
        waitSeconds?: number;
    });
    name: "long-poll";
    waitSeconds: number;
}
export type TransportHandlers = import("./types.js").TransportHandlers;
export type TransportSession = import("./types.js").TransportSession;
export type Closer = import("./http.js").Closer;
import { HttpTransport } from './http.js';
