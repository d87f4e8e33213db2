// @ts-check
/**
 * The dashboard's detail panel: one order's items, address, customer,
 * courier (with the phone staff may see), internal note, latest position
 * and status history. While it is open it watches `order:{id}` (the
 * order's whole history and its courier's positions); closing it, or
 * choosing another order, leaves that topic.
 *
 * The panel is made of keyed sections, each redrawn only when what it
 * shows changed; if the focus was on something inside a redrawn section
 * (the courier's phone link, say), it goes to the same element anew.
 *
 * The order's chat (chat.js) sits after the customer and the courier: one
 * panel per opened order, a section built once and kept as it is.
 */

import { DEVELOPMENT_IDENTITY, mountChat } from '/assets/chat.js';
import { flagChip, statusChip } from '/assets/chips.js';
import { h } from '/assets/dom.js';
import { clockTime, etaText, partyName } from '/assets/format.js';
import { icon } from '/assets/icons.js';
import { FINAL, statusLabel } from '/assets/labels.js';
import { apiFetch, currentPersona } from '/assets/session.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */
/** @typedef {import('/sdk/index.js').TimelineEntry} TimelineEntry */
/** @typedef {import('/sdk/index.js').Watch} Watch */
/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */

/**
 * @typedef {object} Section
 * @property {string} key
 * @property {string} sig
 * @property {() => HTMLElement} build
 */

export class DetailPanel {
  /**
   * @param {HTMLElement} aside
   * @param {TrackwireClient} client
   * @param {{ onChange: () => void, onClose: () => void }} hooks
   */
  constructor(aside, client, hooks) {
    this.aside = aside;
    this.client = client;
    this.hooks = hooks;
    this.empty = /** @type {HTMLElement} */ (aside.querySelector('#detail-empty'));
    this.body = /** @type {HTMLElement} */ (aside.querySelector('#detail-body'));
    /** @type {string | null} */
    this.id = null;
    /** @type {Watch | null} */
    this.watch = null;
    /** @type {HTMLElement | null} */
    this.title = null;
    /** @type {HTMLElement | null} */
    this.sections = null;
    /** The open order's chat: its section and its panel. */
    /** @type {{ section: HTMLElement, panel: { destroy(): void } } | null} */
    this.chat = null;
  }

  /** @param {string} id */
  open(id) {
    if (this.id === id) return;
    this.watch?.unsubscribe();
    this.id = id;
    this.watch = this.client.watchOrder(id, this.hooks.onChange);
    this.title = h('h2', { id: 'detail-order-title', class: 'detail-title', tabindex: '-1' }, h('span', { class: 'eyebrow', text: 'Order' }), h('span', { class: 'detail-id', text: id }));
    const close = h('button', { type: 'button', class: 'icon-button detail-close', 'aria-label': 'Close details', onclick: () => this.hooks.onClose() }, icon('close'));
    this.sections = h('div', { class: 'detail-sections' });
    this.body.replaceChildren(h('div', { class: 'detail-top' }, this.title, close), this.sections);
    this.openChat(id);
    this.body.hidden = false;
    this.empty.hidden = true;
    this.aside.removeAttribute('data-empty');
    this.aside.setAttribute('aria-labelledby', 'detail-order-title');
  }

  close() {
    if (this.id === null && this.body.hidden) return;
    this.chat?.panel.destroy();
    this.chat = null;
    this.watch?.unsubscribe();
    this.watch = null;
    this.id = null;
    this.body.hidden = true;
    this.body.replaceChildren();
    this.sections = null;
    this.empty.hidden = false;
    this.aside.setAttribute('data-empty', '');
    this.aside.setAttribute('aria-labelledby', 'detail-title');
  }

  focusTitle() {
    this.title?.focus();
  }

  /** @param {string} id */
  openChat(id) {
    this.chat?.panel.destroy();
    const host = h('div', { class: 'detail-chat-panel' });
    const section = h('section', { class: 'detail-section detail-chat', 'aria-labelledby': 'detail-chat-h' }, h('h3', { id: 'detail-chat-h', text: 'Chat' }), host);
    const me = currentPersona() ?? DEVELOPMENT_IDENTITY;
    this.chat = { section, panel: mountChat(host, { client: this.client, orderId: id, me, fetch: apiFetch }) };
  }

  /**
   * Redraws what changed.
   * @param {OrderView | undefined} feedView the feed's view of the open order
   */
  render(feedView) {
    if (!this.id || !this.sections) return;
    const snap = this.watch?.snapshot();
    const own = snap?.order && snap.order.seq > 0 ? snap.order : undefined;
    let view = feedView ?? own;
    if (own && (!feedView || own.seq >= feedView.seq)) view = own;
    if (!view) {
      reconcile(this.sections, [{ key: 'loading', sig: '', build: () => h('p', { class: 'muted', text: 'Loading this order…' }) }]);
      return;
    }
    // Positions reach the order topic; take whichever is newer.
    const location = [feedView?.location ?? null, own?.location ?? null].reduce(
      (best, l) => (l && (!best || l.ts > best.ts) ? l : best),
      /** @type {OrderView['location']} */ (null),
    );
    const list = sections({ ...view, location }, own, snap?.status ?? 'loading', snap?.error ?? null);
    const chat = this.chat?.section;
    if (chat) list.splice(list.findIndex((s) => s.key === 'people') + 1, 0, { key: 'chat', sig: 'chat', build: () => chat });
    reconcile(this.sections, list);
  }
}

/**
 * @param {OrderView} v
 * @param {OrderView | undefined} own the order topic's view (with its history)
 * @param {string} historyStatus
 * @param {string | null} historyError
 * @returns {Section[]}
 */
function sections(v, own, historyStatus, historyError) {
  const final = FINAL.has(v.status);
  const eta = final ? null : etaText(v.eta);
  /** @type {Section[]} */
  const list = [];
  list.push({
    key: 'status',
    sig: `${v.status}|${eta?.time}|${eta?.relative}|${final}`,
    build: () =>
      h(
        'div',
        { class: 'detail-status' },
        statusChip(v.status),
        h(
          'span',
          { class: 'detail-eta' },
          final
            ? `${statusLabel(v.status)} ${clockTime(v.updatedAt)}`
            : eta
              ? h('span', {}, 'ETA ', h('strong', { text: eta.time }), ` (${eta.relative})`)
              : 'No ETA yet',
        ),
      ),
  });
  if (v.delay || (v.lastFailure && !final)) {
    list.push({
      key: 'alerts',
      sig: `${v.delay?.reason}|${v.delay?.since}|${v.lastFailure}|${final}`,
      build: () =>
        h(
          'div',
          { class: 'detail-alerts' },
          v.delay
            ? h('p', { class: 'alert', dataset: { flag: 'delayed' } }, flagChip('delayed'), h('span', { text: `${v.delay.reason}${v.delay.since ? ` · since ${clockTime(v.delay.since)}` : ''}` }))
            : '',
          v.lastFailure && !final
            ? h('p', { class: 'alert', dataset: { flag: 'failed' } }, flagChip('delivery_failed'), h('span', { text: v.lastFailure }))
            : '',
        ),
  });
  }
  const courier = v.courier;
  list.push({
    key: 'people',
    sig: JSON.stringify([v.customer, courier, v.address, v.instructions]),
    build: () =>
      h(
        'dl',
        { class: 'facts-list' },
        fact('Customer', partyName(v.customer) || 'Unknown', v.customer?.name ? v.customer.id : '', v.customer?.phone ? phoneLink(v.customer.phone, 'customer-phone') : null),
        fact(
          'Courier',
          courier ? partyName(courier) : 'Not assigned yet',
          courier?.name ? courier.id : '',
          courier?.phone ? phoneLink(courier.phone, 'courier-phone') : null,
        ),
        fact('Address', v.address || '—'),
        fact('Instructions', v.instructions ?? 'None'),
      ),
  });
  list.push({
    key: 'items',
    sig: JSON.stringify(v.items),
    build: () =>
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'detail-items-h' },
        h('h3', { id: 'detail-items-h', text: 'Items' }),
        v.items.length === 0
          ? h('p', { class: 'muted', text: 'No items listed.' })
          : h('ul', { class: 'detail-items' }, ...v.items.map((i) => h('li', {}, h('span', { class: 'qty', text: `${i.quantity}×` }), h('span', { text: i.name })))),
      ),
  });
  list.push({
    key: 'note',
    sig: v.internalNote ?? '',
    build: () =>
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'detail-note-h' },
        h('h3', { id: 'detail-note-h' }, 'Internal note ', h('span', { class: 'staff-only', text: 'Staff only' })),
        v.internalNote
          ? h('p', { class: 'note' }, icon('note'), h('span', { text: v.internalNote }))
          : h('p', { class: 'muted', text: 'No note.' }),
      ),
  });
  const loc = v.location;
  list.push({
    key: 'position',
    sig: loc ? `${loc.lat}|${loc.lng}|${loc.ts}` : '',
    build: () =>
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'detail-pos-h' },
        h('h3', { id: 'detail-pos-h', text: 'Courier position' }),
        loc
          ? h(
              'p',
              { class: 'position' },
              icon('pin'),
              h('span', { class: 'mono', text: `${loc.lat.toFixed(5)}, ${loc.lng.toFixed(5)}` }),
              h('span', { class: 'muted', text: ` · ${new Date(loc.ts).toLocaleTimeString()}` }),
            )
          : h('p', { class: 'muted', text: 'No position reported.' }),
      ),
  });
  const timeline = own?.timeline ?? [];
  list.push({
    key: 'history',
    sig: `${historyStatus}|${historyError}|${timeline.length}|${timeline[timeline.length - 1]?.seq}`,
    build: () =>
      h(
        'section',
        { class: 'detail-section', 'aria-labelledby': 'detail-history-h' },
        h('h3', { id: 'detail-history-h', text: 'History' }),
        historyStatus === 'error'
          ? h('p', { class: 'muted', text: `History unavailable (${historyError}).` })
          : timeline.length === 0
            ? h('p', { class: 'muted', text: 'Loading history…' })
            : h('ol', { class: 'history', reversed: true }, ...[...timeline].reverse().map(historyItem)),
      ),
  });
  return list;
}

/**
 * @param {string} label
 * @param {string} value
 * @param {string} [sub]
 * @param {HTMLElement | null} [extra]
 */
function fact(label, value, sub, extra) {
  return h(
    'div',
    { class: 'fact' },
    h('dt', { text: label }),
    h('dd', {}, h('span', { class: 'fact-value', text: value }), sub ? h('span', { class: 'fact-sub', text: sub }) : '', extra ?? ''),
  );
}

/**
 * @param {string} phone
 * @param {string} key
 */
function phoneLink(phone, key) {
  return h('a', { class: 'phone', href: `tel:${phone.replace(/[^+\d]/g, '')}`, dataset: { key } }, icon('phone'), h('span', { text: phone }));
}

/** @param {TimelineEntry} e */
function historyItem(e) {
  let text = e.type.replace(/_/g, ' ');
  let kind = 'event';
  switch (e.type) {
    case 'order_created':
      text = 'Order placed';
      kind = 'status';
      break;
    case 'status_changed':
      text = statusLabel(String(e.status));
      if (e.reason) text += ` – ${e.reason}`;
      kind = 'status';
      break;
    case 'eta_changed':
      text = `ETA changed to ${clockTime(e.eta)}`;
      break;
    case 'delayed':
      text = `Delayed: ${e.reason ?? ''}${e.eta ? ` (new ETA ${clockTime(e.eta)})` : ''}`;
      kind = 'warning';
      break;
    case 'delivery_failed':
      text = `Delivery failed: ${e.reason ?? ''}`;
      kind = 'warning';
      break;
    case 'courier_assigned':
      text = `Courier assigned: ${partyName(e.courier)}`;
      break;
    case 'instructions_changed':
      text = e.text ? `Instructions: “${e.text}”` : 'Instructions cleared';
      break;
    default:
      break;
  }
  return h(
    'li',
    { dataset: { kind }, class: e.ignored ? 'ignored' : undefined },
    h('time', { datetime: e.at || undefined, text: clockTime(e.at) }),
    h('span', { text }),
    e.ignored ? h('span', { class: 'muted', text: ' (not applied)' }) : '',
  );
}

/**
 * Replaces the sections whose signature changed, keeps the others, and
 * puts the focus back where it was if a redraw took it away.
 * @param {HTMLElement} container
 * @param {Section[]} wanted
 */
function reconcile(container, wanted) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const focusKey = active && container.contains(active) ? active.dataset.key : undefined;
  /** @type {Map<string, HTMLElement>} */
  const existing = new Map();
  const keys = new Set(wanted.map((s) => s.key));
  for (const child of /** @type {HTMLElement[]} */ ([...container.children])) {
    const key = child.dataset.section ?? '';
    // Gone sections go first, so the ones that stay never move.
    if (keys.has(key)) existing.set(key, child);
    else child.remove();
  }
  /** @type {Element | null} */
  let cursor = container.firstElementChild;
  for (const section of wanted) {
    let el = existing.get(section.key);
    if (!el || el.dataset.sig !== section.sig) {
      const fresh = section.build();
      fresh.dataset.section = section.key;
      fresh.dataset.sig = section.sig;
      if (el) {
        el.replaceWith(fresh);
        if (cursor === el) cursor = fresh;
      }
      el = fresh;
    }
    if (el === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(el, cursor);
  }
  if (focusKey && !container.contains(document.activeElement)) {
    /** @type {HTMLElement | null} */ (container.querySelector(`[data-key="${focusKey}"]`))?.focus();
  }
}
