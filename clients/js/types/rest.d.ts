// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * What the SDK's own REST requests share (chat messages, read receipts,
 * mutations, the health check): the app's `fetch` or the global one, JSON
 * headers with the bearer token, and ids that make a retry apply once.
 */
/**
 * The app's `fetch`, else the global one, bound (a detached `fetch` throws
 * in browsers).
 * @param {typeof globalThis.fetch} [fetch]
 * @returns {typeof globalThis.fetch}
 */
export function fetchOrGlobal(fetch?: typeof globalThis.fetch): typeof globalThis.fetch;
/**
 * A JSON request's headers, with the bearer token when there is one.
 * @param {string | null} token
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function jsonHeaders(token: string | null, extra?: Record<string, string>): Record<string, string>;
/**
 * The URL of one order's resource under `/v1/orders/{id}`.
 * @param {string} baseUrl
 * @param {string} orderId
 * @param {string} path after the order id, starting with `/`
 */
export function orderUrl(baseUrl: string, orderId: string, path: string): string;
/** A client mutation or message id (randomUUID needs a secure context). */
export function newId(): string;
