// @ts-check
/**
 * Server-Sent Events (`GET /v1/sse`), read with `fetch` so the token travels
 * in the `Authorization` header (never in the URL) and a stream that stays
 * silent (a proxy buffering it) is noticed. One-way: the client reopens it
 * when its topics change; mutations go over REST.
 *
 * The server writes `retry:` together with its headers, so once the headers
 * are in, the first bytes are due at once: when they do not come within a
 * second (or as long again as the headers took, on a slow network), a
 * proxy is holding the stream back and the transport counts as never
 * opened, and the client falls back to long-poll. A proxy that holds the
 * headers back too is noticed after 5 s.
 */

import { encodeStreamCursor } from '../cursors.js';
import { HttpTransport, bearerHeaders } from './http.js';

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */

/** How long the response's headers may take. */
const HEADERS_TIMEOUT_MS = 5000;
/** How long the first bytes may take after the headers (at least). */
const FIRST_BYTES_TIMEOUT_MS = 500;

export class SseTransport extends HttpTransport {
  /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch }} options */
  constructor(options) {
    super(options);
    this.name = /** @type {const} */ ('sse');
  }

  /**
   * @param {TransportHandlers} handlers
   * @param {TransportSession} session
   * @param {AbortController} abort
   * @param {Closer} close
   */
  async run(handlers, session, abort, close) {
    let silent = setTimeout(() => close.finish(0, 'the stream stayed silent'), HEADERS_TIMEOUT_MS);
    try {
      const headers = await bearerHeaders(session, { accept: 'text/event-stream' });
      // Read after the token: topics watched meanwhile go with this stream.
      const query = new URLSearchParams({ topics: session.topics.join(',') });
      const cursor = encodeStreamCursor(session.positions);
      if (cursor) query.set('cursor', cursor);
      const asked = Date.now();
      const response = await this.fetch(`${this.baseUrl}/v1/sse?${query}`, { headers, signal: abort.signal });
      clearTimeout(silent);
      const held = Math.max(FIRST_BYTES_TIMEOUT_MS, Date.now() - asked);
      silent = setTimeout(() => close.finish(0, 'the stream is held back (a buffering proxy?)'), held);
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => ({}));
        close.finish(response.status, body?.error?.code ?? `http_${response.status}`);
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(silent);
        close.markOpened();
        handlers.onActivity();
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split('\n')) {
            if (!line.startsWith('data: ')) continue;
            try {
              handlers.onFrame(JSON.parse(line.slice(6)));
            } catch {
              handlers.onInvalid('an SSE data line that is not JSON');
            }
          }
        }
      }
      close.finish('ended', 'the stream ended');
    } catch (error) {
      close.finish(0, error instanceof Error ? error.message : 'network error');
    } finally {
      clearTimeout(silent);
    }
  }
}
