// @ts-check
/**
 * The dashboard's filters: status (one button each, with its count),
 * delayed only, courier, and a search over id, customer, courier and
 * address. They start from the URL's query and are written back to it by
 * the page (`query()`), so a reload or a shared link shows the same view.
 */

import { h } from '/assets/dom.js';
import { partyName } from '/assets/format.js';
import { FINAL, STATUSES, statusLabel } from '/assets/labels.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

/**
 * @typedef {object} FilterElements
 * @property {HTMLElement} statusFilter where the status buttons go
 * @property {HTMLInputElement} search
 * @property {HTMLSelectElement} courier
 * @property {HTMLInputElement} delayed
 * @property {HTMLElement} delayedCount
 * @property {HTMLElement} clear the "Clear filters" button
 */

/**
 * @typedef {object} Filters
 * @property {(view: OrderView) => boolean} matches
 * @property {() => boolean} active whether any filter narrows the list
 * @property {() => void} clear
 * @property {(orders: Map<string, OrderView>) => void} addCouriers
 * @property {(counts: Record<string, number>, delayed: number) => void} showCounts
 *   orders per status key ('all', 'active', each status) and delayed orders
 * @property {() => URLSearchParams} query the filters as the URL keeps them
 */

/**
 * Builds the filter controls in `els`, starting from `query`.
 * @param {FilterElements} els
 * @param {URLSearchParams} query
 * @param {{ onChange: () => void }} hooks
 * @returns {Filters}
 */
export function mountFilters(els, query, hooks) {
  const filters = {
    status: query.get('status') ?? 'all',
    delayed: query.get('delayed') === '1',
    courier: query.get('courier') ?? '',
    q: query.get('q') ?? '',
  };
  els.search.value = filters.q;
  els.delayed.checked = filters.delayed;

  /** @param {OrderView} v */
  function matches(v) {
    if (filters.status === 'active' && FINAL.has(v.status)) return false;
    if (filters.status !== 'all' && filters.status !== 'active' && v.status !== filters.status) return false;
    if (filters.delayed && v.delay === null) return false;
    if (filters.courier === 'none' && v.courier !== null) return false;
    if (filters.courier && filters.courier !== 'none' && v.courier?.id !== filters.courier) return false;
    const q = filters.q.trim().toLowerCase();
    if (q) {
      const hay = [v.id, v.customer?.id, v.customer?.name, v.courier?.name, v.address].join(' ').toLowerCase();
      if (!hay.includes(q)) return false;
    }
    return true;
  }

  function active() {
    return filters.status !== 'all' || filters.delayed || filters.courier !== '' || filters.q.trim() !== '';
  }

  function toQuery() {
    const q = new URLSearchParams();
    if (filters.status !== 'all') q.set('status', filters.status);
    if (filters.delayed) q.set('delayed', '1');
    if (filters.courier) q.set('courier', filters.courier);
    if (filters.q.trim()) q.set('q', filters.q.trim());
    return q;
  }

  /** @type {Map<string, HTMLButtonElement>} */
  const statusButtons = new Map();
  for (const key of ['all', 'active', ...STATUSES]) {
    const label = key === 'all' ? 'All' : key === 'active' ? 'Active' : statusLabel(key);
    const button = /** @type {HTMLButtonElement} */ (
      h(
        'button',
        {
          type: 'button',
          class: 'status-button',
          dataset: { status: key },
          'aria-pressed': String(filters.status === key),
          onclick: () => {
            filters.status = key;
            for (const [k, b] of statusButtons) b.setAttribute('aria-pressed', String(k === key));
            hooks.onChange();
          },
        },
        h('span', { class: 'status-button-label', text: label }),
        h('span', { class: 'status-button-count', text: '0' }),
      )
    );
    statusButtons.set(key, button);
    els.statusFilter.append(button);
  }

  els.search.addEventListener('input', () => {
    filters.q = els.search.value;
    hooks.onChange();
  });
  els.delayed.addEventListener('change', () => {
    filters.delayed = els.delayed.checked;
    hooks.onChange();
  });
  els.courier.addEventListener('change', () => {
    filters.courier = els.courier.value;
    hooks.onChange();
  });
  els.clear.addEventListener('click', clear);

  function clear() {
    filters.status = 'all';
    filters.delayed = false;
    filters.courier = '';
    filters.q = '';
    els.search.value = '';
    els.delayed.checked = false;
    els.courier.value = '';
    for (const [k, b] of statusButtons) b.setAttribute('aria-pressed', String(k === 'all'));
    hooks.onChange();
  }

  /** Couriers seen so far, in the courier filter (only ever added to). */
  /** @type {Set<string>} */
  const couriersListed = new Set();

  /** @param {Map<string, OrderView>} orders */
  function addCouriers(orders) {
    for (const v of orders.values()) {
      const c = v.courier;
      if (!c || couriersListed.has(c.id)) continue;
      couriersListed.add(c.id);
      const option = /** @type {HTMLOptionElement} */ (h('option', { value: c.id, text: partyName(c) }));
      const after = [...els.courier.options].slice(2).find((o) => o.text.localeCompare(option.text) > 0);
      els.courier.insertBefore(option, after ?? null);
    }
    // A courier named in the URL before any order showed them.
    if (filters.courier && els.courier.value !== filters.courier && couriersListed.has(filters.courier)) {
      els.courier.value = filters.courier;
    }
  }

  /**
   * @param {Record<string, number>} counts
   * @param {number} delayed
   */
  function showCounts(counts, delayed) {
    for (const [key, button] of statusButtons) {
      const n = String(counts[key] ?? 0);
      const countEl = /** @type {HTMLElement} */ (button.lastElementChild);
      if (countEl.textContent !== n) countEl.textContent = n;
      button.toggleAttribute('data-zero', n === '0');
    }
    els.delayedCount.textContent = `(${delayed})`;
    els.clear.hidden = !active();
  }

  return { matches, active, clear, addCouriers, showCounts, query: toQuery };
}
