// @ts-check
/**
 * An order's statuses and the state machine between them, as the server
 * enforces it (crates/domain/src/status.rs; docs/domain.md): forward along
 * the main path (skipping is fine), cancelled until shipped, returned once
 * shipped; delivered, cancelled and returned are final.
 *
 * @module order-status
 */

/**
 * @typedef {'placed' | 'confirmed' | 'preparing' | 'shipped' | 'out_for_delivery' | 'delivered' | 'cancelled' | 'returned'} OrderStatus
 */
/** @typedef {'placed' | 'confirmed' | 'preparing' | 'shipped' | 'out_for_delivery' | 'delivered'} MainStatus */
/** @typedef {'delivered' | 'cancelled' | 'returned'} FinalStatus */

/** The main path, in order. */
export const MAIN_PATH = /** @type {const} */ ([
  'placed',
  'confirmed',
  'preparing',
  'shipped',
  'out_for_delivery',
  'delivered',
]);

/** Every status. */
export const STATUSES = /** @type {const} */ ([...MAIN_PATH, 'cancelled', 'returned']);

/** The statuses nothing follows. */
export const FINAL_STATUSES = /** @type {const} */ (['delivered', 'cancelled', 'returned']);

/**
 * The status named `raw`, or undefined.
 * @param {unknown} raw
 * @returns {OrderStatus | undefined}
 */
export function parseStatus(raw) {
  return STATUSES.find((s) => s === raw);
}

/**
 * How far along a status is; a transition never lowers it (final states rank
 * highest, like the server's `progress`).
 * @param {OrderStatus} status
 * @returns {number} 0 (placed) … 5 (delivered, cancelled, returned)
 */
export function statusRank(status) {
  const i = MAIN_PATH.indexOf(/** @type {MainStatus} */ (status));
  return i >= 0 ? i : MAIN_PATH.length - 1;
}

/**
 * @param {OrderStatus} status
 * @returns {status is FinalStatus}
 */
export function isFinalStatus(status) {
  return status === 'delivered' || status === 'cancelled' || status === 'returned';
}

/**
 * Every status `status` may move to, in path order (the server's
 * `allowed_next`).
 * @param {OrderStatus} status
 * @returns {OrderStatus[]}
 */
export function allowedNext(status) {
  if (isFinalStatus(status)) return [];
  const rank = statusRank(status);
  /** @type {OrderStatus[]} */
  const next = MAIN_PATH.filter((s) => statusRank(s) > rank);
  if (status === 'placed' || status === 'confirmed' || status === 'preparing') next.push('cancelled');
  if (status === 'shipped' || status === 'out_for_delivery') next.push('returned');
  return next;
}

/**
 * @param {OrderStatus} from
 * @param {OrderStatus} to
 * @returns {boolean}
 */
export function canBecome(from, to) {
  return allowedNext(from).includes(to);
}
