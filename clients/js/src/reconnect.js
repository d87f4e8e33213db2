// @ts-check
/**
 * What a lost connection's close code means for the next attempt: 4003
 * (forbidden) stops; 4001 and 4004 (and a refused stream's 401) want a new
 * token; a drain (1012 after `reconnect {afterMs}`) waits what the server
 * asked; 4009 reconnects at once; anything else waits a backoff delay.
 * An `error` frame refusing the token also makes the next attempt fetch a
 * new one.
 *
 * Pure: randomness comes in as `random()`, as in backoff.js.
 *
 * @module reconnect
 */

import { backoffDelay, serverDelay } from './backoff.js';

/** @typedef {import('./backoff.js').BackoffOptions} BackoffOptions */

/**
 * The token was refused (or expired): the next attempt fetches a new one.
 * @param {string | number} code a close code or an HTTP status
 */
export function isAuthRefusal(code) {
  return code === 4001 || code === 4004 || code === 401;
}

const TOKEN_CODES = new Set([
  'unauthorized',
  'token_malformed',
  'token_algorithm',
  'token_signature',
  'token_unknown_key',
  'token_expired',
  'token_not_yet_valid',
  'token_issuer',
  'token_audience',
  'token_claims',
]);

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
 * @param {string | number} code the close code (or HTTP status) of the lost connection
 * @param {object} context
 * @param {number} context.attempt how many attempts failed since the last live connection
 * @param {number | null} context.serverAfterMs the server's `reconnect {afterMs}`, if it sent one
 * @param {BackoffOptions} [context.backoff]
 * @param {() => number} [random]
 * @returns {RetryPlan}
 */
export function retryPlan(code, { attempt, serverAfterMs, backoff }, random = Math.random) {
  if (code === 4003) return { stop: true };
  let delayMs;
  if (code === 1012 && serverAfterMs !== null) delayMs = serverDelay(serverAfterMs, random);
  else if (code === 4009) delayMs = 0;
  else delayMs = backoffDelay(attempt, backoff, random);
  return { stop: false, delayMs, refreshToken: isAuthRefusal(code) };
}
