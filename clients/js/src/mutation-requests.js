// @ts-check
/**
 * Mutations on their way to the server. Each goes over a live connection
 * (this tab's or the leader tab's) or else over REST with its
 * `clientMutationId` as the idempotency key, and is settled once, by the
 * first of: an `ack` or `reject` frame, the REST answer, the timeout. The
 * ledger (mutations.js) keeps what the view shows meanwhile.
 */

import { MutationLedger } from './mutations.js';
import { fetchOrGlobal, jsonHeaders, newId, orderUrl } from './rest.js';

/** @typedef {import('./topic.js').Topic} Topic */
/** @typedef {{state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string}} MutationResult */

/**
 * What mutations need of the client.
 * @typedef {object} MutationLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 * @property {(frame: object) => boolean} deliver sends over a live
 *   connection; false when there is none (REST then)
 * @property {(name: string) => Topic | undefined} topic a watched topic
 */

export class MutationRequests {
  /**
   * @param {MutationLink} link
   * @param {number} timeoutMs
   */
  constructor(link, timeoutMs) {
    this.link = link;
    this.timeoutMs = timeoutMs;
    this.ledger = new MutationLedger({ timeoutMs, newId });
    /** @type {Map<string, {resolve: (outcome: any) => void, frame: object}>} */
    this.inflight = new Map();
  }

  /**
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} args
   * @returns {Promise<MutationResult>}
   */
  send(orderId, action, args) {
    const { clientMutationId } = this.ledger.begin(orderId, action, args, Date.now());
    this.link.topic(`order:${orderId}`)?.changed();
    const frame = { type: 'mutate', clientMutationId, topic: `order:${orderId}`, action, args };
    return new Promise((resolve) => {
      this.inflight.set(clientMutationId, { resolve, frame });
      setTimeout(() => this.settle(clientMutationId, { state: 'rolled_back', code: 'timeout', reason: 'no answer in time' }), this.timeoutMs);
      if (!this.link.deliver(frame)) void this.sendOverRest(orderId, action, args, clientMutationId);
    });
  }

  /**
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} args
   * @param {string} clientMutationId
   */
  async sendOverRest(orderId, action, args, clientMutationId) {
    const fetch = fetchOrGlobal(this.link.fetch);
    while (this.inflight.has(clientMutationId)) {
      try {
        const headers = jsonHeaders(await this.link.token(), { 'idempotency-key': clientMutationId });
        const url = orderUrl(this.link.baseUrl, orderId, `/actions/${encodeURIComponent(action)}`);
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(args) });
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          this.settle(clientMutationId, { state: 'confirmed', seq: body?.event?.seq });
        } else if (response.status < 500) {
          this.settle(clientMutationId, {
            state: 'rolled_back',
            code: body?.error?.code ?? `http_${response.status}`,
            reason: body?.error?.message ?? response.statusText,
          });
        }
        if (response.status < 500) return;
      } catch {
        // The network: retry with the same key.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /**
   * Sends every unanswered mutation again, on a new connection (same ids:
   * the server applies each once).
   * @param {(frame: object) => void} send
   */
  resend(send) {
    for (const { frame } of this.inflight.values()) send(frame);
  }

  /**
   * Rolls back every unanswered mutation (the person who made them signed
   * out): none is sent again.
   * @param {string} code
   * @param {string} reason
   */
  abandon(code, reason) {
    for (const id of [...this.inflight.keys()]) this.settle(id, { state: 'rolled_back', code, reason });
  }

  /**
   * @param {string} clientMutationId
   * @param {MutationResult} outcome
   */
  settle(clientMutationId, outcome) {
    const pending = this.inflight.get(clientMutationId);
    if (!pending) return;
    this.inflight.delete(clientMutationId);
    if (outcome.state === 'confirmed') this.ledger.ack(clientMutationId, outcome.seq ?? 0);
    else this.ledger.reject(clientMutationId, outcome.code ?? 'rejected', outcome.reason ?? '');
    const frame = /** @type {any} */ (pending.frame);
    const topic = this.link.topic(frame.topic);
    // The event may have come before its ack: settle against the view now.
    if (topic?.order) this.ledger.settle(topic.order);
    topic?.changed();
    pending.resolve(outcome);
  }
}
