// @ts-check
/**
 * What a lost connection's close code means for the next attempt: 4003
 * (forbidden) stops; 4001 and 4004 (and a refused stream's 401) want a new
 * token; a drain (1012 after `reconnect {afterMs}`) waits what the server
 * asked; 4009 reconnects at once; anything else waits a backoff delay that
 * grows with how long the connection has been failing (backoff.js).
 * An `error` frame refusing the token also makes the next attempt fetch a
 * new one.
 *
 * Pure: randomness comes in as `random()`, as in backoff.js.
 *
 * @module reconnect
 */

import { outageDelay, serverDelay } from './backoff.js';
import { CloseCode, TOKEN_ERROR_CODES } from './codes.js';

/** @typedef {import('./backoff.js').BackoffOptions} BackoffOptions */

/**
 * The token was refused (or expired): the next attempt fetches a new one.
 * @param {string | number} code a close code or an HTTP status
 */
export function isAuthRefusal(code) {
  return code === CloseCode.Unauthorized || code === CloseCode.TokenExpired || code === 401;
}

const TOKEN_CODES = new Set(TOKEN_ERROR_CODES);

/**
 * An `error` frame's code that refuses the token: the next attempt
 * fetches a new one.
 * @param {string} code
 */
export function isTokenError(code) {
  return TOKEN_CODES.has(code);
}

/**
 * @typedef {{ stop: true } | { stop: false, delayMs: number, refreshToken: boolean }} RetryPlan
 */

/**
 * A connection live this long ends an outage: its loss starts a new one,
 * with short delays again. One lost sooner continues the outage, so a
 * flapping server sees the delays grow.
 */
export const HEALTHY_MS = 10000;

/**
 * One outage of the connection: since when it has been failing, how many
 * attempts failed since it was last live (what the state shows), and the
 * server's own delay if it asked for one. The clock is given, not read.
 */
export class Outage {
  constructor() {
    this.attempt = 0;
    /** When the connection started failing (0: it is not). */
    this.since = 0;
    /** When the connection last became live (0: it is not). */
    this.liveSince = 0;
    /** @type {number | null} the server's `reconnect {afterMs}` */
    this.serverAfterMs = null;
  }

  /** @param {number} now */
  live(now) {
    this.attempt = 0;
    this.serverAfterMs = null;
    this.liveSince = now;
  }

  /** @param {number} now */
  lost(now) {
    if (this.liveSince && now - this.liveSince >= HEALTHY_MS) this.since = 0;
    this.liveSince = 0;
  }

  /**
   * The plan for the next attempt, which counts as one.
   * @param {string | number} code the lost connection's close code
   * @param {number} now
   * @param {BackoffOptions} [backoff]
   * @returns {RetryPlan}
   */
  next(code, now, backoff) {
    if (!this.since) this.since = now;
    const plan = retryPlan(code, { outageMs: now - this.since, serverAfterMs: this.serverAfterMs, backoff });
    if (!plan.stop) this.attempt += 1;
    return plan;
  }

  /** Starting over (as somebody else). */
  reset() {
    this.attempt = 0;
    this.since = 0;
    this.liveSince = 0;
    this.serverAfterMs = null;
  }
}

/**
 * @param {string | number} code the close code (or HTTP status) of the lost connection
 * @param {object} context
 * @param {number} context.outageMs how long the connection has been failing
 *   (since the last connection that was healthy for a while)
 * @param {number | null} context.serverAfterMs the server's `reconnect {afterMs}`, if it sent one
 * @param {BackoffOptions} [context.backoff]
 * @param {() => number} [random]
 * @returns {RetryPlan}
 */
export function retryPlan(code, { outageMs, serverAfterMs, backoff }, random = Math.random) {
  if (code === CloseCode.Forbidden) return { stop: true };
  let delayMs;
  if (code === CloseCode.Draining && serverAfterMs !== null) delayMs = serverDelay(serverAfterMs, random);
  else if (code === CloseCode.SlowConsumer) delayMs = 0;
  else delayMs = outageDelay(outageMs, backoff, random);
  return { stop: false, delayMs, refreshToken: isAuthRefusal(code) };
}
