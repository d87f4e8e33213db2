// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Whether an envelope belongs in the feed too: an order's durable events
 * (they carry the feed's `offset`) and couriers' positions.
 * @param {{ offset?: number, type?: string }} envelope
 */
export function inFeed(envelope: {
    offset?: number;
    type?: string;
}): boolean;
/**
 * `orders` with the server's snapshots of some of them: a snapshot at or
 * past the view's seq replaces it; an older one (the view applied events
 * since the list was read) only fills in what the view lacks, such as the
 * customer, address and items of an order first seen through a later event.
 * @param {Map<string, OrderView>} orders
 * @param {unknown[]} snapshots
 * @returns {Map<string, OrderView>} a new map
 */
export function mergeOrders(orders: Map<string, OrderView>, snapshots: unknown[]): Map<string, OrderView>;
/** @typedef {import('./order-state.js').OrderView} OrderView */
/** @typedef {import('./topic.js').Topic} Topic */
/** The statuses of an order that is not over, along the main path. */
export const ACTIVE_STATUSES: readonly string[];
/**
 * @typedef {object} FeedLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 */
export class FeedCompletion {
    /** @param {FeedLink} link */
    constructor(link: FeedLink);
    link: FeedLink;
    /** Bumped by each snapshot: an older read stops. */
    generation: number;
    /** @type {Set<string>} orders being fetched one by one */
    fetching: Set<string>;
    /**
     * After a feed snapshot: every active order from the REST list.
     * @param {Topic} topic
     */
    complete(topic: Topic): Promise<void>;
    /**
     * An event of an order the feed has never seen: its snapshot.
     * @param {Topic} topic
     * @param {string} id
     */
    missing(topic: Topic, id: string): Promise<void>;
    /**
     * @param {string} url
     * @returns {Promise<any>} the JSON body, or null when refused
     */
    get(url: string): Promise<any>;
}
export type OrderView = import("./order-state.js").OrderView;
export type Topic = import("./topic.js").Topic;
export type FeedLink = {
    baseUrl: string;
    fetch?: typeof fetch | undefined;
    token: () => Promise<string | null>;
};
