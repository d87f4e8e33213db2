// @ts-check
/**
 * The fallback chain of transports, best first (WebSocket, SSE, long-poll,
 * polling), and where the client stands on it. The client falls one step
 * when a transport never opens on a server that answers plain HTTP (the
 * health check tells a blocked transport from a server that is down); on a
 * fallback, a probe every so often tries the best transport again.
 */

import { fetchOrGlobal } from './rest.js';
import { LongPollTransport } from './transports/longpoll.js';
import { PollingTransport } from './transports/polling.js';
import { SseTransport } from './transports/sse.js';
import { WebSocketTransport } from './transports/websocket.js';

/** @typedef {import('./state.js').Transport} TransportName */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */

/**
 * @typedef {object} ChainOptions
 * @property {string} baseUrl
 * @property {TransportName[]} [transports] best first (default: all four)
 * @property {typeof globalThis.WebSocket} [WebSocket]
 * @property {typeof globalThis.fetch} [fetch]
 * @property {number} [connectTimeoutMs] how long a WebSocket upgrade may take
 * @property {number} [probeIntervalMs] how often a fallback tries to move back up (60 s)
 * @property {number} [pollIntervalMs] the polling transport's interval
 */

export class TransportChain {
  /** @param {ChainOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {TransportName[]} */
    this.names = options.transports ?? ['websocket', 'sse', 'long-poll', 'polling'];
    /** Index in `names` of the transport in use. */
    this.level = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.probeTimer = null;
  }

  /** The transport in use. */
  get current() {
    return this.names[this.level];
  }

  /** The next one down (when `canFallBack()`). */
  get next() {
    return this.names[this.level + 1];
  }

  get best() {
    return this.names[0];
  }

  /** True when a worse transport than the best is in use. */
  get onFallback() {
    return this.level > 0;
  }

  canFallBack() {
    return this.level < this.names.length - 1;
  }

  fallBack() {
    this.level += 1;
  }

  backToBest() {
    this.level = 0;
  }

  /** Why the state is `degraded` on a fallback. */
  fallbackReason() {
    return `${this.best} unavailable; using ${this.current}`;
  }

  /** @param {TransportName} name */
  make(name) {
    const baseUrl = this.options.baseUrl;
    const fetch = this.options.fetch;
    switch (name) {
      case 'websocket':
        return new WebSocketTransport({
          baseUrl,
          WebSocket: this.options.WebSocket,
          openTimeoutMs: this.options.connectTimeoutMs,
        });
      case 'sse':
        return new SseTransport({ baseUrl, fetch });
      case 'long-poll':
        return new LongPollTransport({ baseUrl, fetch });
      default:
        return new PollingTransport({ baseUrl, fetch, intervalMs: this.options.pollIntervalMs });
    }
  }

  /** True when the server answers plain HTTP (so a failed transport is blocked, not the server down). */
  async serverAnswers() {
    const fetch = fetchOrGlobal(this.options.fetch);
    try {
      const response = await fetch(`${this.options.baseUrl}/v1/health`, { signal: AbortSignal.timeout(5000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  /** @param {() => void} probe runs once after the probe interval */
  scheduleProbe(probe) {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      probe();
    }, this.options.probeIntervalMs ?? 60000);
  }

  cancelProbe() {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  /**
   * Whether the best transport opens now (within 5 s); the trial
   * connection is closed either way.
   * @param {TransportSession} session
   * @returns {Promise<boolean>}
   */
  async bestOpens(session) {
    const best = this.make(this.best);
    const works = await new Promise((resolve) => {
      best.open(
        {
          onOpen: () => resolve(true),
          onFrame: () => {},
          onActivity: () => {},
          onInvalid: () => {},
          onClose: () => resolve(false),
        },
        session,
      );
      setTimeout(() => resolve(false), 5000);
    });
    best.close();
    return works;
  }
}
