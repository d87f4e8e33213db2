// @ts-check
/**
 * The dashboard's order table. It keeps one row per order and, on each
 * sync, touches only the rows whose order view changed (views are
 * immutable, so a changed order is a different object) and, in those, only
 * the cells whose text changed. Rows are never moved once placed (new
 * orders are inserted by creation time, newest first), and a row that has
 * the focus or is selected stays visible even if it stops matching the
 * filters, so an update never takes the keyboard focus away.
 */

import { FINAL, clock, flagChip, h, itemsSummary, partyName, statusChip } from '/assets/dispatch-format.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

/**
 * @typedef {object} Row
 * @property {HTMLTableRowElement} tr
 * @property {HTMLButtonElement} button
 * @property {OrderView} view
 * @property {Record<string, string>} sig what each cell shows now
 * @property {Record<string, HTMLElement>} cells
 * @property {number} key sort key (creation time)
 */

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

export class OrderTable {
  /**
   * @param {HTMLTableSectionElement} tbody
   * @param {{ onSelect: (id: string) => void, onFocusLeft: () => void }} hooks
   */
  constructor(tbody, hooks) {
    this.tbody = tbody;
    this.hooks = hooks;
    /** @type {Map<string, Row>} */
    this.rows = new Map();
    /** @type {string | null} */
    this.selected = null;
    /** @type {(view: OrderView) => boolean} */
    this.filter = () => true;
    this.visibleCount = 0;
    /** Rows updated by the last sync (for tests and curiosity). */
    this.lastUpdated = 0;

    tbody.addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if (target.closest('a')) return;
      const tr = target.closest('tr');
      if (tr?.dataset.id) hooks.onSelect(tr.dataset.id);
    });
    tbody.addEventListener('keydown', (event) => this.onKey(event));
    // A row kept visible for the focus may hide once the focus moves on.
    tbody.addEventListener('focusout', () => queueMicrotask(() => hooks.onFocusLeft()));
  }

  /**
   * Brings the rows in line with `orders`.
   * @param {Map<string, OrderView>} orders
   * @returns {number} rows whose content changed
   */
  sync(orders) {
    let updated = 0;
    for (const [id, view] of orders) {
      const row = this.rows.get(id);
      if (!row) {
        this.insert(id, view);
        updated += 1;
      } else if (row.view !== view) {
        const statusBefore = row.view.status;
        row.view = view;
        if (this.fill(row)) {
          updated += 1;
          if (statusBefore !== view.status) this.flash(row);
        }
        this.applyFilterTo(row);
      }
    }
    for (const [id, row] of this.rows) {
      if (orders.has(id)) continue;
      // Gone from the feed (a snapshot without it): drop it, unless the
      // keyboard is on it.
      if (row.tr.contains(document.activeElement)) continue;
      row.tr.remove();
      this.rows.delete(id);
      updated += 1;
    }
    this.lastUpdated = updated;
    this.countVisible();
    return updated;
  }

  /**
   * @param {string} id
   * @param {OrderView} view
   */
  insert(id, view) {
    const button = /** @type {HTMLButtonElement} */ (
      h('button', { type: 'button', class: 'row-select', 'aria-expanded': 'false', 'aria-controls': 'detail', text: id })
    );
    const cells = {
      items: h('span', { class: 'cell-sub' }),
      status: h('td', { 'data-label': 'Status', class: 'cell-status' }),
      customer: h('td', { 'data-label': 'Customer' }),
      courier: h('td', { 'data-label': 'Courier' }),
      eta: h('td', { 'data-label': 'ETA', class: 'cell-time' }),
      updated: h('td', { 'data-label': 'Updated', class: 'cell-time' }),
    };
    const tr = /** @type {HTMLTableRowElement} */ (
      h(
        'tr',
        { dataset: { id } },
        h('th', { scope: 'row', class: 'cell-order' }, button, cells.items),
        cells.status,
        cells.customer,
        cells.courier,
        cells.eta,
        cells.updated,
      )
    );
    /** @type {Row} */
    const row = { tr, button, view, sig: {}, cells, key: sortKey(view) };
    this.fill(row);
    this.place(row);
    this.rows.set(id, row);
    this.applyFilterTo(row);
    if (this.rows.size > 1) this.flash(row);
  }

  /**
   * Puts a new row before the first row that is older (newest first).
   * @param {Row} row
   */
  place(row) {
    const id = row.tr.dataset.id ?? '';
    for (const other of this.tbody.rows) {
      const o = this.rows.get(other.dataset.id ?? '');
      if (!o) continue;
      if (o.key < row.key || (o.key === row.key && (other.dataset.id ?? '') < id)) {
        this.tbody.insertBefore(row.tr, other);
        return;
      }
    }
    this.tbody.append(row.tr);
  }

  /**
   * Writes the cells that changed; returns whether any did.
   * @param {Row} row
   */
  fill(row) {
    const v = row.view;
    const final = FINAL.has(v.status);
    const tr = row.tr;
    tr.dataset.status = v.status;
    tr.toggleAttribute('data-final', final);
    tr.toggleAttribute('data-delayed', v.delay !== null);
    let changed = false;
    /**
     * @param {string} name
     * @param {string} sig
     * @param {() => void} write
     */
    const set = (name, sig, write) => {
      if (row.sig[name] === sig) return;
      row.sig[name] = sig;
      write();
      changed = true;
    };
    const items = itemsSummary(v.items);
    set('items', items, () => {
      row.cells.items.textContent = v.items.length === 0 ? '' : `${count(v.items)} · ${items}`;
      row.cells.items.title = items;
    });
    set('status', `${v.status}|${v.delay?.reason ?? ''}|${v.lastFailure ?? ''}`, () => {
      row.cells.status.replaceChildren(
        statusChip(v.status),
        v.delay ? flagChip('delayed', 'Delayed', v.delay.reason) : '',
        v.lastFailure && !final ? flagChip('failed', 'Failed attempt', v.lastFailure) : '',
      );
    });
    set('customer', `${partyName(v.customer)}|${v.address}`, () => {
      row.cells.customer.replaceChildren(
        h('span', { class: 'cell-main', text: partyName(v.customer) || '—' }),
        h('span', { class: 'cell-sub', text: v.address }),
      );
    });
    set('courier', partyName(v.courier), () => {
      row.cells.courier.replaceChildren(
        v.courier
          ? h('span', { class: 'cell-main', text: partyName(v.courier) })
          : h('span', { class: 'cell-none', text: final ? '—' : 'Unassigned' }),
      );
    });
    const eta = final ? '' : clock(v.eta);
    set('eta', `${eta}|${final ? v.status : ''}`, () => {
      row.cells.eta.replaceChildren(
        final
          ? h('span', { class: 'cell-none', 'aria-label': 'None', text: '—' })
          : h('time', { datetime: v.eta ?? undefined, text: eta || '—' }),
      );
    });
    const updated = clock(v.updatedAt ?? v.lastUpdated);
    set('updated', updated, () => {
      row.cells.updated.replaceChildren(h('time', { datetime: v.updatedAt ?? undefined, text: updated || '—' }));
    });
    return changed;
  }

  /**
   * A brief highlight of a row that just changed status or arrived.
   * @param {Row} row
   */
  flash(row) {
    if (reducedMotion() || typeof row.tr.animate !== 'function') return;
    row.tr.animate([{ backgroundColor: '#fff6d1' }, { backgroundColor: 'transparent' }], {
      duration: 1400,
      easing: 'ease-out',
    });
  }

  /**
   * @param {(view: OrderView) => boolean} filter
   */
  setFilter(filter) {
    this.filter = filter;
    for (const row of this.rows.values()) this.applyFilterTo(row);
    this.countVisible();
  }

  /** Re-checks every row against the filter (after the focus moved). */
  refilter() {
    this.setFilter(this.filter);
  }

  /** @param {Row} row */
  applyFilterTo(row) {
    const id = row.tr.dataset.id;
    const matches = this.filter(row.view);
    const pinned = id === this.selected || row.tr.contains(document.activeElement);
    row.tr.hidden = !matches && !pinned;
    row.tr.toggleAttribute('data-unmatched', !matches && pinned);
  }

  countVisible() {
    let n = 0;
    for (const row of this.rows.values()) if (!row.tr.hidden && !row.tr.hasAttribute('data-unmatched')) n += 1;
    this.visibleCount = n;
  }

  /** @param {string | null} id */
  setSelected(id) {
    const before = this.selected ? this.rows.get(this.selected) : undefined;
    this.selected = id;
    if (before) {
      before.tr.removeAttribute('aria-selected');
      before.tr.classList.remove('is-selected');
      before.button.setAttribute('aria-expanded', 'false');
      this.applyFilterTo(before);
    }
    const row = id ? this.rows.get(id) : undefined;
    if (row) {
      row.tr.classList.add('is-selected');
      row.button.setAttribute('aria-expanded', 'true');
      this.applyFilterTo(row);
    }
    this.countVisible();
  }

  /** @param {string} id */
  focusRow(id) {
    this.rows.get(id)?.button.focus();
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    if (!target.classList.contains('row-select')) return;
    const buttons = [...this.tbody.querySelectorAll('tr:not([hidden]) .row-select')];
    const at = buttons.indexOf(target);
    let next = -1;
    if (event.key === 'ArrowDown') next = Math.min(buttons.length - 1, at + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = buttons.length - 1;
    else return;
    event.preventDefault();
    /** @type {HTMLElement} */ (buttons[next])?.focus();
  }
}

/** @param {OrderView} view */
function sortKey(view) {
  const created = view.createdAt ? Date.parse(view.createdAt) : NaN;
  return Number.isFinite(created) ? created : view.lastUpdated || Date.now();
}

/** @param {{ quantity: number }[]} items */
function count(items) {
  const n = items.reduce((sum, i) => sum + i.quantity, 0);
  return n === 1 ? '1 item' : `${n} items`;
}

