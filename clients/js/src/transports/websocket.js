// @ts-check
/**
 * Protocol v1 over one WebSocket (`GET /v1/ws`, subprotocol
 * `trackwire.v1.json`): the only two-way transport. Every transport has this
 * surface: `open(handlers, session)`, `send(frame)`, `close()`.
 */

/** @typedef {import('./types.js').TransportHandlers} TransportHandlers */
/** @typedef {import('./types.js').TransportSession} TransportSession */

export const SUBPROTOCOL = 'trackwire.v1.json';

/** How long an upgrade may take before the attempt counts as failed. */
const OPEN_TIMEOUT_MS = 10_000;

export class WebSocketTransport {
  /**
   * @param {{ baseUrl: string, WebSocket?: typeof globalThis.WebSocket, openTimeoutMs?: number }} options
   */
  constructor(options) {
    this.name = /** @type {const} */ ('websocket');
    /** Frames (subscribe, mutate, auth) go over the connection itself. */
    this.bidirectional = true;
    this.baseUrl = options.baseUrl;
    this.WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
    this.openTimeoutMs = options.openTimeoutMs ?? OPEN_TIMEOUT_MS;
    /** @type {WebSocket | null} */
    this.socket = null;
    this.cancelOpenTimer = () => {};
  }

  /**
   * @param {TransportHandlers} handlers
   * @param {TransportSession} _session
   */
  open(handlers, _session) {
    if (!this.WebSocketImpl) {
      handlers.onClose({ code: 0, reason: 'no WebSocket in this environment', opened: false });
      return;
    }
    const url = this.baseUrl.replace(/^http/, 'ws') + '/v1/ws';
    let socket;
    try {
      socket = new this.WebSocketImpl(url, SUBPROTOCOL);
    } catch (error) {
      // A URL the WebSocket refuses (a misconfigured `url`): report it as
      // a connection that never opened, after this call, as a close would.
      const reason = error instanceof Error ? error.message : 'cannot open a WebSocket';
      queueMicrotask(() => handlers.onClose({ code: 0, reason, opened: false }));
      return;
    }
    this.socket = socket;
    let opened = false;
    let closed = false;
    /** @param {number} code @param {string} reason */
    const finish = (code, reason) => {
      clearTimeout(openTimer);
      if (closed) return;
      closed = true;
      this.socket = null;
      handlers.onClose({ code, reason, opened });
    };
    // A server that accepts the TCP connection but never answers the
    // upgrade (frozen, or a proxy holding it) would leave us connecting
    // forever; no heartbeat runs before the socket opens.
    const openTimer = setTimeout(() => {
      if (opened || closed) return;
      this.close();
      finish(0, 'the connection did not open in time');
    }, this.openTimeoutMs);
    // Closed by us before it opened: no late report of a timeout.
    this.cancelOpenTimer = () => clearTimeout(openTimer);
    socket.onopen = () => {
      clearTimeout(openTimer);
      opened = true;
      handlers.onOpen();
    };
    socket.onmessage = (message) => {
      handlers.onActivity();
      if (typeof message.data !== 'string') return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        handlers.onInvalid('a frame that is not JSON');
        return;
      }
      handlers.onFrame(frame);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => finish(event.code, event.reason);
  }

  /** @param {object} frame */
  send(frame) {
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  /** @param {number} [code] @param {string} [reason] */
  close(code = 1000, reason = 'normal') {
    this.cancelOpenTimer();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }
}
