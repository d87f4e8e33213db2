// @ts-check
/**
 * What the one-way transports (SSE, long-poll, polling) share: the
 * open/close surface over one AbortController, the bearer header, a close
 * reported once, and JSON requests that clean up after themselves.
 */

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */

export class HttpTransport {
  /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch }} options */
  constructor(options) {
    /** Subscriptions travel with each request; frames cannot be sent. */
    this.bidirectional = false;
    this.baseUrl = options.baseUrl;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    /** @type {AbortController | null} */
    this.abort = null;
  }

  /**
   * @param {TransportHandlers} handlers
   * @param {TransportSession} session
   */
  open(handlers, session) {
    const abort = new AbortController();
    this.abort = abort;
    void this.run(handlers, session, abort, closer(abort, handlers));
  }

  /**
   * The transport's work until `abort`; subclasses implement it.
   * @param {TransportHandlers} _handlers
   * @param {TransportSession} _session
   * @param {AbortController} _abort
   * @param {Closer} _close
   * @returns {Promise<void>}
   */
  async run(_handlers, _session, _abort, _close) {}

  send() {
    return false;
  }

  close() {
    const abort = this.abort;
    this.abort = null;
    abort?.abort();
  }
}

/**
 * @typedef {object} Closer
 * @property {() => boolean} opened whether `open` was reported
 * @property {() => void} markOpened reports `onOpen` once
 * @property {(code: number | string, reason: string) => void} finish reports `onClose` once (unless closed by the client)
 */

/**
 * @param {AbortController} abort
 * @param {TransportHandlers} handlers
 * @returns {Closer}
 */
function closer(abort, handlers) {
  let opened = false;
  return {
    opened: () => opened,
    markOpened() {
      if (opened) return;
      opened = true;
      handlers.onOpen();
    },
    finish(code, reason) {
      if (abort.signal.aborted) return;
      abort.abort();
      handlers.onClose({ code, reason, opened });
    },
  };
}

/**
 * Headers with the session's bearer token, when it has one.
 * @param {TransportSession} session
 * @param {Record<string, string>} [extra]
 * @returns {Promise<Record<string, string>>}
 */
export async function bearerHeaders(session, extra = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...extra };
  const token = await session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** Longest a request may take (a long-poll holds for at most ~25 s). */
const REQUEST_TIMEOUT_MS = 40000;

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
export async function fetchJson(fetch, transport, url, headers) {
  const one = new AbortController();
  const stop = () => one.abort();
  transport.signal.addEventListener('abort', stop, { once: true });
  // Closed while the token was fetched: no request goes out at all.
  if (transport.signal.aborted) stop();
  const timer = setTimeout(stop, REQUEST_TIMEOUT_MS);
  try {
    const response = await fetch(url, { headers, signal: one.signal });
    const body = response.status === 304 ? null : await response.json().catch(() => null);
    return { status: response.status, ok: response.ok, headers: response.headers, body };
  } finally {
    clearTimeout(timer);
    transport.signal.removeEventListener('abort', stop);
  }
}
