// @ts-check
/**
 * The pages' one icon table: inline SVG icons on a 24-unit grid, drawn
 * with `currentColor` strokes (nothing is fetched), hidden from assistive
 * technology: the text beside each says the same. Which icon a status and
 * a connection badge's tone get is here too, so the customer's page, the
 * dashboard and the landing page show one status with one icon. Icons in
 * the HTML are `<svg class="icon …" data-icon="name"></svg>`, drawn by
 * `paintIcons`.
 */

import { svgEl } from './dom.js';

/** Each icon is one or more path `d`s. */
const ICONS = {
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  'check-circle': ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M8 12.5l2.7 2.7L16.2 9.6'],
  'check-double': ['M2.5 12.5l4 4L15 8', 'M10.5 16.5L19 8'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  'x-circle': ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M9 9l6 6', 'M15 9l-6 6'],
  alert: ['M12 4L2.8 19.5h18.4z', 'M12 10v4.2M12 16.9v.1'],
  'alert-circle': ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 7.5v5.5', 'M12 16.2v.3'],
  info: ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z', 'M12 11v5.5M12 7.8v.1'],
  clock: ['M12 3.5a8.5 8.5 0 1 0 0 17 8.5 8.5 0 0 0 0-17z', 'M12 7.5V12l3 2'],
  return: ['M9 14L4 9l5-5', 'M4 9h10.5a5.5 5.5 0 0 1 0 11H11'],
  pin: ['M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21z', 'M12 12a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z'],
  note: ['M5 4h10l4 4v12H5z', 'M15 4v4h4', 'M8.5 12.5h7', 'M8.5 16h5'],
  bag: ['M5.5 8h13l-1 12h-11z', 'M9 10V6.5a3 3 0 0 1 6 0V10'],
  box: ['M3.5 7.5L12 3.5l8.5 4v9L12 20.5l-8.5-4z', 'M3.5 7.5L12 11.5l8.5-4', 'M12 11.5v9'],
  scooter: [
    'M6 14.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
    'M18 14.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
    'M8.5 17h7M15 17l-2.5-8H10M12.5 9h3l2.5 8',
  ],
  truck: ['M2.5 6.5h11v9h-11z', 'M13.5 9.5h4l3 3.2v2.8h-7', 'M6 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z', 'M17 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4z'],
  home: ['M4 11l8-7 8 7v9H4z', 'M8.8 14.6l2.2 2.2 4.2-4.3'],
  table: ['M4 5h16v14H4z', 'M4 10h16', 'M9 10v9'],
  spinner: ['M12 3.5a8.5 8.5 0 1 0 8.5 8.5'],
  edit: ['M4.5 19.5l1-4.5L16 4.5l3.5 3.5L9 18.5z', 'M13.5 7l3.5 3.5'],
  lock: ['M7.5 10.5h9a2 2 0 0 1 2 2V18a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-5.5a2 2 0 0 1 2-2z', 'M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5'],
  offline: ['M3.5 9.5a12.5 12.5 0 0 1 17 0M6.8 13a8 8 0 0 1 10.4 0M10 16.5a3.5 3.5 0 0 1 4 0', 'M4 4l16 16'],
  dot: ['M12 7.5a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9z'],
  phone: ['M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2'],
  arrow: ['M5 12h14', 'M13 6l6 6-6 6'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4.5 20.5a7.5 7.5 0 0 1 15 0'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M20 20l-4-4'],
  send: ['M4 12l16-8-6 16-2.5-6.5z', 'M11.5 13.5L20 4'],
};

/** @typedef {keyof typeof ICONS} IconName */

/** Icons drawn filled, not stroked. */
const FILLED = new Set(['dot']);

/**
 * The icon of each status, wherever a status is shown.
 * @type {Record<import('/sdk/index.js').OrderStatus, IconName>}
 */
export const STATUS_ICONS = {
  placed: 'note',
  confirmed: 'check-circle',
  preparing: 'bag',
  shipped: 'box',
  out_for_delivery: 'scooter',
  delivered: 'home',
  cancelled: 'x-circle',
  returned: 'return',
};

/**
 * The icon of a connection badge's tone (badge.js).
 * @type {Record<string, IconName>}
 */
export const BADGE_ICONS = { live: 'dot', degraded: 'dot', connecting: 'spinner', offline: 'offline', final: 'lock' };

/**
 * Draws icon `name` into `svg`, keeping its class.
 * @param {Element} svg
 * @param {IconName} name
 */
function draw(svg, name) {
  const filled = FILLED.has(name);
  for (const [key, value] of Object.entries({
    viewBox: '0 0 24 24',
    'aria-hidden': 'true',
    focusable: 'false',
    fill: filled ? 'currentColor' : 'none',
    stroke: filled ? 'none' : 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
    'data-icon': name,
  })) {
    svg.setAttribute(key, value);
  }
  svg.replaceChildren(...(ICONS[name] ?? []).map((d) => svgEl('path', { d })));
}

/**
 * An inline SVG icon.
 * @param {IconName} name
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function icon(name, className = 'icon') {
  const svg = /** @type {SVGSVGElement} */ (svgEl('svg', { class: className }));
  draw(svg, name);
  return svg;
}

/**
 * Replaces `node`'s icon (its first `svg` child) when the name changed.
 * @param {Element | null} node
 * @param {IconName} name
 * @param {string} [className]
 */
export function setIcon(node, name, className = 'icon') {
  if (!node) return;
  const current = node.querySelector(':scope > svg');
  if (current?.getAttribute('data-icon') === name) return;
  const next = icon(name, className);
  if (current) current.replaceWith(next);
  else node.prepend(next);
}

/**
 * Draws the icons the HTML names, `<svg data-icon="pin">`, inside `root`.
 * @param {ParentNode} [root]
 */
export function paintIcons(root = document) {
  for (const svg of root.querySelectorAll('svg[data-icon]')) {
    const name = svg.getAttribute('data-icon') ?? '';
    if (svg.childElementCount === 0 && name in ICONS) draw(svg, /** @type {IconName} */ (name));
  }
}
