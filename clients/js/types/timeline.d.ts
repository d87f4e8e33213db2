// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./order-state.js').OrderView} OrderView */
/** @typedef {import('./order-status.js').OrderStatus} OrderStatus */
/** @typedef {import('./order-status.js').MainStatus} MainStatus */
/** @typedef {import('./order-state.js').TimelineEntry} TimelineEntry */
/**
 * @typedef {'done' | 'current' | 'pending'} StepState
 */
/**
 * A step of the main path.
 * @typedef {object} PathStep
 * @property {'step'} kind
 * @property {MainStatus} status
 * @property {StepState} state
 * @property {string} [at] when the order reached it, if known
 * @property {number} [seq]
 */
/**
 * A delay or a failed delivery attempt: shown under the step the order was
 * at, without ending it.
 * @typedef {object} WarningStep
 * @property {'warning'} kind
 * @property {'delayed' | 'delivery_failed'} type
 * @property {string} reason
 * @property {string} at when it happened ('' when unknown)
 * @property {number} [seq] absent when only the snapshot told of it
 * @property {boolean} active still in force (the view's `delay` / `lastFailure`)
 */
/**
 * The end of an order that left the main path.
 * @typedef {object} FinalStep
 * @property {'final'} kind
 * @property {'cancelled' | 'returned'} status
 * @property {'current'} state
 * @property {string} [at]
 * @property {number} [seq]
 * @property {string} [reason]
 */
/** @typedef {PathStep | WarningStep | FinalStep} TimelineStep */
/**
 * The steps a status timeline shows, in order: the main path (done, current,
 * pending; a delivered order has every step done), each warning right after
 * the step the order was at when it happened, and for a cancelled or returned
 * order the steps it reached followed by its final step.
 *
 * @param {OrderView} view
 * @returns {TimelineStep[]}
 */
export function timelineSteps(view: OrderView): TimelineStep[];
export type OrderView = import("./order-state.js").OrderView;
export type OrderStatus = import("./order-status.js").OrderStatus;
export type MainStatus = import("./order-status.js").MainStatus;
export type TimelineEntry = import("./order-state.js").TimelineEntry;
export type StepState = "done" | "current" | "pending";
/**
 * A step of the main path.
 */
export type PathStep = {
    kind: "step";
    status: MainStatus;
    state: StepState;
    /**
     * when the order reached it, if known
     */
    at?: string | undefined;
    seq?: number | undefined;
};
/**
 * A delay or a failed delivery attempt: shown under the step the order was
 * at, without ending it.
 */
export type WarningStep = {
    kind: "warning";
    type: "delayed" | "delivery_failed";
    reason: string;
    /**
     * when it happened ('' when unknown)
     */
    at: string;
    /**
     * absent when only the snapshot told of it
     */
    seq?: number | undefined;
    /**
     * still in force (the view's `delay` / `lastFailure`)
     */
    active: boolean;
};
/**
 * The end of an order that left the main path.
 */
export type FinalStep = {
    kind: "final";
    status: "cancelled" | "returned";
    state: "current";
    at?: string | undefined;
    seq?: number | undefined;
    reason?: string | undefined;
};
export type TimelineStep = PathStep | WarningStep | FinalStep;
