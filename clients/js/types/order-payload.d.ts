// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Type guards and lenient readers for an order's fields as they come off
 * the wire (a snapshot, an event's payload): each reader takes `unknown`
 * and returns a well-formed value or a neutral one (null, [], undefined),
 * so a malformed field never throws.
 *
 * @module order-payload
 */
/** @typedef {import('./order-state.js').Party} Party */
/** @typedef {import('./order-state.js').Item} Item */
/** @typedef {import('./order-state.js').Location} Location */
/** @typedef {import('./order-state.js').Delay} Delay */
/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value: unknown): value is Record<string, unknown>;
/**
 * @param {unknown} value
 * @returns {value is string}
 */
export function isString(value: unknown): value is string;
/**
 * @param {unknown} value
 * @returns {value is number}
 */
export function isFiniteNumber(value: unknown): value is number;
/**
 * A party from the wire: an object with an `id`, or a bare id string.
 * @param {unknown} raw
 * @returns {Party | null}
 */
export function toParty(raw: unknown): Party | null;
/**
 * @param {unknown} raw
 * @returns {Item[]}
 */
export function toItems(raw: unknown): Item[];
/**
 * @param {unknown} raw
 * @returns {Location | null}
 */
export function toLocation(raw: unknown): Location | null;
/**
 * @param {unknown} raw
 * @returns {Delay | null}
 */
export function toDelay(raw: unknown): Delay | null;
/**
 * @param {unknown} raw
 * @returns {string | null}
 */
export function stringOrNull(raw: unknown): string | null;
/**
 * ms since 1970 of an RFC 3339 time, or undefined.
 * @param {unknown} raw
 * @returns {number | undefined}
 */
export function timeOf(raw: unknown): number | undefined;
export type Party = import("./order-state.js").Party;
export type Item = import("./order-state.js").Item;
export type Location = import("./order-state.js").Location;
export type Delay = import("./order-state.js").Delay;
