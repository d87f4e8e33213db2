// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * The status named `raw`, or undefined.
 * @param {unknown} raw
 * @returns {OrderStatus | undefined}
 */
export function parseStatus(raw: unknown): OrderStatus | undefined;
/**
 * How far along a status is; a transition never lowers it (final states rank
 * highest, like the server's `progress`).
 * @param {OrderStatus} status
 * @returns {number} 0 (placed) … 5 (delivered, cancelled, returned)
 */
export function statusRank(status: OrderStatus): number;
/**
 * @param {OrderStatus} status
 * @returns {status is FinalStatus}
 */
export function isFinalStatus(status: OrderStatus): status is FinalStatus;
/**
 * Every status `status` may move to, in path order (the server's
 * `allowed_next`).
 * @param {OrderStatus} status
 * @returns {OrderStatus[]}
 */
export function allowedNext(status: OrderStatus): OrderStatus[];
/**
 * @param {OrderStatus} from
 * @param {OrderStatus} to
 * @returns {boolean}
 */
export function canBecome(from: OrderStatus, to: OrderStatus): boolean;
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
export const MAIN_PATH: readonly ["placed", "confirmed", "preparing", "shipped", "out_for_delivery", "delivered"];
/** Every status. */
export const STATUSES: readonly ["placed", "confirmed", "preparing", "shipped", "out_for_delivery", "delivered", "cancelled", "returned"];
/** The statuses nothing follows. */
export const FINAL_STATUSES: readonly ["delivered", "cancelled", "returned"];
export type OrderStatus = "placed" | "confirmed" | "preparing" | "shipped" | "out_for_delivery" | "delivered" | "cancelled" | "returned";
export type MainStatus = "placed" | "confirmed" | "preparing" | "shipped" | "out_for_delivery" | "delivered";
export type FinalStatus = "delivered" | "cancelled" | "returned";
