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
 */

/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */
/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('/sdk/index.js').Member} Member */
/** @typedef {import('/sdk/index.js').OrderView} OrderView */
/** @typedef {import('/sdk/index.js').TopicSnapshot} TopicSnapshot */

/**
 * Who is using the panel (a persona of session.js fits).
 * @typedef {object} Me
 * @property {string} subject
 * @property {string} role customer, courier, dispatcher, admin or service
 * @property {string} [name]
 */

/**
 * @typedef {object} ChatOptions
 * @property {TrackwireClient} client the page's SDK client
 * @property {string} orderId
 * @property {Me} me
 * @property {(path: string, init?: RequestInit) => Promise<Response>} [fetch] an
 *   authorized fetch for the REST API (session.js's `apiFetch`): read receipts
 *   given before the page opened come from the chat's history
 */

/** The server's limit for one message. */
export const MAX_LENGTH = 2000;

/** From this many characters on, the box shows how many are left. */
const COUNT_FROM = 1800;

/**
 * Who pages run as without a login: the server's development identity
 * (docs/api.md: subject `dev`, role `admin`).
 * @type {Me}
 */
export const DEVELOPMENT_IDENTITY = Object.freeze({ subject: 'dev', role: 'admin', name: 'Developer' });

const STAFF = new Set(['dispatcher', 'admin', 'service']);

/** How many pixels from the bottom still count as "at the bottom". */
const BOTTOM_SLACK = 32;

/** Messages from one sender within this long are grouped under one name. */
const GROUP_MS = 5 * 60000;

/** @type {Record<string, string>} */
const ROLE_LABELS = {
  customer: 'Customer',
  courier: 'Courier',
  dispatcher: 'Support',
  admin: 'Support',
  service: 'Shop',
};

/**
 * "Customer", "Courier", "Support" (dispatchers and admins), "Shop".
 * @param {string} role
 */
export function roleLabel(role) {
  return ROLE_LABELS[role] ?? 'Support';
}

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
 * One person as the panel names them.
 * @typedef {object} Person
 * @property {string} role
 * @property {string} label "Customer", "Courier", "Support"
 * @property {string} [name] their name, when the order has it
 */

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
 * A row of the log, as rendered.
 * @typedef {object} Row
 * @property {string} key
 * @property {string} sig
 * @property {() => HTMLElement} build
 */

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

  // --- the DOM ---------------------------------------------------------------
  const presence = el('p', { class: 'chat__presence', id: `${uid}-presence` });
  const list = el('ol', { class: 'chat__list' });
  const empty = el('p', { class: 'chat__empty' });
  const sentinel = el('div', { class: 'chat__end', 'aria-hidden': 'true' });
  const jump = el('button', { type: 'button', class: 'chat__jump', hidden: true });
  const log = el(
    'div',
    {
      class: 'chat__log',
      role: 'log',
      'aria-live': 'off',
      'aria-label': 'Messages',
      'aria-describedby': `${uid}-presence`,
      tabindex: '0',
    },
    [empty, list, sentinel],
  );
  const logWrap = el('div', { class: 'chat__log-wrap' }, [log, jump]);
  const typingLine = el('p', { class: 'chat__typing' });
  const announcer = el('p', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const input = /** @type {HTMLTextAreaElement} */ (
    el('textarea', {
      id: `${uid}-input`,
      class: 'field__input chat__input',
      rows: '1',
      maxlength: String(MAX_LENGTH),
      placeholder: 'Write a message…',
      autocomplete: 'off',
      'aria-describedby': `${uid}-hint ${uid}-count`,
    })
  );
  const send = /** @type {HTMLButtonElement} */ (
    el('button', { type: 'submit', class: 'btn btn--primary chat__send', disabled: true }, [
      sendIcon(),
      el('span', { class: 'chat__send-label', text: 'Send' }),
    ])
  );
  const count = el('span', { id: `${uid}-count`, class: 'field__count chat__count' });
  const form = /** @type {HTMLFormElement} */ (
    el('form', { class: 'chat__form', novalidate: true }, [
      el('label', { for: `${uid}-input`, class: 'visually-hidden', text: 'Message' }),
      el('div', { class: 'chat__compose' }, [input, send]),
      el('p', { class: 'chat__hint' }, [
        el('span', { id: `${uid}-hint`, text: 'Enter to send, Shift+Enter for a new line.' }),
        count,
      ]),
    ])
  );
  const unavailable = el('div', { class: 'chat__unavailable', role: 'status', hidden: true });
  const root = el('div', { class: 'chat', 'data-chat-state': 'loading' }, [
    presence,
    logWrap,
    typingLine,
    form,
    unavailable,
    announcer,
  ]);
  container.replaceChildren(root);

  // --- state -----------------------------------------------------------------
  /** @type {Pending[]} */
  let pending = [];
  let locals = 0;
  /** clientMessageIds this panel sent (own even without `from`). */
  const sentIds = new Set();
  /** subject → role, as presence told it (a courier reassigned stays a courier). */
  /** @type {Map<string, string>} */
  const roles = new Map();
  /** Read receipts from the history (given before this page opened). */
  /** @type {Record<string, number>} */
  let seededReads = {};
  /**
   * Messages from the REST history, by seq, merged with the SDK's view.
   * The view holds what came on the wire since it subscribed: a chat
   * longer than the server replays (1,000 events) arrives as a snapshot
   * without its messages, and read receipts given before are not replayed
   * at all; both come from here.
   * @type {Map<number, ChatMessage>}
   */
  const history = new Map();
  /** The history has loaded (or there is none to load: no `fetch`). */
  let historyDone = !fetch;
  /** @type {{ wire: ChatMessage[] | null, size: number, merged: ChatMessage[] } | null} */
  let mergedCache = null;
  let markedSeq = 0;
  /**
   * The newest seq once the history has loaded (the chat was quiet for a
   * moment after it went live): later messages are announced.
   */
  let baselineSeq = /** @type {number | null} */ (null);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let baselineTimer = null;
  let settlingSeq = 0;
  let announcedSeq = 0;
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
  let forbidden = false;
  let destroyed = false;
  let queued = false;
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();

  const chatWatch = client.watch(`chat:${orderId}`, schedule);
  const orderWatch = client.watchOrder(orderId, schedule);

  // --- events ----------------------------------------------------------------
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    updateCompose();
    if (input.value.trim() === '') client.stopTyping(orderId);
    else client.typing(orderId);
  });
  input.addEventListener('blur', () => {
    if (input.value.trim() === '') client.stopTyping(orderId);
  });
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
  const onVisibility = () => maybeMarkRead();
  document.addEventListener('visibilitychange', onVisibility);
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver((entries) => {
          endVisible = entries.some((entry) => entry.isIntersecting);
          if (endVisible) {
            unseenBelow = 0;
            renderJump();
          }
          maybeMarkRead();
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

  if (fetch) loadHistory(fetch);
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

    const state = forbidden || (chat.status === 'error' && chat.error === 'forbidden')
      ? 'forbidden'
      : chat.status === 'error'
        ? 'error'
        : chat.status === 'loading'
          ? 'loading'
          : 'ready';
    attr(root, 'data-chat-state', state);
    const usable = state === 'ready' || state === 'loading';
    show(form, usable);
    show(logWrap, usable);
    show(presence, usable);
    show(typingLine, usable);
    show(unavailable, !usable);
    if (!usable) {
      renderUnavailable(state, chat.error);
      client.stopTyping(orderId);
      return;
    }

    /**
     * Staff see which colleague it was (their subject); customers and
     * couriers see "Support".
     * @param {string | undefined} subject
     */
    const who = (subject) => {
      const person = personOf(subject, order, roles);
      if (staffViewer && subject && !person.name && person.role !== 'customer' && person.role !== 'courier') {
        person.name = subject;
      }
      return person;
    };
    renderPresence(chat.present, who);
    renderTyping(chat.typing, who);

    const messages = allMessages();
    const lastSeq = messages.length ? messages[messages.length - 1].seq : 0;
    if (baselineSeq === null && state === 'ready' && historyDone && (baselineTimer === null || lastSeq !== settlingSeq)) {
      // The history comes as a burst of events: wait for it to settle.
      settlingSeq = lastSeq;
      if (baselineTimer !== null) clearTimeout(baselineTimer);
      baselineTimer = setTimeout(() => {
        baselineTimer = null;
        baselineSeq = currentLastSeq();
        announcedSeq = baselineSeq;
        root.dataset.settled = 'true';
      }, 400);
    }
    // A scroll the reader made this very frame has no event yet: measure it
    // before new rows change the heights.
    if (scrolledShown && log.clientHeight > 0 && Math.abs(log.scrollTop - scrolledTo) > 1) {
      scrolledTo = log.scrollTop;
      stuck = atBottom();
    }
    const reads = mergedReads(chat.reads);
    const added = renderMessages(messages, reads, who, state === 'loading' || !historyDone);
    if (stuck) {
      scrollToEnd();
      unseenBelow = 0;
    } else {
      unseenBelow += added.fromOthers;
    }
    renderJump();
    announce(messages, who);
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
      infoIcon(),
      el('div', {}, [el('p', { class: 'chat__unavailable-title', text: title }), el('p', { text })]),
    );
  }

  /**
   * @param {Member[]} present
   * @param {(subject: string | undefined) => Person} who
   */
  function renderPresence(present, who) {
    /** @type {Map<string, number>} */
    const counts = new Map();
    const seen = new Set();
    for (const member of present) {
      if (member.subject === me.subject || seen.has(member.subject)) continue;
      seen.add(member.subject);
      const person = who(member.subject);
      const label = person.name ? `${person.name} (${person.label})` : person.label;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const names = [...counts].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
    const text = names.length ? `Here now: ${names.join(', ')}` : 'No one else is here right now.';
    if (presence.dataset.text === text) return;
    presence.dataset.text = text;
    attr(presence, 'data-others', String(names.length));
    presence.replaceChildren(el('span', { class: 'chat__presence-dot', 'aria-hidden': 'true' }), el('span', { text }));
  }

  /**
   * @param {string[]} typing
   * @param {(subject: string | undefined) => Person} who
   */
  function renderTyping(typing, who) {
    const names = [...new Set(typing.filter((s) => s !== me.subject))].map((s) => shortName(who(s)));
    const text =
      names.length === 0
        ? ''
        : names.length === 1
          ? `${names[0]} is typing…`
          : names.length === 2
            ? `${names[0]} and ${names[1]} are typing…`
            : 'Several people are typing…';
    if (typingLine.dataset.text === text) return;
    typingLine.dataset.text = text;
    typingLine.replaceChildren(...(text ? [typingDots(), el('span', { text })] : []));
  }

  /** @param {Record<string, number>} live */
  function mergedReads(live) {
    /** @type {Record<string, number>} */
    const out = { ...seededReads };
    for (const [subject, seq] of Object.entries(live)) out[subject] = Math.max(out[subject] ?? 0, seq);
    return out;
  }

  /** @param {ChatMessage} m */
  function isOwn(m) {
    return m.from === me.subject || sentIds.has(m.clientMessageId);
  }

  /**
   * Writes the log's rows; returns how many new rows came from others.
   * @param {ChatMessage[]} messages
   * @param {Record<string, number>} reads
   * @param {(subject: string | undefined) => Person} who
   * @param {boolean} loading
   */
  function renderMessages(messages, reads, who, loading) {
    // Own messages sent from here: gone once the chat has them.
    const byId = new Set(messages.map((m) => m.clientMessageId));
    pending = pending.filter((p) => !(p.clientMessageId && byId.has(p.clientMessageId)));
    // Still sending, its id unknown: the chat may already have it.
    const claimed = new Set();
    const shownPending = pending.filter((p) => {
      if (p.state !== 'sending' || p.clientMessageId) return true;
      const match = messages.find((m) => m.seq > p.baseSeq && isOwn(m) && m.text === p.text && !claimed.has(m.seq));
      if (match) claimed.add(match.seq);
      return !match;
    });

    let lastOwnSeq = 0;
    for (const m of messages) if (isOwn(m)) lastOwnSeq = m.seq;
    const seenBy = Object.entries(reads)
      .filter(([subject, seq]) => subject !== me.subject && lastOwnSeq > 0 && seq >= lastOwnSeq)
      .map(([subject]) => shortName(who(subject)));

    /** @type {Row[]} */
    const wanted = [];
    /** @type {{ from: string, at: number } | null} */
    let previous = null;
    for (const m of messages) {
      const own = isOwn(m);
      const from = own ? '\u0000me' : m.from ?? '';
      const at = Date.parse(m.at) || 0;
      const continued = previous !== null && previous.from === from && at - previous.at < GROUP_MS;
      previous = { from, at };
      const person = own ? null : who(m.from);
      const status = own && m.seq === lastOwnSeq ? (seenBy.length ? `Seen by ${seenBy.join(', ')}` : 'Sent') : '';
      const label = person ? `${person.name ?? ''}|${person.label}` : 'me';
      wanted.push({
        key: `m:${m.seq}`,
        sig: [m.text, m.at, label, continued, status].join('\u0001'),
        build: () =>
          messageRow({
            own,
            person,
            text: m.text,
            at: m.at,
            continued,
            state: own ? (seenBy.length && m.seq === lastOwnSeq ? 'seen' : 'sent') : 'received',
            status,
            seq: m.seq,
          }),
      });
    }
    for (const p of shownPending) {
      const continued = previous !== null && previous.from === '\u0000me' && p.at - previous.at < GROUP_MS;
      previous = { from: '\u0000me', at: p.at };
      const status = p.state === 'sending' ? 'Sending…' : p.state === 'sent' ? 'Sent' : `Not sent. ${p.error ?? ''}`;
      wanted.push({
        key: `p:${p.local}`,
        sig: [p.text, p.state, p.error, continued, status].join('\u0001'),
        build: () => {
          const row = messageRow({
            own: true,
            person: null,
            text: p.text,
            at: new Date(p.at).toISOString(),
            continued,
            state: p.state,
            status,
          });
          if (p.state === 'failed') row.append(failedActions(p));
          return row;
        },
      });
    }

    const isNew = (/** @type {string} */ key) => !rows.has(key);
    const fromOthers = messages.filter((m) => !isOwn(m) && isNew(`m:${m.seq}`)).length;
    reconcileRows(wanted);
    show(empty, wanted.length === 0);
    setText(
      empty,
      loading
        ? 'Loading messages…'
        : me.role === 'customer'
          ? 'No messages yet. Questions about your delivery? Write to your courier and our support team here.'
          : 'No messages yet. Messages with the customer and the courier appear here.',
    );
    return { fromOthers };
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
        if (row.contains(document.activeElement)) input.focus({ preventScroll: true });
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
          if (hadFocus) input.focus({ preventScroll: true });
        }
        rows.set(want.key, fresh);
        row = fresh;
      }
      if (row === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(row, cursor);
    }
  }

  /** @param {Pending} p */
  function failedActions(p) {
    const actions = el('div', { class: 'chat__actions' });
    if (!p.permanent) {
      const retry = el('button', { type: 'button', class: 'btn btn--secondary btn--small', text: 'Retry' });
      retry.addEventListener('click', () => {
        p.state = 'sending';
        p.error = undefined;
        p.baseSeq = currentLastSeq();
        // Keep the keyboard somewhere useful while the row is redrawn.
        input.focus({ preventScroll: true });
        deliver(p);
        schedule();
      });
      actions.append(retry);
    }
    const remove = el('button', { type: 'button', class: 'btn btn--ghost btn--small', text: 'Remove' });
    remove.addEventListener('click', () => {
      pending = pending.filter((q) => q !== p);
      input.focus({ preventScroll: true });
      schedule();
    });
    actions.append(remove);
    return actions;
  }

  function renderJump() {
    const shown = unseenBelow > 0 && !stuck;
    show(jump, shown);
    setText(jump, unseenBelow === 1 ? 'New message ↓' : `${unseenBelow} new messages ↓`);
  }

  /**
   * Tells a screen reader about new messages from others (not the history
   * on load, not your own).
   * @param {ChatMessage[]} messages
   * @param {(subject: string | undefined) => Person} who
   */
  function announce(messages, who) {
    if (baselineSeq === null) return;
    const fresh = messages.filter((m) => m.seq > announcedSeq && !isOwn(m));
    if (messages.length) announcedSeq = Math.max(announcedSeq, messages[messages.length - 1].seq);
    if (fresh.length === 0) return;
    announcer.textContent = fresh
      .map((m) => {
        const person = who(m.from);
        return `${person.name ? `${person.name}, ${person.label}` : person.label}: ${m.text}`;
      })
      .join('. ');
  }

  function maybeMarkRead() {
    if (destroyed || forbidden || !endVisible || document.visibilityState !== 'visible') return;
    const chat = chatWatch.snapshot();
    if (chat.status === 'error' || chat.status === 'loading') return;
    const messages = allMessages();
    if (messages.length === 0) return;
    const lastSeq = messages[messages.length - 1].seq;
    const read = Math.max(markedSeq, chat.reads[me.subject] ?? 0, seededReads[me.subject] ?? 0);
    const unread = messages.some((m) => m.seq > read && !isOwn(m));
    if (!unread) return;
    markedSeq = lastSeq;
    client.markRead(orderId, lastSeq);
  }

  // --- sending ---------------------------------------------------------------
  function submit() {
    const text = input.value.trim();
    if (forbidden || text === '' || text.length > MAX_LENGTH) return;
    const buttonHadFocus = document.activeElement === send;
    /** @type {Pending} */
    const p = { local: ++locals, text, at: Date.now(), state: 'sending', baseSeq: currentLastSeq() };
    pending.push(p);
    input.value = '';
    autosize();
    updateCompose();
    // Your own message: show it, wherever the log was.
    stuck = true;
    if (buttonHadFocus) input.focus({ preventScroll: true });
    deliver(p);
    render();
  }

  /** @param {Pending} p */
  function deliver(p) {
    client.sendMessage(orderId, p.text).then(
      ({ clientMessageId }) => {
        sentIds.add(clientMessageId);
        p.clientMessageId = clientMessageId;
        if (p.state === 'sending') p.state = 'sent';
        schedule();
      },
      (error) => {
        const code = error instanceof Error ? error.message : String(error);
        p.state = 'failed';
        p.error = sendErrorText(error);
        p.permanent = code === 'validation_failed' || code === 'forbidden' || code === 'order_not_found';
        if (code === 'forbidden') forbidden = true;
        schedule();
      },
    );
  }

  /**
   * The chat's messages: the wire's and the history's, by seq, once each.
   * @returns {ChatMessage[]}
   */
  function allMessages() {
    const wire = chatWatch.snapshot().messages;
    if (mergedCache && mergedCache.wire === wire && mergedCache.size === history.size) return mergedCache.merged;
    let merged = wire ?? [];
    if (history.size > 0) {
      /** @type {Map<number, ChatMessage>} */
      const bySeq = new Map(history);
      for (const m of merged) bySeq.set(m.seq, m);
      merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    }
    mergedCache = { wire, size: history.size, merged };
    return merged;
  }

  function currentLastSeq() {
    const messages = allMessages();
    return messages.length ? messages[messages.length - 1].seq : 0;
  }

  function updateCompose() {
    const length = input.value.length;
    send.disabled = input.value.trim() === '';
    setText(count, length >= COUNT_FROM ? `${length.toLocaleString('en')} / ${MAX_LENGTH.toLocaleString('en')}` : '');
    attr(count, 'data-full', length >= MAX_LENGTH ? 'true' : null);
  }

  /** Grows the box with its text, up to its CSS max-height. */
  function autosize() {
    input.style.height = 'auto';
    if (input.value !== '') input.style.height = `${input.scrollHeight + 2}px`;
    else input.style.height = '';
  }

  // --- scrolling -------------------------------------------------------------
  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK;
  }

  function scrollToEnd() {
    // The log's own scroll position only: never the page's, never the focus.
    log.scrollTop = log.scrollHeight;
    scrolledTo = log.scrollTop;
    scrolledShown = log.clientHeight > 0;
  }

  // --- the history: older messages and read receipts --------------------------
  /** @param {(path: string, init?: RequestInit) => Promise<Response>} get */
  async function loadHistory(get) {
    try {
      let since = 0;
      for (let page = 0; page < 20; page++) {
        const response = await get(`/v1/orders/${encodeURIComponent(orderId)}/chat?since=${since}&limit=500`);
        if (!response.ok || destroyed) break;
        const body = await response.json();
        for (const envelope of Array.isArray(body.messages) ? body.messages : []) {
          const m = fromEnvelope(envelope);
          if (m) history.set(m.seq, m);
          const from = envelope?.payload?.from;
          if (typeof from?.subject === 'string' && typeof from.role === 'string' && !roles.has(from.subject)) {
            roles.set(from.subject, from.role);
          }
        }
        /** @type {Record<string, number>} */
        const reads = {};
        for (const r of Array.isArray(body.reads) ? body.reads : []) {
          if (r && typeof r.subject === 'string' && Number.isFinite(r.seq)) reads[r.subject] = Number(r.seq);
        }
        seededReads = { ...seededReads, ...reads };
        if (typeof body.next !== 'number' || body.next <= since) break;
        since = body.next;
      }
    } catch {
      // The wire's messages still show; older ones are missing.
    }
    historyDone = true;
    schedule();
  }

  return {
    destroy() {
      if (destroyed) return;
      destroyed = true;
      if (baselineTimer !== null) clearTimeout(baselineTimer);
      observer?.disconnect();
      resizer?.disconnect();
      document.removeEventListener('visibilitychange', onVisibility);
      client.stopTyping(orderId);
      chatWatch.unsubscribe();
      orderWatch.unsubscribe();
      root.remove();
    },
  };
}

/**
 * A message of the REST history as the SDK's view holds one.
 * @param {any} envelope
 * @returns {ChatMessage | null}
 */
function fromEnvelope(envelope) {
  if (!envelope || typeof envelope.seq !== 'number' || envelope.type !== 'chat_message') return null;
  const payload = envelope.payload ?? {};
  return {
    seq: envelope.seq,
    text: String(payload.text ?? ''),
    clientMessageId: String(payload.clientMessageId ?? ''),
    from: typeof payload.from?.subject === 'string' ? payload.from.subject : undefined,
    at: String(envelope.occurredAt ?? ''),
  };
}

// --- people ------------------------------------------------------------------

/**
 * Who `subject` is: the order's customer or courier (with their name), or
 * staff. Only they may write or type in an order's chat.
 * @param {string | undefined} subject
 * @param {OrderView | null} order
 * @param {Map<string, string>} roles what presence said
 * @returns {Person}
 */
function personOf(subject, order, roles) {
  if (subject && order?.customer?.id === subject) {
    return { role: 'customer', label: 'Customer', name: order.customer.name || undefined };
  }
  if (subject && order?.courier?.id === subject) {
    return { role: 'courier', label: 'Courier', name: order.courier.name || undefined };
  }
  const role = (subject && roles.get(subject)) || 'dispatcher';
  return { role, label: roleLabel(role) };
}

/**
 * "Ada" (a first name), else "Support", "The courier", "The customer".
 * @param {Person} person
 */
function shortName(person) {
  if (person.name) return person.name.trim().split(/\s+/)[0] ?? person.name;
  if (person.role === 'courier') return 'The courier';
  if (person.role === 'customer') return 'The customer';
  return person.label;
}

// --- rows --------------------------------------------------------------------

/**
 * @param {object} m
 * @param {boolean} m.own
 * @param {Person | null} m.person
 * @param {string} m.text
 * @param {string} m.at
 * @param {boolean} m.continued
 * @param {string} m.state received | sending | sent | seen | failed
 * @param {string} m.status
 * @param {number} [m.seq]
 */
function messageRow({ own, person, text, at, continued, state, status, seq }) {
  const time = el('time', { class: 'chat__time', datetime: at, text: clockTime(at) });
  const meta = own
    ? el('p', { class: continued ? 'chat__meta visually-hidden' : 'chat__meta' }, [
        el('span', { class: 'chat__who', text: 'You' }),
        time,
      ])
    : el('p', { class: continued ? 'chat__meta visually-hidden' : 'chat__meta' }, [
        el('span', { class: 'chat__who', text: person?.name ?? person?.label ?? 'Support' }),
        person?.name ? el('span', { class: 'chat__role', text: person.label }) : null,
        time,
      ]);
  const row = el(
    'li',
    {
      class: `chat__item chat__item--${own ? 'own' : 'other'}${continued ? ' chat__item--continued' : ''}`,
      'data-state': state,
      'data-seq': seq === undefined ? null : String(seq),
      'data-role': person?.role ?? null,
    },
    [meta, el('p', { class: 'chat__bubble', text })],
  );
  if (status) {
    row.append(
      el('p', { class: `chat__status chat__status--${state}` }, [statusIcon(state), el('span', { text: status })]),
    );
  }
  return row;
}

/**
 * "19:42", or "Sun 22 Nov, 19:42" when not today.
 * @param {string} value
 */
function clockTime(value) {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return '';
  const date = new Date(ms);
  const clock = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const now = new Date();
  if (date.toDateString() === now.toDateString()) return clock;
  return `${date.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })}, ${clock}`;
}

// --- DOM helpers -------------------------------------------------------------

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | null | undefined>} [attrs] `class`, `text`; others are attributes
 * @param {(Node | null)[]} [children]
 * @returns {HTMLElement}
 */
function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** @param {Element} node @param {string} text */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** @param {HTMLElement} node @param {boolean} shown */
function show(node, shown) {
  if (node.hidden === shown) node.hidden = !shown;
}

/** @param {Element} node @param {string} name @param {string | null} value */
function attr(node, name, value) {
  if (value === null) node.removeAttribute(name);
  else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @param {string} paths
 * @param {string} [className]
 */
function svg(paths, className = 'icon') {
  const node = document.createElementNS(SVG_NS, 'svg');
  node.setAttribute('viewBox', '0 0 24 24');
  node.setAttribute('aria-hidden', 'true');
  node.setAttribute('focusable', 'false');
  node.setAttribute('class', className);
  node.setAttribute('fill', 'none');
  node.setAttribute('stroke', 'currentColor');
  node.setAttribute('stroke-width', '2');
  node.setAttribute('stroke-linecap', 'round');
  node.setAttribute('stroke-linejoin', 'round');
  node.innerHTML = paths;
  return node;
}

function sendIcon() {
  return svg('<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>', 'icon chat__send-icon');
}

function infoIcon() {
  return svg('<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.8v.1"/>', 'icon chat__unavailable-icon');
}

/** @param {string} state */
function statusIcon(state) {
  switch (state) {
    case 'sending':
      return svg('<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>', 'icon chat__status-icon');
    case 'failed':
      return svg('<path d="M12 4L2.8 19.5h18.4z"/><path d="M12 10v4.2M12 16.9v.1"/>', 'icon chat__status-icon');
    case 'seen':
      return svg('<path d="M2.5 12.5l4 4L15 8"/><path d="M10.5 16.5L19 8"/>', 'icon chat__status-icon');
    default:
      return svg('<path d="M5 12.5l4.5 4.5L19 7.5"/>', 'icon chat__status-icon');
  }
}

function typingDots() {
  return el('span', { class: 'chat__dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]);
}
