// @ts-check
/**
 * What every transport shares: the handlers a transport calls, and what the
 * client tells a one-way transport (SSE, long-poll, polling) about the
 * topics to carry and where each one stands.
 */

/**
 * @typedef {object} CloseInfo
 * @property {number | string} code  The WebSocket close code, an HTTP
 *   status for a refused stream, or 0 for a network failure.
 * @property {string} reason
 * @property {boolean} opened  Whether the transport ever opened: a
 *   transport that never did is unavailable, and the client falls back.
 */

/**
 * @typedef {object} TransportHandlers
 * @property {() => void} onOpen
 * @property {(frame: any) => void} onFrame  A server frame, as JSON.
 * @property {() => void} onActivity  Bytes arrived (a frame, a heartbeat).
 * @property {(why: string) => void} onInvalid
 * @property {(info: CloseInfo) => void} onClose
 */

/**
 * @typedef {object} TransportSession
 * @property {string[]} topics  The topics to carry.
 * @property {Record<string, {seq?: number, epoch?: string, offset?: number}>} positions
 * @property {() => Promise<string | null>} token  A bearer token, or null.
 */

export {};
