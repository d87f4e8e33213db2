// @ts-check
/**
 * The `orders` feed's view made whole. A feed snapshot holds the newest
 * orders only (the server sends a page of 100); a dispatcher needs every
 * active order, each with its customer, address and items. So after each
 * feed snapshot the client reads the active orders from the REST list
 * (`GET /v1/orders?status=…`), one status at a time along the main path:
 * an order that moves on while the pages are read is found in a later
 * page. An event of an order the feed has never seen fetches that order's
 * snapshot. Orders the snapshot did not hold stay shown until the list has
 * been read; those it did not list either (final by now, or gone) go then.
 */

import { fromSnapshot } from './order-state.js';
import { fetchOrGlobal, orderUrl } from './rest.js';

/** @typedef {import('./order-state.js').OrderView} OrderView */
/** @typedef {import('./topic.js').Topic} Topic */

/** The statuses of an order that is not over, along the main path. */
export const ACTIVE_STATUSES = Object.freeze(['placed', 'confirmed', 'preparing', 'shipped', 'out_for_delivery']);

/** Most orders one page of the REST list holds. */
const PAGE = 100;

/**
 * Whether an envelope belongs in the feed too: an order's durable events
 * (they carry the feed's `offset`) and couriers' positions.
 * @param {{ offset?: number, type?: string }} envelope
 */
export function inFeed(envelope) {
  return envelope.offset !== undefined || envelope.type === 'location';
}

/**
 * `orders` with the server's snapshots of some of them: a snapshot at or
 * past the view's seq replaces it; an older one (the view applied events
 * since the list was read) only fills in what the view lacks, such as the
 * customer, address and items of an order first seen through a later event.
 * @param {Map<string, OrderView>} orders
 * @param {unknown[]} snapshots
 * @returns {Map<string, OrderView>} a new map
 */
export function mergeOrders(orders, snapshots) {
  const merged = new Map(orders);
  for (const snapshot of snapshots) {
    const view = fromSnapshot(snapshot);
    if (!view.id) continue;
    const known = merged.get(view.id);
    if (!known || known.seq <= view.seq) {
      merged.set(view.id, fromSnapshot(snapshot, known));
      continue;
    }
    merged.set(view.id, {
      ...known,
      customer: known.customer ?? view.customer,
      courier: known.courier ?? view.courier,
      items: known.items.length > 0 ? known.items : view.items,
      address: known.address || view.address,
      eta: known.eta ?? view.eta,
      instructions: known.instructions ?? view.instructions,
      internalNote: known.internalNote ?? view.internalNote,
      createdAt: known.createdAt ?? view.createdAt,
    });
  }
  return merged;
}

/**
 * @typedef {object} FeedLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 */

export class FeedCompletion {
  /** @param {FeedLink} link */
  constructor(link) {
    this.link = link;
    /** Bumped by each snapshot: an older read stops. */
    this.generation = 0;
    /** @type {Set<string>} orders being fetched one by one */
    this.fetching = new Set();
  }

  /**
   * After a feed snapshot: every active order from the REST list.
   * @param {Topic} topic
   */
  async complete(topic) {
    const generation = ++this.generation;
    try {
      for (const status of ACTIVE_STATUSES) {
        /** @type {string | undefined} */
        let cursor;
        do {
          const query = new URLSearchParams({ status, limit: String(PAGE) });
          if (cursor) query.set('cursor', cursor);
          const page = await this.get(`${this.link.baseUrl}/v1/orders?${query}`);
          if (generation !== this.generation) return;
          if (!page || !Array.isArray(page.items)) return; // refused or down: the snapshot's orders stay
          topic.mergeOrders(page.items);
          cursor = typeof page.next === 'string' ? page.next : undefined;
        } while (cursor);
      }
      topic.dropUnlisted();
    } catch {
      // The network: what the feed shows stays; the next snapshot reads again.
    }
  }

  /**
   * An event of an order the feed has never seen: its snapshot.
   * @param {Topic} topic
   * @param {string} id
   */
  async missing(topic, id) {
    if (this.fetching.has(id)) return;
    this.fetching.add(id);
    try {
      const order = await this.get(orderUrl(this.link.baseUrl, id, ''));
      if (order) topic.mergeOrders([order]);
    } catch {
      // The network: the row fills in with the order's next event or snapshot.
    } finally {
      this.fetching.delete(id);
    }
  }

  /**
   * @param {string} url
   * @returns {Promise<any>} the JSON body, or null when refused
   */
  async get(url) {
    const token = await this.link.token();
    const headers = token ? { authorization: `Bearer ${token}` } : undefined;
    const response = await fetchOrGlobal(this.link.fetch)(url, { headers });
    return response.ok ? response.json() : null;
  }
}
