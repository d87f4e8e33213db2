// @ts-check
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
export function fetchOrGlobal(fetch) {
  return fetch ?? globalThis.fetch.bind(globalThis);
}

/**
 * A JSON request's headers, with the bearer token when there is one.
 * @param {string | null} token
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function jsonHeaders(token, extra = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json', ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * The URL of one order's resource under `/v1/orders/{id}`.
 * @param {string} baseUrl
 * @param {string} orderId
 * @param {string} path after the order id, starting with `/`
 */
export function orderUrl(baseUrl, orderId, path) {
  return `${baseUrl}/v1/orders/${encodeURIComponent(orderId)}${path}`;
}

/** A client mutation or message id (randomUUID needs a secure context). */
export function newId() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
