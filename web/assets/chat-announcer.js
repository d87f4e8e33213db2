// @ts-check
/**
 * What a screen reader hears of new messages. The log's own announcements
 * are off (it would read out your own messages, their "Sending…"/"Seen"
 * and the history on load); this polite live region says each new message
 * from someone else, once. Messages count as new once the history has
 * settled.
 */

import { h } from './dom.js';

/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('./chat-people.js').Namer} Namer */

/**
 * @param {object} options
 * @param {() => number} options.lastSeq the chat's newest seq now
 * @param {(m: ChatMessage) => boolean} options.isOwn
 * @param {() => void} options.onSettled the history has settled: later messages are announced
 */
export function createMessageAnnouncer({ lastSeq, isOwn, onSettled }) {
  const element = h('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  /**
   * The newest seq once the history has loaded (the chat was quiet for a
   * moment after it went live): later messages are announced.
   */
  let baselineSeq = /** @type {number | null} */ (null);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let baselineTimer = null;
  let settlingSeq = 0;
  let announcedSeq = 0;

  return {
    element,
    /**
     * Call on each render once the chat is live and its history loaded.
     * @param {number} newestSeq
     */
    settle(newestSeq) {
      if (baselineSeq !== null || (baselineTimer !== null && newestSeq === settlingSeq)) return;
      // The history comes as a burst of events: wait for it to settle.
      settlingSeq = newestSeq;
      if (baselineTimer !== null) clearTimeout(baselineTimer);
      baselineTimer = setTimeout(() => {
        baselineTimer = null;
        baselineSeq = lastSeq();
        announcedSeq = baselineSeq;
        onSettled();
      }, 400);
    },
    /**
     * Tells a screen reader about new messages from others (not the history
     * on load, not your own).
     * @param {ChatMessage[]} messages
     * @param {Namer} who
     */
    announce(messages, who) {
      if (baselineSeq === null) return;
      const fresh = messages.filter((m) => m.seq > announcedSeq && !isOwn(m));
      if (messages.length) announcedSeq = Math.max(announcedSeq, messages[messages.length - 1].seq);
      if (fresh.length === 0) return;
      element.textContent = fresh
        .map((m) => {
          const person = who(m.from);
          return `${person.name ? `${person.name}, ${person.label}` : person.label}: ${m.text}`;
        })
        .join('. ');
    },
    destroy() {
      if (baselineTimer !== null) clearTimeout(baselineTimer);
    },
  };
}
