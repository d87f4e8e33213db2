// @ts-check
/**
 * Small helpers the landing page and the dispatcher dashboard share: DOM
 * building without innerHTML (names and addresses come from the API),
 * status words and icons, times.
 */

import { FINAL_STATUSES, STATUSES } from '/sdk/index.js';

/** @typedef {import('/sdk/index.js').OrderStatus} OrderStatus */

/** Every status, in the order a dispatcher reads them (the SDK's list). */
export { STATUSES };

/**
 * The statuses an order ends in. Typed as a set of every status so that
 * `FINAL.has(v.status)` type-checks for any order's status.
 * @type {ReadonlySet<OrderStatus>}
 */
export const FINAL = new Set(FINAL_STATUSES);

/** @type {Record<string, string>} */
export const STATUS_LABEL = {
  placed: 'Placed',
  confirmed: 'Confirmed',
  preparing: 'Preparing',
  shipped: 'Shipped',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  returned: 'Returned',
};

/**
 * An element. `attrs` keys starting with `on` are listeners; `class`,
 * `text` and `dataset` are shortcuts; `false`/`null`/`undefined` values are
 * left out.
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Stroke icons on a 24-unit grid; each is one or more path `d`s. */
/** @type {Record<string, string[]>} */
const ICONS = {
  placed: ['M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z', 'M12 8v4'],
  confirmed: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M8 12.5l2.7 2.7L16.2 9.6'],
  preparing: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 7v5l3.2 2'],
  shipped: ['M3.5 7.5L12 3.5l8.5 4v9L12 20.5l-8.5-4z', 'M3.5 7.5L12 11.5l8.5-4', 'M12 11.5v9'],
  out_for_delivery: ['M2.5 6.5h11v9h-11z', 'M13.5 9.5h4l3 3.2v2.8h-7', 'M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z', 'M17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z'],
  delivered: ['M4 11l8-7 8 7v9H4z', 'M8.8 14.6l2.2 2.2 4.2-4.3'],
  cancelled: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M9 9l6 6', 'M15 9l-6 6'],
  returned: ['M9 14L4 9l5-5', 'M4 9h10.5a5.5 5.5 0 0 1 0 11H11'],
  delayed: ['M12 3.5l9.5 16.5h-19z', 'M12 10v4.5', 'M12 17.2v.3'],
  failed: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 7.5v5.5', 'M12 16.2v.3'],
  pin: ['M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z', 'M12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z'],
  phone: ['M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  arrow: ['M5 12h14', 'M13 6l6 6-6 6'],
  note: ['M5 4h10l4 4v12H5z', 'M15 4v4h4', 'M8.5 12.5h7', 'M8.5 16h5'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4.5 20.5a7.5 7.5 0 0 1 15 0'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M20 20l-4-4'],
  // The connection badge's, as on the tracking page.
  dot: ['M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z'],
  spinner: ['M12 3.5a8.5 8.5 0 1 0 8.5 8.5'],
  offline: ['M3.5 9.5a12.5 12.5 0 0 1 17 0M6.8 13a8 8 0 0 1 10.4 0M10 16.5a3.5 3.5 0 0 1 4 0', 'M4 4l16 16'],
  lock: ['M7.5 10.5h9a2 2 0 0 1 2 2V18a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-5.5a2 2 0 0 1 2-2z', 'M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5'],
};

/** The badge's icon for each tone. */
/** @type {Record<string, string>} */
export const BADGE_ICONS = { live: 'dot', degraded: 'dot', connecting: 'spinner', offline: 'offline', final: 'lock' };

/**
 * Shows a connection badge (from badge.js's `badgeFor`) in `node`, styled
 * like the tracking page's (app.css `.badge--{tone}`).
 * @param {HTMLElement} node
 * @param {{ tone: string, text: string }} badge
 */
export function showBadge(node, badge) {
  if (node.dataset.tone !== badge.tone || !node.firstElementChild) {
    node.dataset.tone = badge.tone;
    node.className = `badge badge--${badge.tone}`;
    const svg = icon(BADGE_ICONS[badge.tone] ?? 'dot', `icon tw-icon badge__icon${badge.tone === 'connecting' ? ' icon--spin' : ''}`);
    if (BADGE_ICONS[badge.tone] === 'dot') svg.classList.add('tw-icon--filled');
    node.replaceChildren(svg, h('span', { class: 'visually-hidden', text: 'Connection: ' }), h('span', { class: 'badge__text', text: badge.text }));
  }
  const text = /** @type {HTMLElement} */ (node.querySelector('.badge__text'));
  if (text.textContent !== badge.text) text.textContent = badge.text;
}

/**
 * A decorative icon (hidden from assistive technology; the text next to
 * it says the same).
 * @param {string} name
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function icon(name, className = 'icon tw-icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', className);
  for (const d of ICONS[name] ?? []) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/**
 * A status pill: icon, words and colour together (colour is never the only
 * signal).
 * @param {string} status
 * @returns {HTMLElement}
 */
export function statusChip(status) {
  return h('span', { class: 'chip', dataset: { status } }, icon(status), h('span', { text: STATUS_LABEL[status] ?? status }));
}

/**
 * A warning pill (delayed, delivery failed).
 * @param {'delayed' | 'failed'} kind
 * @param {string} text
 * @param {string} [title]
 */
export function flagChip(kind, text, title) {
  return h('span', { class: 'flag', dataset: { flag: kind }, title }, icon(kind), h('span', { text }));
}

/** One formatter for every time shown: making one per call is slow. */
const CLOCK = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });

/**
 * "14:05", or '' for nothing.
 * @param {string | number | null | undefined} at
 */
export function clock(at) {
  if (at === null || at === undefined || at === '') return '';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '';
  return CLOCK.format(ms);
}

/**
 * "in 12 min", "3 min ago", "now".
 * @param {string | number | null | undefined} at
 * @param {number} [now]
 */
export function relative(at, now = Date.now()) {
  if (at === null || at === undefined || at === '') return '';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '';
  const minutes = Math.round((ms - now) / 60000);
  if (minutes === 0) return 'now';
  const abs = Math.abs(minutes);
  const span = abs < 90 ? `${abs} min` : `${Math.round(abs / 60)} h`;
  return minutes > 0 ? `in ${span}` : `${span} ago`;
}

/**
 * "2× Ramen, Lemonade".
 * @param {{ name: string, quantity: number }[]} items
 */
export function itemsSummary(items) {
  return items.map((i) => (i.quantity > 1 ? `${i.quantity}× ${i.name}` : i.name)).join(', ');
}

/**
 * A party's name, else its id, else ''.
 * @param {{ id: string, name?: string } | null | undefined} party
 */
export function partyName(party) {
  return party ? party.name || party.id : '';
}
