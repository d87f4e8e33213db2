// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * The upper bound of attempt `attempt`'s delay: `min(maxMs, baseMs * 2 ** attempt)`.
 *
 * @param {number} attempt 0-based; negative or non-finite counts as 0
 * @param {BackoffOptions} [options]
 * @returns {number} ms
 */
export function backoffCap(attempt: number, options?: BackoffOptions): number;
/**
 * The delay before reconnect attempt `attempt` (0-based), with full jitter:
 * a whole number of ms drawn uniformly from [0, min(maxMs, baseMs * 2 ** attempt)].
 *
 * @param {number} attempt 0 for the first retry
 * @param {BackoffOptions} [options]
 * @param {RandomSource} [random]
 * @returns {number} ms, an integer in [0, cap]
 */
export function backoffDelay(attempt: number, options?: BackoffOptions, random?: RandomSource): number;
/**
 * The upper bound of a retry's delay after `outageMs` of failing: half of
 * that time, at least `baseMs`, at most `maxMs`.
 *
 * @param {number} outageMs how long the connection has been failing
 * @param {BackoffOptions} [options]
 * @returns {number} ms
 */
export function outageCap(outageMs: number, options?: BackoffOptions): number;
/**
 * The delay before the next attempt after `outageMs` of failing, with full
 * jitter: a whole number of ms drawn uniformly from [0, outageCap(outageMs)].
 *
 * @param {number} outageMs
 * @param {BackoffOptions} [options]
 * @param {RandomSource} [random]
 * @returns {number} ms
 */
export function outageDelay(outageMs: number, options?: BackoffOptions, random?: RandomSource): number;
/**
 * How much jitter goes on top of a server-given delay: 10% of it, at least
 * 50 ms and at most 1 s. The server already spreads its drain delays over a
 * window, so a little is enough to keep clients that were told the same
 * number apart.
 *
 * @param {number} afterMs
 * @returns {number} ms
 */
export function serverJitterCap(afterMs: number): number;
/**
 * The delay to honour a server's `reconnect {afterMs}`: `afterMs` plus a
 * little jitter, never less than `afterMs` (a missing or invalid value counts
 * as 0).
 *
 * @param {number} afterMs the server's delay
 * @param {RandomSource} [random]
 * @returns {number} ms, an integer in [ceil(afterMs), ceil(afterMs) + serverJitterCap(afterMs)]
 */
export function serverDelay(afterMs: number, random?: RandomSource): number;
/**
 * Reconnect delays with full jitter, and the server's own `reconnect
 * {afterMs}` (drain) honoured with a little jitter on top.
 *
 * The client's delays grow with how long it has been failing
 * (`outageDelay`), not with how many attempts failed: a server that is
 * down refuses connections in a millisecond, so counting attempts would
 * back off to 8 s or more within the first five seconds of an outage, and
 * a client would come back seconds after the server. Growing with time,
 * the delay after an outage of T is at most T/2 (and 30 s): a few more
 * attempts in a long outage, spread by the jitter, and a prompt return
 * after a short one. `backoffDelay` is the attempt-counting kind, for apps.
 *
 * Pure: randomness comes in as a `random()` function returning [0, 1)
 * (`Math.random` by default), nothing here waits or reads a clock.
 *
 * @module backoff
 */
/** Delay cap of the first attempt, in ms. */
export const DEFAULT_BASE_MS: 500;
/** Largest delay backoff ever asks for, in ms. */
export const DEFAULT_MAX_MS: 30000;
export type BackoffOptions = {
    /**
     * the cap of attempt 0 (default 500 ms)
     */
    baseMs?: number | undefined;
    /**
     * the cap of every attempt (default 30 000 ms)
     */
    maxMs?: number | undefined;
};
/**
 * a function returning a number in [0, 1)
 */
export type RandomSource = () => number;
