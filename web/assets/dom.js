// @ts-check
/**
 * The pages' DOM helpers: build elements without innerHTML (names and
 * addresses come from the API), and write only what changed, so updates
 * never disturb focus, selection or a screen reader's place.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An attribute's value: `on…` keys take a listener, `dataset` an object;
 * `false`, `null` and `undefined` leave the attribute out, `true` sets it
 * empty.
 * @typedef {string | number | boolean | null | undefined | ((event: Event) => void) | Record<string, string>} AttrValue
 */

/** @typedef {Node | string | null | undefined | false} Child */

/**
 * An element with attributes and children. `class`, `text` and `dataset`
 * are shortcuts; keys starting with `on` whose value is a function are
 * listeners; other keys become attributes.
 * @param {string} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Child} children left out when null, undefined or false
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset' && typeof value === 'object') Object.assign(el.dataset, value);
    else if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
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
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`${location.pathname}: #${id} is missing`);
  return /** @type {T} */ (node);
}

/**
 * True when `node` holds the keyboard focus (itself or inside).
 * @param {Element | null} node
 */
export function hasFocus(node) {
  return node !== null && document.activeElement !== null && node.contains(document.activeElement);
}
