// @ts-check
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
export function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @returns {value is string}
 */
export function isString(value) {
  return typeof value === 'string';
}

/**
 * @param {unknown} value
 * @returns {value is number}
 */
export function isFiniteNumber(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * A party from the wire: an object with an `id`, or a bare id string.
 * @param {unknown} raw
 * @returns {Party | null}
 */
export function toParty(raw) {
  if (isString(raw)) return raw === '' ? null : { id: raw };
  if (!isObject(raw) || !isString(raw.id)) return null;
  /** @type {Party} */
  const party = { id: raw.id };
  if (isString(raw.name)) party.name = raw.name;
  if (isString(raw.phone)) party.phone = raw.phone;
  return party;
}

/**
 * @param {unknown} raw
 * @returns {Item[]}
 */
export function toItems(raw) {
  if (!Array.isArray(raw)) return [];
  /** @type {Item[]} */
  const items = [];
  for (const item of raw) {
    if (!isObject(item) || !isString(item.name)) continue;
    items.push({ name: item.name, quantity: isFiniteNumber(item.quantity) ? item.quantity : 1 });
  }
  return items;
}

/**
 * @param {unknown} raw
 * @returns {Location | null}
 */
export function toLocation(raw) {
  if (!isObject(raw) || !isFiniteNumber(raw.lat) || !isFiniteNumber(raw.lng) || !isFiniteNumber(raw.ts)) {
    return null;
  }
  /** @type {Location} */
  const location = { lat: raw.lat, lng: raw.lng, ts: raw.ts };
  if (isFiniteNumber(raw.heading)) location.heading = raw.heading;
  return location;
}

/**
 * @param {unknown} raw
 * @returns {Delay | null}
 */
export function toDelay(raw) {
  if (!isObject(raw) || !isString(raw.reason)) return null;
  return { reason: raw.reason, since: isString(raw.since) ? raw.since : '' };
}

/**
 * @param {unknown} raw
 * @returns {string | null}
 */
export function stringOrNull(raw) {
  return isString(raw) ? raw : null;
}

/**
 * ms since 1970 of an RFC 3339 time, or undefined.
 * @param {unknown} raw
 * @returns {number | undefined}
 */
export function timeOf(raw) {
  if (!isString(raw)) return undefined;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}
