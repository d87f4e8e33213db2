// @ts-check
/**
 * What the pages call statuses, warnings and roles: one table each, so the
 * customer, the dispatcher and the landing page use the same words for
 * one order. Also which statuses are final and which roles are staff.
 */

import { FINAL_STATUSES, STATUSES } from '/sdk/index.js';

/** @typedef {import('/sdk/index.js').OrderStatus} OrderStatus */

/** Every status, in the order of the state machine (the SDK's list). */
export { STATUSES };

/**
 * The statuses an order ends in. Typed as a set of every status so that
 * `FINAL.has(v.status)` type-checks for any order's status.
 * @type {ReadonlySet<OrderStatus>}
 */
export const FINAL = new Set(FINAL_STATUSES);

/** @type {Record<OrderStatus, string>} */
export const STATUS_LABELS = {
  placed: 'Order placed',
  confirmed: 'Confirmed',
  preparing: 'Being prepared',
  shipped: 'Shipped',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  returned: 'Returned',
};

/**
 * A status in words ("Being prepared"); an unknown one as it is, readable.
 * @param {string} status
 */
export function statusLabel(status) {
  return STATUS_LABELS[/** @type {OrderStatus} */ (status)] ?? status.replace(/_/g, ' ');
}

/** The warnings that do not end an order, by event type. */
export const WARNING_LABELS = {
  delayed: 'Delayed',
  delivery_failed: 'Delivery attempt failed',
};

/**
 * A warning in words; an unknown one as it is.
 * @param {string} type the event type
 */
export function warningLabel(type) {
  return WARNING_LABELS[/** @type {keyof typeof WARNING_LABELS} */ (type)] ?? type;
}

/** The roles a token has, in words. */
const ROLE_LABELS = {
  customer: 'Customer',
  courier: 'Courier',
  dispatcher: 'Dispatcher',
  admin: 'Admin',
  service: 'Service',
  operator: 'Operator',
};

/**
 * A role in words ("Dispatcher"); an unknown one as it is.
 * @param {string} role
 */
export function roleName(role) {
  return ROLE_LABELS[/** @type {keyof typeof ROLE_LABELS} */ (role)] ?? role;
}

/** The roles that see every order of the tenant (docs/security.md). */
export const STAFF = new Set(['dispatcher', 'admin', 'service']);
