// @ts-check
/**
 * Long-poll (`GET /v1/poll`): each answer carries the frames a WebSocket
 * client would get; the next request asks from the positions the client
 * has applied. One-way, like SSE.
 *
 * The first poll of a connection asks with `wait=0`: the server answers at
 * once (what was missed, or just the confirmed cursor), so the transport
 * is open as soon as the server takes it, instead of when something new
 * happens (up to 25 s later). The following polls are held as usual.
 */

import { encodeStreamCursor } from '../cursors.js';
import { HttpTransport, bearerHeaders, fetchJson } from './http.js';

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */

export class LongPollTransport extends HttpTransport {
  /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch, waitSeconds?: number }} options */
  constructor(options) {
    super(options);
    this.name = /** @type {const} */ ('long-poll');
    this.waitSeconds = options.waitSeconds ?? 25;
  }

  /**
   * @param {TransportHandlers} handlers
   * @param {TransportSession} session
   * @param {AbortController} abort
   * @param {Closer} close
   */
  async run(handlers, session, abort, close) {
    let wait = 0;
    try {
      while (!abort.signal.aborted) {
        const headers = await bearerHeaders(session);
        // Read after the token: topics watched meanwhile go with this poll.
        const query = new URLSearchParams({ topics: session.topics.join(','), wait: String(wait) });
        const cursor = encodeStreamCursor(session.positions);
        if (cursor) query.set('cursor', cursor);
        const response = await fetchJson(this.fetch, abort, `${this.baseUrl}/v1/poll?${query}`, headers);
        const body = response.body;
        if (!response.ok || !body || !Array.isArray(body.events)) {
          close.finish(response.status, body?.error?.code ?? `http_${response.status}`);
          return;
        }
        close.markOpened();
        handlers.onActivity();
        for (const frame of body.events) handlers.onFrame(frame);
        wait = this.waitSeconds;
      }
    } catch (error) {
      close.finish(0, error instanceof Error ? error.message : 'network error');
    }
  }
}
