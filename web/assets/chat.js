// @ts-check
/**
 * The per-order chat panel: the conversation between an order's customer,
 * its courier and support, for any page that has the page's SDK client.
 *
 *   const chat = mountChat(container, { client, orderId, me, fetch: apiFetch });
 *   chat.destroy();
 *
 * It watches `chat:{orderId}` (messages, who types, who is here, read
 * receipts) and `order:{orderId}` (shared with the page's own watch: the
 * names of the customer and the courier), and renders from their
 * snapshots: only what changed is written, so an update never disturbs
 * the focus, a selection or a screen reader's place, and it never moves
 * the focus itself.
 *
 * - Messages: yours on the right, others on the left with their name and
 *   role. A message you send shows at once ("Sending…"), then as sent, or
 *   with why it was not (Retry / Remove). "Seen" under your last message
 *   once another participant's read receipt reaches it.
 * - The log scrolls itself to a new message only when it was already at
 *   the bottom (or the message is yours); otherwise a "New messages"
 *   button offers to jump.
 * - Read receipts: `markRead` once the newest message is on screen (the
 *   end of the log is in the viewport, the tab is visible).
 * - Screen readers: the log is a labelled `role="log"` region whose own
 *   announcements are off (it would read out your own messages, their
 *   "Sending…"/"Seen" and the history on load); a separate polite live
 *   region says each new message from someone else, once. The root's
 *   `data-settled` says when the history has loaded (later messages are
 *   the ones announced).
 * - Not a party to the order (`forbidden`): the panel says chat is not
 *   available and offers no input.
 *
 * This module puts the panel together and renders it; the parts are
 * chat-log.js (the scrolling log), chat-messages.js (its rows),
 * chat-composer.js (the box), chat-outgoing.js (your messages on their
 * way), chat-presence.js (who is here, who types), chat-reads.js (read
 * receipts), chat-history.js (the REST history), chat-announcer.js (the
 * live region) and chat-people.js (names and roles).
 */

import { createMessageAnnouncer } from './chat-announcer.js';
import { createComposer } from './chat-composer.js';
import { createHistory } from './chat-history.js';
import { createLog } from './chat-log.js';
import { emptyLogText, messageRows } from './chat-messages.js';
import { createOutgoing } from './chat-outgoing.js';
import { personNamer } from './chat-people.js';
import { createPresenceLine, createTypingLine } from './chat-presence.js';
import { createReadMarker, mergeReads } from './chat-reads.js';
import { h, setAttr, show } from './dom.js';
import { icon } from './icons.js';
import { STAFF } from './labels.js';

export { MAX_LENGTH } from './chat-composer.js';
export { sendErrorText } from './chat-outgoing.js';
export { roleLabel } from './chat-people.js';

/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */
/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('./chat-outgoing.js').Pending} Pending */
/** @typedef {import('./chat-people.js').Me} Me */

/**
 * @typedef {object} ChatOptions
 * @property {TrackwireClient} client the page's SDK client
 * @property {string} orderId
 * @property {Me} me
 * @property {(path: string, init?: RequestInit) => Promise<Response>} [fetch] an
 *   authorized fetch for the REST API (session.js's `apiFetch`): read receipts
 *   given before the page opened come from the chat's history
 */

/**
 * Who pages run as without a login: the server's development identity
 * (docs/api.md: subject `dev`, role `admin`).
 * @type {Me}
 */
export const DEVELOPMENT_IDENTITY = Object.freeze({ subject: 'dev', role: 'admin', name: 'Developer' });

let panels = 0;

/**
 * Mounts the chat panel into `container` (its content is replaced).
 * @param {HTMLElement} container
 * @param {ChatOptions} options
 * @returns {{ destroy(): void }}
 */
export function mountChat(container, { client, orderId, me, fetch }) {
  const uid = `chat-${++panels}`;
  const staffViewer = STAFF.has(me.role);

  // --- state -----------------------------------------------------------------
  /** subject → role, as presence told it (a courier reassigned stays a courier). */
  /** @type {Map<string, string>} */
  const roles = new Map();
  let destroyed = false;
  let queued = false;
  const outgoing = createOutgoing({ client, orderId, me, onChange: schedule });
  const history = createHistory({ orderId, fetch, roles, onLoaded: schedule });
  const readMarker = createReadMarker(client, orderId);

  // --- the DOM ---------------------------------------------------------------
  const presence = createPresenceLine(uid, me);
  const log = createLog({ uid, onEndChange: maybeMarkRead, keepFocus: () => composer.focus() });
  const typingLine = createTypingLine(me);
  const composer = createComposer({ uid, client, orderId, canSend: () => !outgoing.forbidden, onSend: send });
  const unavailable = h('div', { class: 'chat__unavailable', role: 'status', hidden: true });
  const announcer = createMessageAnnouncer({
    lastSeq: currentLastSeq,
    isOwn: outgoing.isOwn,
    onSettled: () => {
      root.dataset.settled = 'true';
    },
  });
  const root = h(
    'div',
    { class: 'chat', 'data-chat-state': 'loading' },
    presence.element,
    log.element,
    typingLine.element,
    composer.form,
    unavailable,
    announcer.element,
  );
  container.replaceChildren(root);

  const chatWatch = client.watch(`chat:${orderId}`, schedule);
  const orderWatch = client.watchOrder(orderId, schedule);

  const onVisibility = () => maybeMarkRead();
  document.addEventListener('visibilitychange', onVisibility);

  /** Buttons under a message that was not sent. */
  const failedActions = {
    /** @param {Pending} p */
    retry(p) {
      // Keep the keyboard somewhere useful while the row is redrawn.
      composer.focus();
      outgoing.retry(p, currentLastSeq());
      schedule();
    },
    /** @param {Pending} p */
    remove(p) {
      outgoing.remove(p);
      composer.focus();
      schedule();
    },
  };

  history.start();
  render();

  // --- rendering -------------------------------------------------------------
  function schedule() {
    if (queued || destroyed) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      if (!destroyed) render();
    });
  }

  function render() {
    const chat = chatWatch.snapshot();
    const order = orderWatch.snapshot().order;
    for (const member of chat.present) roles.set(member.subject, member.role);

    const state = outgoing.forbidden || (chat.status === 'error' && chat.error === 'forbidden')
      ? 'forbidden'
      : chat.status === 'error'
        ? 'error'
        : chat.status === 'loading'
          ? 'loading'
          : 'ready';
    setAttr(root, 'data-chat-state', state);
    const usable = state === 'ready' || state === 'loading';
    show(composer.form, usable);
    show(log.element, usable);
    show(presence.element, usable);
    show(typingLine.element, usable);
    show(unavailable, !usable);
    if (!usable) {
      renderUnavailable(state, chat.error);
      client.stopTyping(orderId);
      return;
    }

    const who = personNamer(order, roles, staffViewer);
    presence.render(chat.present, who);
    typingLine.render(chat.typing, who);

    const messages = allMessages();
    const lastSeq = messages.length ? messages[messages.length - 1].seq : 0;
    if (state === 'ready' && history.done) announcer.settle(lastSeq);
    const rows = messageRows({
      messages,
      unconfirmed: outgoing.unconfirmed(messages),
      reads: mergeReads(history.reads, chat.reads),
      me,
      isOwn: outgoing.isOwn,
      who,
      actions: failedActions,
    });
    log.render(rows, emptyLogText(state === 'loading' || !history.done, me));
    announcer.announce(messages, who);
    maybeMarkRead();
  }

  /**
   * @param {string} state
   * @param {string | null} code
   */
  function renderUnavailable(state, code) {
    const [title, text] =
      state === 'forbidden'
        ? [
            'Chat is not available',
            'Only the order’s customer, its courier and our support team can chat about this order.',
          ]
        : code === 'order_not_found'
          ? ['Chat is not available', 'This order can’t be found.']
          : ['Chat is not available right now', `The server refused it (${code ?? 'error'}). Please try again later.`];
    const key = `${title}|${text}`;
    if (unavailable.dataset.key === key) return;
    unavailable.dataset.key = key;
    unavailable.replaceChildren(
      icon('info', 'icon chat__unavailable-icon'),
      h('div', {}, h('p', { class: 'chat__unavailable-title', text: title }), h('p', { text })),
    );
  }

  function maybeMarkRead() {
    if (destroyed || outgoing.forbidden || !log.endVisible || document.visibilityState !== 'visible') return;
    const chat = chatWatch.snapshot();
    if (chat.status === 'error' || chat.status === 'loading') return;
    const readSeq = Math.max(chat.reads[me.subject] ?? 0, history.reads[me.subject] ?? 0);
    readMarker.markNewest(allMessages(), readSeq, outgoing.isOwn);
  }

  // --- sending ---------------------------------------------------------------
  /** @param {string} text */
  function send(text) {
    // Your own message: show it, wherever the log was.
    log.follow();
    outgoing.send(text, currentLastSeq());
    render();
  }

  /**
   * The chat's messages: the wire's and the history's, by seq, once each.
   * @returns {ChatMessage[]}
   */
  function allMessages() {
    return history.merged(chatWatch.snapshot().messages);
  }

  function currentLastSeq() {
    const messages = allMessages();
    return messages.length ? messages[messages.length - 1].seq : 0;
  }

  return {
    destroy() {
      if (destroyed) return;
      destroyed = true;
      announcer.destroy();
      log.destroy();
      history.stop();
      document.removeEventListener('visibilitychange', onVisibility);
      client.stopTyping(orderId);
      chatWatch.unsubscribe();
      orderWatch.unsubscribe();
      root.remove();
    },
  };
}
