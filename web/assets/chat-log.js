// @ts-check
/**
 * The chat's scrolling log. Rows are written from descriptions (key,
 * signature, builder): a row whose signature is unchanged is kept, so an
 * update never disturbs the focus, a selection or a screen reader's place.
 * The log scrolls itself to a new message only when it was already at the
 * bottom (or the message is yours); otherwise a "New messages" button
 * offers to jump.
 */

import { h, setText, show } from './dom.js';

/** How many pixels from the bottom still count as "at the bottom". */
const BOTTOM_SLACK = 32;

/**
 * A row of the log, as rendered.
 * @typedef {object} Row
 * @property {string} key
 * @property {string} sig
 * @property {boolean} fromOthers a message from someone else (new ones below the view count as unseen)
 * @property {() => HTMLElement} build
 */

/**
 * @param {object} options
 * @param {string} options.uid the panel's prefix for element ids (the presence line is `${uid}-presence`)
 * @param {() => void} options.onEndChange the end of the log came into view or left it
 * @param {() => void} options.keepFocus puts the focus somewhere useful when the row holding it goes
 */
export function createLog({ uid, onEndChange, keepFocus }) {
  const list = h('ol', { class: 'chat__list' });
  const empty = h('p', { class: 'chat__empty' });
  const sentinel = h('div', { class: 'chat__end', 'aria-hidden': 'true' });
  const jump = h('button', { type: 'button', class: 'chat__jump', hidden: true });
  const log = h(
    'div',
    {
      class: 'chat__log',
      role: 'log',
      'aria-live': 'off',
      'aria-label': 'Messages',
      'aria-describedby': `${uid}-presence`,
      tabindex: '0',
    },
    empty,
    list,
    sentinel,
  );
  const element = h('div', { class: 'chat__log-wrap' }, log, jump);

  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();
  /** Others' messages below the visible part of the log, not yet seen. */
  let unseenBelow = 0;
  let endVisible = false;
  /**
   * The log follows new messages: true until the reader scrolls up, true
   * again once they are back at the bottom. Kept as state (not measured at
   * render time) so a log rendered while hidden still starts at its end.
   */
  let stuck = true;
  /**
   * Where the log was scrolled when last known (by us or a scroll event),
   * and whether it was shown then (a hidden log forgets its position).
   */
  let scrolledTo = 0;
  let scrolledShown = false;

  log.addEventListener('scroll', () => {
    if (log.clientHeight === 0) return;
    scrolledTo = log.scrollTop;
    scrolledShown = true;
    stuck = atBottom();
    if (stuck) unseenBelow = 0;
    renderJump();
  });
  jump.addEventListener('click', () => {
    stuck = true;
    scrollToEnd();
    unseenBelow = 0;
    renderJump();
    // The button goes away: keep the keyboard in the log, not on <body>.
    log.focus({ preventScroll: true });
  });
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
          endVisible = entries.some((entry) => entry.isIntersecting);
          if (endVisible) {
            unseenBelow = 0;
            renderJump();
          }
          onEndChange();
        })
      : null;
  observer?.observe(sentinel);
  if (!observer) endVisible = true;
  // New rows, a "Seen" line, the log shown after being hidden or resized:
  // a log that follows stays at its end.
  const resizer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver(() => {
          if (log.clientHeight === 0) scrolledShown = false;
          else if (stuck) scrollToEnd();
        })
      : null;
  resizer?.observe(log);
  resizer?.observe(list);

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK;
  }

  function scrollToEnd() {
    // The log's own scroll position only: never the page's, never the focus.
    log.scrollTop = log.scrollHeight;
    scrolledTo = log.scrollTop;
    scrolledShown = log.clientHeight > 0;
  }

  function renderJump() {
    const shown = unseenBelow > 0 && !stuck;
    show(jump, shown);
    setText(jump, unseenBelow === 1 ? 'New message ↓' : `${unseenBelow} new messages ↓`);
  }

  /**
   * Keeps rows whose signature is unchanged, replaces the others, and
   * orders them as wanted (moving as few as possible).
   * @param {Row[]} wanted
   */
  function reconcileRows(wanted) {
    const keys = new Set(wanted.map((r) => r.key));
    for (const [key, row] of rows) {
      if (!keys.has(key)) {
        // A failed message's buttons may hold the focus: hand it to the box.
        if (row.contains(document.activeElement)) keepFocus();
        row.remove();
        rows.delete(key);
      }
    }
    /** @type {Element | null} */
    let cursor = list.firstElementChild;
    for (const want of wanted) {
      let row = rows.get(want.key);
      if (!row || row.dataset.sig !== want.sig) {
        const fresh = want.build();
        fresh.dataset.sig = want.sig;
        fresh.dataset.row = want.key;
        if (row) {
          const hadFocus = row.contains(document.activeElement);
          row.replaceWith(fresh);
          if (cursor === row) cursor = fresh;
          if (hadFocus) keepFocus();
        }
        rows.set(want.key, fresh);
        row = fresh;
      }
      if (row === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(row, cursor);
    }
  }

  return {
    element,
    /** The end of the log is in the viewport. */
    get endVisible() {
      return endVisible;
    },
    /** Follows new messages again, wherever the log was. */
    follow() {
      stuck = true;
    },
    /**
     * Writes the rows, then keeps the log at its end when it follows, or
     * counts the new messages from others below the view.
     * @param {Row[]} wanted
     * @param {string} emptyText what the log says while it has no rows
     */
    render(wanted, emptyText) {
      // A scroll the reader made this very frame has no event yet: measure it
      // before new rows change the heights.
      if (scrolledShown && log.clientHeight > 0 && Math.abs(log.scrollTop - scrolledTo) > 1) {
        scrolledTo = log.scrollTop;
        stuck = atBottom();
      }
      const fromOthers = wanted.filter((row) => row.fromOthers && !rows.has(row.key)).length;
      reconcileRows(wanted);
      show(empty, wanted.length === 0);
      setText(empty, emptyText);
      if (stuck) {
        scrollToEnd();
        unseenBelow = 0;
      } else {
        unseenBelow += fromOthers;
      }
      renderJump();
    },
    destroy() {
      observer?.disconnect();
      resizer?.disconnect();
    },
  };
}
