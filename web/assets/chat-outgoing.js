// @ts-check
/**
 * Your own messages on their way: each shows at once ("Sending…"), then as
 * sent, or with why it was not (Retry / Remove), until the chat's messages
 * hold it.
 */

import { MAX_LENGTH } from './chat-composer.js';

/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */
/** @typedef {import('./chat-people.js').Me} Me */

/**
 * An own message not (yet) in the chat's messages.
 * @typedef {object} Pending
 * @property {number} local
 * @property {string} text
 * @property {number} at
 * @property {'sending' | 'sent' | 'failed'} state
 * @property {string} [error]
 * @property {boolean} [permanent] retrying would fail the same way
 * @property {string} [clientMessageId]
 * @property {number} baseSeq the chat's last seq when it was sent
 */

/**
 * What a refused send means, in words.
 * @param {unknown} error the `sendMessage` rejection
 */
export function sendErrorText(error) {
  const code = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'forbidden':
      return 'You can’t write in this chat.';
    case 'validation_failed':
      return `The server did not accept it: a message needs some text, ${MAX_LENGTH.toLocaleString('en')} characters at most.`;
    case 'order_not_found':
      return 'This order no longer exists.';
    case 'rate_limited':
      return 'Too many messages at once. Wait a moment, then retry.';
    case 'unauthorized':
    case 'token_expired':
      return 'Your sign-in has expired. Sign in again, then retry.';
    case 'idempotency_key_reused':
      return 'The server mixed it up with another message. Retry.';
    default:
      if (/^http_5\d\d$/.test(code) || code === 'internal' || !/^[a-z_0-9]+$/.test(code)) {
        return 'Couldn’t reach the server. Check your connection, then retry.';
      }
      return `The server refused it (${code}).`;
  }
}

/**
 * @param {object} options
 * @param {TrackwireClient} options.client
 * @param {string} options.orderId
 * @param {Me} options.me
 * @param {() => void} options.onChange a send settled (or was refused)
 */
export function createOutgoing({ client, orderId, me, onChange }) {
  /** @type {Pending[]} */
  let pending = [];
  let locals = 0;
  /** clientMessageIds this panel sent (own even without `from`). */
  const sentIds = new Set();
  let forbidden = false;

  /** @param {Pending} p */
  function deliver(p) {
    client.sendMessage(orderId, p.text).then(
      ({ clientMessageId }) => {
        sentIds.add(clientMessageId);
        p.clientMessageId = clientMessageId;
        if (p.state === 'sending') p.state = 'sent';
        onChange();
      },
      (error) => {
        const code = error instanceof Error ? error.message : String(error);
        p.state = 'failed';
        p.error = sendErrorText(error);
        p.permanent = code === 'validation_failed' || code === 'forbidden' || code === 'order_not_found';
        if (code === 'forbidden') forbidden = true;
        onChange();
      },
    );
  }

  /** @param {ChatMessage} m */
  function isOwn(m) {
    return m.from === me.subject || sentIds.has(m.clientMessageId);
  }

  return {
    /** A send was refused as `forbidden`: this user may not write here. */
    get forbidden() {
      return forbidden;
    },
    isOwn,
    /**
     * @param {string} text
     * @param {number} baseSeq the chat's last seq now
     */
    send(text, baseSeq) {
      /** @type {Pending} */
      const p = { local: ++locals, text, at: Date.now(), state: 'sending', baseSeq };
      pending.push(p);
      deliver(p);
    },
    /**
     * @param {Pending} p a failed one
     * @param {number} baseSeq the chat's last seq now
     */
    retry(p, baseSeq) {
      p.state = 'sending';
      p.error = undefined;
      p.baseSeq = baseSeq;
      deliver(p);
    },
    /** @param {Pending} p */
    remove(p) {
      pending = pending.filter((q) => q !== p);
    },
    /**
     * The ones to show after the chat's `messages` (which may already hold
     * some of them).
     * @param {ChatMessage[]} messages
     * @returns {Pending[]}
     */
    unconfirmed(messages) {
      // Own messages sent from here: gone once the chat has them.
      const byId = new Set(messages.map((m) => m.clientMessageId));
      pending = pending.filter((p) => !(p.clientMessageId && byId.has(p.clientMessageId)));
      // Still sending, its id unknown: the chat may already have it.
      const claimed = new Set();
      return pending.filter((p) => {
        if (p.state !== 'sending' || p.clientMessageId) return true;
        const match = messages.find((m) => m.seq > p.baseSeq && isOwn(m) && m.text === p.text && !claimed.has(m.seq));
        if (match) claimed.add(match.seq);
        return !match;
      });
    },
  };
}
