// @ts-check
/**
 * Server-Sent Events (`GET /v1/sse`), read with `fetch` so the token travels
 * in the `Authorization` header (never in the URL) and a stream that stays
 * silent (a proxy buffering it) is noticed. One-way: the client reopens it
 * when its topics change; mutations go over REST.
 */

import { encodeStreamCursor } from '../cursors.js';
import { HttpTransport, bearerHeaders } from './http.js';

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */

/** The server sends `retry:` at once; nothing within this means buffering. */
const FIRST_BYTE_TIMEOUT_MS = 5000;

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
    const silent = setTimeout(() => close.finish(0, 'the stream stayed silent'), FIRST_BYTE_TIMEOUT_MS);
    try {
      const query = new URLSearchParams({ topics: session.topics.join(',') });
      const cursor = encodeStreamCursor(session.positions);
      if (cursor) query.set('cursor', cursor);
      const headers = await bearerHeaders(session, { accept: 'text/event-stream' });
      const response = await this.fetch(`${this.baseUrl}/v1/sse?${query}`, { headers, signal: abort.signal });
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
