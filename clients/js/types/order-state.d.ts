// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./pipeline.js').Envelope} Envelope */
/** @typedef {import('./order-status.js').OrderStatus} OrderStatus */
/**
 * @typedef {{ id: string, name?: string, phone?: string }} Party
 * @typedef {{ name: string, quantity: number }} Item
 * @typedef {{ lat: number, lng: number, heading?: number, ts: number }} Location
 * @typedef {{ reason: string, since: string }} Delay
 */
/**
 * Why an event changed nothing but the timeline.
 * @typedef {'backwards' | 'invalid_transition' | 'order_final' | 'not_allowed_in_status' | 'already_created' | 'invalid_payload'} IgnoredReason
 */
/**
 * One durable event of the order, for a timeline.
 * @typedef {object} TimelineEntry
 * @property {number} seq
 * @property {string} type the event type
 * @property {string} at its `occurredAt` ('' when it had none)
 * @property {OrderStatus} [status] status_changed: the new status; order_created: placed
 * @property {string} [reason] status_changed, delayed, delivery_failed
 * @property {string} [text] instructions_changed
 * @property {string} [eta] eta_changed, delayed
 * @property {Party} [courier] courier_assigned
 * @property {OrderStatus} [orderStatus] the order's status once the event
 *   applied (absent on entries added from history at or below the view's seq)
 * @property {IgnoredReason} [ignored] set when the view refused the event
 */
/**
 * The order as a UI shows it.
 * @typedef {object} OrderView
 * @property {string} id
 * @property {Party | null} customer
 * @property {Party | null} courier
 * @property {Item[]} items
 * @property {string} address
 * @property {OrderStatus} status
 * @property {string | null} eta RFC 3339
 * @property {Location | null} location the courier's latest position
 * @property {string | null} instructions
 * @property {Delay | null} delay set by `delayed`, cleared by the next status change
 * @property {string | null} lastFailure the last failed delivery's reason, cleared on delivery
 * @property {string | null} internalNote staff only
 * @property {number} seq the last durable event reflected (0: none)
 * @property {string | null} epoch
 * @property {boolean} final delivered, cancelled or returned
 * @property {string | null} createdAt RFC 3339
 * @property {string | null} updatedAt RFC 3339
 * @property {TimelineEntry[]} timeline durable events by seq, one per seq
 * @property {number} lastUpdated ms since 1970 of the last change (0: unknown)
 */
/**
 * The view of an order nothing is known about yet.
 * @param {string} id
 * @returns {OrderView}
 */
export function emptyOrder(id: string): OrderView;
/**
 * The view of a server snapshot (`GET /v1/orders/{id}`, a `snapshot` frame's
 * `order`). A snapshot replaces what was known; when `previous` is the view
 * of the same order and epoch, its timeline entries the snapshot covers
 * (seq ≤ snapshot seq) are kept.
 *
 * @param {unknown} order the snapshot JSON
 * @param {OrderView} [previous]
 * @returns {OrderView}
 */
export function fromSnapshot(order: unknown, previous?: OrderView): OrderView;
/**
 * Applies one envelope (a durable event of `order:{id}` or a `location`
 * signal) and returns the new view; `view` itself when nothing changed.
 *
 * Pass envelopes in seq order (the {@link import('./pipeline.js').TopicPipeline}
 * does it); an event at or below `view.seq` only adds its timeline entry.
 *
 * @param {OrderView} view
 * @param {Envelope} envelope
 * @param {number} [now] ms; `lastUpdated` becomes this (default: the event's
 *   `occurredAt`, or a signal's `ts`)
 * @returns {OrderView}
 */
export function applyEvent(view: OrderView, envelope: Envelope, now?: number): OrderView;
/**
 * Applies envelopes in turn.
 * @param {OrderView} view
 * @param {ReadonlyArray<Envelope>} envelopes
 * @param {number} [now]
 * @returns {OrderView}
 */
export function applyEvents(view: OrderView, envelopes: ReadonlyArray<Envelope>, now?: number): OrderView;
export type Envelope = import("./pipeline.js").Envelope;
export type OrderStatus = import("./order-status.js").OrderStatus;
export type Party = {
    id: string;
    name?: string;
    phone?: string;
};
export type Item = {
    name: string;
    quantity: number;
};
export type Location = {
    lat: number;
    lng: number;
    heading?: number;
    ts: number;
};
export type Delay = {
    reason: string;
    since: string;
};
/**
 * Why an event changed nothing but the timeline.
 */
export type IgnoredReason = "backwards" | "invalid_transition" | "order_final" | "not_allowed_in_status" | "already_created" | "invalid_payload";
/**
 * One durable event of the order, for a timeline.
 */
export type TimelineEntry = {
    seq: number;
    /**
     * the event type
     */
    type: string;
    /**
     * its `occurredAt` ('' when it had none)
     */
    at: string;
    /**
     * status_changed: the new status; order_created: placed
     */
    status?: import("./order-status.js").OrderStatus | undefined;
    /**
     * status_changed, delayed, delivery_failed
     */
    reason?: string | undefined;
    /**
     * instructions_changed
     */
    text?: string | undefined;
    /**
     * eta_changed, delayed
     */
    eta?: string | undefined;
    /**
     * courier_assigned
     */
    courier?: Party | undefined;
    /**
     * the order's status once the event
     * applied (absent on entries added from history at or below the view's seq)
     */
    orderStatus?: import("./order-status.js").OrderStatus | undefined;
    /**
     * set when the view refused the event
     */
    ignored?: IgnoredReason | undefined;
};
/**
 * The order as a UI shows it.
 */
export type OrderView = {
    id: string;
    customer: Party | null;
    courier: Party | null;
    items: Item[];
    address: string;
    status: OrderStatus;
    /**
     * RFC 3339
     */
    eta: string | null;
    /**
     * the courier's latest position
     */
    location: Location | null;
    instructions: string | null;
    /**
     * set by `delayed`, cleared by the next status change
     */
    delay: Delay | null;
    /**
     * the last failed delivery's reason, cleared on delivery
     */
    lastFailure: string | null;
    /**
     * staff only
     */
    internalNote: string | null;
    /**
     * the last durable event reflected (0: none)
     */
    seq: number;
    epoch: string | null;
    /**
     * delivered, cancelled or returned
     */
    final: boolean;
    /**
     * RFC 3339
     */
    createdAt: string | null;
    /**
     * RFC 3339
     */
    updatedAt: string | null;
    /**
     * durable events by seq, one per seq
     */
    timeline: TimelineEntry[];
    /**
     * ms since 1970 of the last change (0: unknown)
     */
    lastUpdated: number;
};
