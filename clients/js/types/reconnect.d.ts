// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./backoff.js').BackoffOptions} BackoffOptions */
/**
 * The token was refused (or expired): the next attempt fetches a new one.
 * @param {string | number} code a close code or an HTTP status
 */
export function isAuthRefusal(code: string | number): code is 4001 | 4004 | 401;
/**
 * An `error` frame's code that refuses the token: the next attempt
 * fetches a new one.
 * @param {string} code
 */
export function isTokenError(code: string): boolean;
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
export function retryPlan(code: string | number, { outageMs, serverAfterMs, backoff }: {
    outageMs: number;
    serverAfterMs: number | null;
    backoff?: import("./backoff.js").BackoffOptions | undefined;
}, random?: () => number): RetryPlan;
/**
 * @typedef {{ stop: true } | { stop: false, delayMs: number, refreshToken: boolean }} RetryPlan
 */
/**
 * A connection live this long ends an outage: its loss starts a new one,
 * with short delays again. One lost sooner continues the outage, so a
 * flapping server sees the delays grow.
 */
export const HEALTHY_MS: 10000;
/**
 * One outage of the connection: since when it has been failing, how many
 * attempts failed since it was last live (what the state shows), and the
 * server's own delay if it asked for one. The clock is given, not read.
 */
export class Outage {
    attempt: number;
    /** When the connection started failing (0: it is not). */
    since: number;
    /** When the connection last became live (0: it is not). */
    liveSince: number;
    /** @type {number | null} the server's `reconnect {afterMs}` */
    serverAfterMs: number | null;
    /** @param {number} now */
    live(now: number): void;
    /** @param {number} now */
    lost(now: number): void;
    /**
     * The plan for the next attempt, which counts as one.
     * @param {string | number} code the lost connection's close code
     * @param {number} now
     * @param {BackoffOptions} [backoff]
     * @returns {RetryPlan}
     */
    next(code: string | number, now: number, backoff?: BackoffOptions): RetryPlan;
    /** Starting over (as somebody else). */
    reset(): void;
}
export type BackoffOptions = import("./backoff.js").BackoffOptions;
export type RetryPlan = {
    stop: true;
} | {
    stop: false;
    delayMs: number;
    refreshToken: boolean;
};
