// @ts-check
/**
 * Read receipts: ours, sent (`markRead`) once the newest message is on
 * screen, and the others', shown as "Seen by …" under your last message.
 */

import { shortName } from './chat-people.js';

/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */
/** @typedef {import('./chat-people.js').Namer} Namer */

/**
 * Each participant's last read seq: the history's or the wire's, whichever
 * is further.
 * @param {Record<string, number>} seeded from the history (given before this page opened)
 * @param {Record<string, number>} live from the wire
 */
export function mergeReads(seeded, live) {
  /** @type {Record<string, number>} */
  const out = { ...seeded };
  for (const [subject, seq] of Object.entries(live)) out[subject] = Math.max(out[subject] ?? 0, seq);
  return out;
}

/**
 * The short names of the others who have read your last message.
 * @param {Record<string, number>} reads
 * @param {number} lastOwnSeq 0 while you have written nothing
 * @param {string} mySubject
 * @param {Namer} who
 */
export function seenBy(reads, lastOwnSeq, mySubject, who) {
  return Object.entries(reads)
    .filter(([subject, seq]) => subject !== mySubject && lastOwnSeq > 0 && seq >= lastOwnSeq)
    .map(([subject]) => shortName(who(subject)));
}

/**
 * Marks the chat read up to its newest message, when someone else's
 * message is unread; each seq once.
 * @param {TrackwireClient} client
 * @param {string} orderId
 */
export function createReadMarker(client, orderId) {
  let markedSeq = 0;
  return {
    /**
     * @param {ChatMessage[]} messages
     * @param {number} readSeq how far the chat knows we have read
     * @param {(m: ChatMessage) => boolean} isOwn
     */
    markNewest(messages, readSeq, isOwn) {
      if (messages.length === 0) return;
      const lastSeq = messages[messages.length - 1].seq;
      const read = Math.max(markedSeq, readSeq);
      const unread = messages.some((m) => m.seq > read && !isOwn(m));
      if (!unread) return;
      markedSeq = lastSeq;
      client.markRead(orderId, lastSeq);
    },
  };
}
