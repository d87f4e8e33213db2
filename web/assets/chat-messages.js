// @ts-check
/**
 * The log's rows: the chat's messages, then your own still on their way.
 * Yours on the right, others on the left with their name and role; one
 * sender's messages close together under one name; "Sent" or "Seen by …"
 * under your last message.
 */

import { seenBy } from './chat-reads.js';
import { h } from './dom.js';
import { clockTime } from './format.js';
import { icon } from './icons.js';

/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */
/** @typedef {import('./chat-log.js').Row} Row */
/** @typedef {import('./chat-outgoing.js').Pending} Pending */
/** @typedef {import('./chat-people.js').Me} Me */
/** @typedef {import('./chat-people.js').Namer} Namer */
/** @typedef {import('./chat-people.js').Person} Person */

/** Messages from one sender within this long are grouped under one name. */
const GROUP_MS = 5 * 60000;

/**
 * The icon beside a message's status line, by its state (else a check: sent).
 * @type {Record<string, import('./icons.js').IconName>}
 */
const STATUS_ICON = { sending: 'clock', failed: 'alert', seen: 'check-double' };

/**
 * The rows the log should show, in order.
 * @param {object} options
 * @param {ChatMessage[]} options.messages the chat's, by seq
 * @param {Pending[]} options.unconfirmed your own not among `messages` yet
 * @param {Record<string, number>} options.reads each participant's last read seq
 * @param {Me} options.me
 * @param {(m: ChatMessage) => boolean} options.isOwn
 * @param {Namer} options.who
 * @param {{ retry(p: Pending): void, remove(p: Pending): void }} options.actions for a failed one
 * @returns {Row[]}
 */
export function messageRows({ messages, unconfirmed, reads, me, isOwn, who, actions }) {
  let lastOwnSeq = 0;
  for (const m of messages) if (isOwn(m)) lastOwnSeq = m.seq;
  const seen = seenBy(reads, lastOwnSeq, me.subject, who);

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
    const status = own && m.seq === lastOwnSeq ? (seen.length ? `Seen by ${seen.join(', ')}` : 'Sent') : '';
    const label = person ? `${person.name ?? ''}|${person.label}` : 'me';
    wanted.push({
      key: `m:${m.seq}`,
      sig: [m.text, m.at, label, continued, status].join('\u0001'),
      fromOthers: !own,
      build: () =>
        messageRow({
          own,
          person,
          text: m.text,
          at: m.at,
          continued,
          state: own ? (seen.length && m.seq === lastOwnSeq ? 'seen' : 'sent') : 'received',
          status,
          seq: m.seq,
        }),
    });
  }
  for (const p of unconfirmed) {
    const continued = previous !== null && previous.from === '\u0000me' && p.at - previous.at < GROUP_MS;
    previous = { from: '\u0000me', at: p.at };
    const status = p.state === 'sending' ? 'Sending…' : p.state === 'sent' ? 'Sent' : `Not sent. ${p.error ?? ''}`;
    wanted.push({
      key: `p:${p.local}`,
      sig: [p.text, p.state, p.error, continued, status].join('\u0001'),
      fromOthers: false,
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
        if (p.state === 'failed') row.append(failedActions(p, actions));
        return row;
      },
    });
  }
  return wanted;
}

/**
 * What the log says while it has no rows.
 * @param {boolean} loading
 * @param {Me} me
 */
export function emptyLogText(loading, me) {
  return loading
    ? 'Loading messages…'
    : me.role === 'customer'
      ? 'No messages yet. Questions about your delivery? Write to your courier and our support team here.'
      : 'No messages yet. Messages with the customer and the courier appear here.';
}

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
  const time = h('time', { class: 'chat__time', datetime: at, text: clockTime(at) });
  const meta = own
    ? h('p', { class: continued ? 'chat__meta visually-hidden' : 'chat__meta' }, h('span', { class: 'chat__who', text: 'You' }), time)
    : h(
        'p',
        { class: continued ? 'chat__meta visually-hidden' : 'chat__meta' },
        h('span', { class: 'chat__who', text: person?.name ?? person?.label ?? 'Support' }),
        person?.name ? h('span', { class: 'chat__role', text: person.label }) : null,
        time,
      );
  const row = h(
    'li',
    {
      class: `chat__item chat__item--${own ? 'own' : 'other'}${continued ? ' chat__item--continued' : ''}`,
      'data-state': state,
      'data-seq': seq === undefined ? null : String(seq),
      'data-role': person?.role ?? null,
    },
    meta,
    h('p', { class: 'chat__bubble', text }),
  );
  if (status) {
    row.append(
      h(
        'p',
        { class: `chat__status chat__status--${state}` },
        icon(STATUS_ICON[state] ?? 'check', 'icon chat__status-icon'),
        h('span', { text: status }),
      ),
    );
  }
  return row;
}

/**
 * Retry (unless it would fail the same way) and Remove, under a failed message.
 * @param {Pending} p
 * @param {{ retry(p: Pending): void, remove(p: Pending): void }} actions
 */
function failedActions(p, actions) {
  const buttons = h('div', { class: 'chat__actions' });
  if (!p.permanent) {
    const retry = h('button', { type: 'button', class: 'btn btn--secondary btn--small', text: 'Retry' });
    retry.addEventListener('click', () => actions.retry(p));
    buttons.append(retry);
  }
  const remove = h('button', { type: 'button', class: 'btn btn--ghost btn--small', text: 'Remove' });
  remove.addEventListener('click', () => actions.remove(p));
  buttons.append(remove);
  return buttons;
}
