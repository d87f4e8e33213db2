// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
export class SseTransport extends HttpTransport {
    name: "sse";
}
export type TransportHandlers = import("./types.js").TransportHandlers;
export type TransportSession = import("./types.js").TransportSession;
export type Closer = import("./http.js").Closer;
import { HttpTransport } from './http.js';
