// @ts-check
/**
 * The ops console's DOM: the tiles, the node, topic and refusal tables and
 * the freshness bars, each redrawn from the figures, writing only what
 * changed (setText) so a screen reader is not flooded every second.
 */

import { h, setAttr, setText, show, svgEl } from './dom.js';
import { clockTime } from './format.js';
import { SILENT_AFTER_MS, TRANSPORT_NAMES, durationText, rateText } from './ops-figures.js';

/** @typedef {import('/sdk/index.js').NodeFigures} NodeFigures */
/** @typedef {import('./ops-figures.js').Totals} Totals */

const count = (/** @type {number} */ n) => n.toLocaleString('en');

/**
 * @param {Record<string, HTMLElement>} els
 * @param {Totals} t
 */
export function renderTiles(els, t) {
  setText(els.connections, count(t.connectionsTotal));
  setText(els.byTransport, TRANSPORT_NAMES.map(([key, name]) => `${name} ${count(t.connections[key] ?? 0)}`).join(' · '));
  setText(els.deliveries, rateText(t.deliveriesPerSecond));
  setText(els.delivered, `${count(t.deliveries)} since start`);
  setText(els.cuts, count(t.cutsRecent));
  setText(els.cutsEver, `in the last minute · ${count(t.cuts)} since start`);
  setText(els.refusals, count(t.refusalsRecent));
  setText(els.refusalsEver, `in the last minute · ${count(t.refusals)} since start`);
}

/**
 * Rows keyed by `key`, in order: kept rows are updated in place, others
 * made or removed.
 * @template T
 * @param {HTMLElement} body the `<tbody>`
 * @param {T[]} items
 * @param {(item: T) => string} key
 * @param {(item: T) => string[]} cells each cell's text; the first is the row's header
 */
export function syncRows(body, items, key, cells) {
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();
  for (const row of /** @type {HTMLElement[]} */ ([...body.children])) rows.set(row.dataset.key ?? '', row);
  let at = 0;
  for (const item of items) {
    const id = key(item);
    const texts = cells(item);
    let row = rows.get(id);
    rows.delete(id);
    if (!row) {
      // Each cell is aligned as its column's heading is (numbers right).
      const heads = [.../** @type {HTMLTableElement} */ (body.parentElement).tHead?.rows[0]?.cells ?? []];
      row = h(
        'tr',
        { dataset: { key: id } },
        ...texts.map((_, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: heads[i]?.className || null })),
      );
    }
    [...row.children].forEach((cell, i) => setText(cell, texts[i] ?? ''));
    if (body.children[at] !== row) body.insertBefore(row, body.children[at] ?? null);
    at += 1;
  }
  for (const row of rows.values()) row.remove();
}

/**
 * @param {HTMLElement} body
 * @param {NodeFigures[]} nodes
 * @param {number} now
 */
export function renderNodes(body, nodes, now) {
  syncRows(
    body,
    nodes,
    (n) => n.node,
    (n) => [
      n.node,
      durationText(n.uptimeSeconds + Math.max(0, now - n.ts) / 1000),
      ...TRANSPORT_NAMES.map(([key]) => count(n.connections?.[key] ?? 0)),
      rateText(n.deliveriesPerSecond),
      count(n.slowConsumerCutsRecent),
      heard(n.ts, now),
    ],
  );
  for (const row of /** @type {HTMLElement[]} */ ([...body.children])) {
    const node = nodes.find((n) => n.node === row.dataset.key);
    setAttr(row, 'data-silent', node && now - node.ts > SILENT_AFTER_MS ? '' : null);
  }
}

/**
 * "now", or when a silent node was last heard.
 * @param {number} ts
 * @param {number} now
 */
function heard(ts, now) {
  return now - ts <= SILENT_AFTER_MS ? 'now' : `silent since ${clockTime(ts, { now, seconds: true })}`;
}

/**
 * The freshness bars: one list item per bucket, its bar as wide as its
 * share of the largest bucket (an SVG rect: no inline style, CSP).
 * @param {HTMLElement} list
 * @param {{ label: string, count: number }[]} buckets
 */
export function renderFreshness(list, buckets) {
  const most = Math.max(0, ...buckets.map((b) => b.count));
  while (list.children.length > buckets.length) list.lastElementChild?.remove();
  buckets.forEach((bucket, i) => {
    let item = /** @type {HTMLElement | undefined} */ (list.children[i]);
    if (!item) {
      const bar = svgEl('svg', { class: 'ops-bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' });
      bar.append(svgEl('rect', { x: 0, y: 0, height: 10, width: 0 }));
      item = h('li', { class: 'ops-bucket' }, h('span', { class: 'ops-bucket__label' }), bar, h('span', { class: 'ops-bucket__count' }));
      list.append(item);
    }
    const [label, bar, value] = [...item.children];
    setText(label, bucket.label);
    setText(value, count(bucket.count));
    // A bucket of one among thousands still shows a sliver.
    setAttr(bar.firstElementChild, 'width', String(bucket.count ? Math.max(0.5, (100 * bucket.count) / most) : 0));
  });
  show(list, most > 0);
}
