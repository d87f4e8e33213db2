// @ts-check
/**
 * Small DOM helpers for the tracking page: build elements, write only what
 * changed (so updates never disturb focus, selection or a screen reader's
 * place), and inline SVG icons (nothing is fetched).
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An element with attributes and children. `class`, `text` and `hidden`
 * are handled; other keys become attributes (skipped when null/false).
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {(Node | string | null | undefined | false)[]} [children]
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/**
 * Sets `node`'s text when it differs.
 * @param {Element | null} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}

/**
 * Shows or hides `node` (the `hidden` attribute) when it differs.
 * @param {Element | null} node
 * @param {boolean} shown
 */
export function show(node, shown) {
  if (!node) return;
  const el = /** @type {HTMLElement} */ (node);
  if (el.hidden === shown) el.hidden = !shown;
}

/**
 * Sets an attribute when it differs (null removes it).
 * @param {Element | null} node
 * @param {string} name
 * @param {string | null} value
 */
export function setAttr(node, name, value) {
  if (!node) return;
  if (value === null) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) {
    node.setAttribute(name, value);
  }
}

/**
 * The element with this id (throws when the page lacks it: a bug).
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`track page: #${id} is missing`);
  return /** @type {T} */ (node);
}

/** True when `node` holds the keyboard focus (itself or inside). */
/** @param {Element | null} node */
export function hasFocus(node) {
  return node !== null && document.activeElement !== null && node.contains(document.activeElement);
}

/** Icon paths, 24×24, drawn with `currentColor` strokes. */
const ICONS = {
  check: '<path d="M5 12.5l4.5 4.5L19 7.5"/>',
  x: '<path d="M7 7l10 10M17 7L7 17"/>',
  alert: '<path d="M12 4L2.8 19.5h18.4z" stroke-linejoin="round"/><path d="M12 10v4.2M12 16.9v.1"/>',
  info: '<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.8v.1"/>',
  clock: '<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>',
  return: '<path d="M9 6L4 11l5 5"/><path d="M4 11h10a6 6 0 010 12h-2"/>',
  pin: '<path d="M12 21s-6.5-6.1-6.5-11.2a6.5 6.5 0 0113 0C18.5 14.9 12 21 12 21z"/><circle cx="12" cy="9.8" r="2.3"/>',
  note: '<path d="M5 4h10l4 4v12H5z" stroke-linejoin="round"/><path d="M8.5 12h7M8.5 15.5h5"/>',
  bag: '<path d="M5.5 8h13l-1 12h-11z" stroke-linejoin="round"/><path d="M9 10V6.5a3 3 0 016 0V10"/>',
  scooter:
    '<circle cx="6" cy="17" r="2.5"/><circle cx="18" cy="17" r="2.5"/><path d="M8.5 17h7M15 17l-2.5-8H10M12.5 9h3l2.5 8"/>',
  spinner: '<path d="M12 3.5a8.5 8.5 0 108.5 8.5" />',
  edit: '<path d="M4.5 19.5l1-4.5L16 4.5l3.5 3.5L9 18.5z" stroke-linejoin="round"/><path d="M13.5 7l3.5 3.5"/>',
  lock: '<rect x="5.5" y="10.5" width="13" height="9.5" rx="2"/><path d="M8.5 10.5V8a3.5 3.5 0 017 0v2.5"/>',
  offline: '<path d="M3.5 9.5a12.5 12.5 0 0117 0M6.8 13a8 8 0 0110.4 0M10 16.5a3.5 3.5 0 014 0"/><path d="M4 4l16 16"/>',
  dot: '<circle cx="12" cy="12" r="5" fill="currentColor" stroke="none"/>',
};

/** @typedef {keyof typeof ICONS} IconName */

/**
 * An inline SVG icon, hidden from assistive technology (the text beside it
 * says the same).
 * @param {IconName} name
 * @param {string} [className]
 * @returns {SVGSVGElement}
 */
export function icon(name, className = 'icon') {
  const svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG_NS, 'svg'));
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', className);
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.innerHTML = ICONS[name];
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
  next.setAttribute('data-icon', name);
  if (current) current.replaceWith(next);
  else node.prepend(next);
}

/**
 * An SVG element in the SVG namespace.
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
export function svgEl(tag, attrs = {}) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}
