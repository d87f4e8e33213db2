// @ts-check
/**
 * The conversation on an order: chat messages (over REST, with an id that
 * makes a retry appear once), read receipts, and typing, sent at most every
 * 300 ms with a stop 2 s after the last keystroke. Receipts and typing go
 * over a live WebSocket, else over REST (a one-way transport cannot carry
 * them); a receiver expires a typing state whose stop was lost.
 * Presence needs nothing here: the topic applies `presence` frames.
 */

import { fetchOrGlobal, jsonHeaders, newId, orderUrl } from './rest.js';

/** @typedef {import('./topic.js').Topic} Topic */

/**
 * What the chat needs of the client.
 * @typedef {object} ChatLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 * @property {(frame: object) => boolean} sendLive sends over a live two-way
 *   transport; false when there is none
 */

export class ChatSender {
  /** @param {ChatLink} link */
  constructor(link) {
    this.link = link;
    /** @type {Map<string, {sentAt: number, stop: ReturnType<typeof setTimeout> | null}>} */
    this.typists = new Map();
  }

  /**
   * Posts a message, retried with the same id; resolves once the server
   * stored it.
   * @param {string} orderId
   * @param {string} text
   * @returns {Promise<{clientMessageId: string}>}
   */
  async sendMessage(orderId, text) {
    const clientMessageId = newId();
    this.stopTyping(orderId);
    const fetch = fetchOrGlobal(this.link.fetch);
    const headers = jsonHeaders(await this.link.token());
    /** @type {string} */
    let failure = 'unavailable';
    // A few tries with the same id (the server stores it once), then give up.
    for (let attempt = 0; attempt < 4; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      let response;
      try {
        response = await fetch(orderUrl(this.link.baseUrl, orderId, '/chat'), {
          method: 'POST',
          headers,
          body: JSON.stringify({ text, clientMessageId }),
        });
      } catch {
        failure = 'network';
        continue;
      }
      if (response.ok) return { clientMessageId };
      const body = await response.json().catch(() => ({}));
      failure = body?.error?.code ?? `http_${response.status}`;
      // A refusal (4xx) will not change on a retry.
      if (response.status < 500) break;
    }
    throw new Error(failure);
  }

  /** @param {string} orderId */
  typing(orderId) {
    const now = Date.now();
    const state = this.typists.get(orderId) ?? { sentAt: 0, stop: /** @type {any} */ (null) };
    if (now - state.sentAt >= 300) {
      state.sentAt = now;
      this.sendTyping(orderId, true);
    }
    if (state.stop) clearTimeout(state.stop);
    state.stop = setTimeout(() => this.stopTyping(orderId), 2000);
    this.typists.set(orderId, state);
  }

  /** @param {string} orderId */
  stopTyping(orderId) {
    const state = this.typists.get(orderId);
    if (!state) return;
    if (state.stop) clearTimeout(state.stop);
    this.typists.delete(orderId);
    this.sendTyping(orderId, false);
  }

  /** @param {string} orderId @param {boolean} active */
  sendTyping(orderId, active) {
    const payload = { active, ts: Date.now() };
    if (this.link.sendLive({ type: 'publish', topic: `chat:${orderId}`, event: 'typing', payload })) return;
    this.postQuietly(orderId, '/chat/typing', payload);
  }

  /**
   * @param {string} orderId
   * @param {number} seq
   */
  markRead(orderId, seq) {
    const frame = { type: 'publish', topic: `chat:${orderId}`, event: 'chat_read', payload: { seq } };
    if (this.link.sendLive(frame)) return;
    this.postQuietly(orderId, '/chat/read', { seq });
  }

  /**
   * POSTs a signal that is not worth a retry: a lost one is superseded by
   * the next (typing) or repeated on the next read (receipts).
   * @param {string} orderId @param {string} path @param {object} body
   */
  postQuietly(orderId, path, body) {
    void (async () => {
      const fetch = fetchOrGlobal(this.link.fetch);
      const headers = jsonHeaders(await this.link.token());
      await fetch(orderUrl(this.link.baseUrl, orderId, path), {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      }).catch(() => undefined);
    })();
  }
}

/**
 * Clears typing states whose stop was lost, when they are due.
 * @param {Topic} topic
 */
export function scheduleTypingExpiry(topic) {
  if (topic.typingTimer) clearTimeout(topic.typingTimer);
  topic.typingTimer = null;
  const next = topic.nextTypingExpiry();
  if (next === undefined) return;
  topic.typingTimer = setTimeout(() => {
    topic.typingTimer = null;
    topic.expireTyping();
    scheduleTypingExpiry(topic);
  }, Math.max(0, next - Date.now()) + 10);
}
