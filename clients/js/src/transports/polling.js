// @ts-check
/**
 * Plain polling, the last resort: no streaming at all. Each order topic is
 * polled with `GET /v1/orders/{id}` and `If-None-Match` (a 304 costs
 * nothing); on a change the missed events come from
 * `GET /v1/orders/{id}/events?since=&epoch=`, or the snapshot when history
 * cannot serve. The feed polls `GET /v1/feed?since=`. What it hands the
 * client are the same frames a WebSocket would carry.
 */

import { HttpTransport, bearerHeaders, fetchJson } from './http.js';

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */
/** @typedef {import('./http.js').Closer} Closer */

export class PollingTransport extends HttpTransport {
  /** @param {{ baseUrl: string, fetch?: typeof globalThis.fetch, intervalMs?: number }} options */
  constructor(options) {
    super(options);
    this.name = /** @type {const} */ ('polling');
    this.intervalMs = options.intervalMs ?? 5000;
    /** @type {Map<string, string>} ETag per topic */
    this.etags = new Map();
  }

  /**
   * @param {TransportHandlers} handlers
   * @param {TransportSession} session
   * @param {AbortController} abort
   * @param {Closer} close
   */
  async run(handlers, session, abort, close) {
    try {
      while (!abort.signal.aborted) {
        /** @param {string} path @param {Record<string, string>} [extra] */
        const get = async (path, extra = {}) =>
          fetchJson(this.fetch, abort, this.baseUrl + path, await bearerHeaders(session, extra));
        for (const topic of session.topics) {
          const failure = await this.pollTopic(topic, session, handlers, get);
          if (failure) {
            close.finish(failure.code, failure.reason);
            return;
          }
        }
        close.markOpened();
        handlers.onActivity();
        await sleep(this.intervalMs, abort.signal);
      }
    } catch (error) {
      close.finish(0, error instanceof Error ? error.message : 'network error');
    }
  }

  /**
   * One topic's news as frames; a refusal is returned as a close.
   * @param {string} topic
   * @param {TransportSession} session
   * @param {TransportHandlers} handlers
   * @param {(path: string, headers?: Record<string, string>) => Promise<{status: number, ok: boolean, headers: Headers, body: any}>} get
   * @returns {Promise<{code: number, reason: string} | null>}
   */
  async pollTopic(topic, session, handlers, get) {
    const position = session.positions[topic] ?? {};
    if (topic === 'orders') {
      const response = await get(`/v1/feed?since=${position.offset ?? 0}`);
      const body = response.body;
      if (!response.ok) return { code: response.status, reason: body?.error?.code ?? 'feed' };
      for (const event of body.events ?? []) handlers.onFrame({ type: 'event', event });
      return null;
    }
    const [kind, id] = topic.split(':');
    if (kind !== 'order' || !id) return null;
    const path = `/v1/orders/${encodeURIComponent(id)}`;
    const etag = this.etags.get(topic);
    const response = await get(path, etag ? { 'if-none-match': etag } : {});
    if (response.status === 304) return null;
    const order = response.body;
    if (!response.ok) return { code: response.status, reason: order?.error?.code ?? 'order' };
    const tag = response.headers.get('etag');
    if (tag) this.etags.set(topic, tag);
    const known = position.seq !== undefined && position.epoch === order.epoch;
    if (known && order.seq > (position.seq ?? 0)) {
      const events = await get(`${path}/events?since=${position.seq}&epoch=${encodeURIComponent(order.epoch)}`);
      const page = events.body;
      if (events.ok && page && Array.isArray(page.events)) {
        for (const event of page.events) handlers.onFrame({ type: 'event', event });
        // One page at a time: ask again next round until caught up.
        const last = page.events.at(-1)?.seq ?? position.seq;
        if (last < page.seq) this.etags.delete(topic);
        return null;
      }
    }
    if (!known || order.seq !== position.seq) {
      handlers.onFrame({ type: 'snapshot', topic, seq: order.seq, epoch: order.epoch, order });
    } else if (order.location) {
      // Same seq, newer position: the courier moved.
      handlers.onFrame({ type: 'snapshot', topic, seq: order.seq, epoch: order.epoch, order });
    }
    return null;
  }

}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(undefined);
    }, { once: true });
  });
}
