// @ts-check
/**
 * The dashboard's order table, windowed. It knows every order of the feed,
 * newest first (by creation time; a row keeps its place), and which of
 * them the filters show; only the rows in view are in the DOM, with
 * spacers for the others (dispatch-window.js), so a tenant's hundreds of
 * orders cost a few dozen rows and a burst of events costs the rows on
 * screen. A sync touches only the rows on screen whose order changed
 * (views are immutable, so a changed order is a different object) and, in
 * those, only the cells whose text changed. The selected row and the row
 * with the keyboard focus stay in the DOM, and shown, even when they stop
 * matching the filters or scroll away, so an update never takes the
 * keyboard focus away; the arrow keys move through the whole list. The
 * table says how many rows it has (`aria-rowcount`), each row its place.
 */

import { flagChip, statusChip } from '/assets/chips.js';
import { h } from '/assets/dom.js';
import { clockTime, etaText, itemsSummary, partyName } from '/assets/format.js';
import { FINAL } from '/assets/labels.js';
import { windowRows } from '/assets/dispatch-window.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

/**
 * A row in the DOM.
 * @typedef {object} Row
 * @property {HTMLTableRowElement} tr
 * @property {HTMLButtonElement} button
 * @property {OrderView} view
 * @property {Record<string, string>} sig what each cell shows now
 * @property {Record<string, HTMLElement>} cells
 */

/**
 * An order the table knows, in the DOM or not.
 * @typedef {object} Entry
 * @property {OrderView} view
 * @property {number} key sort key (creation time)
 * @property {boolean} matches whether the filters show it
 */

/** @typedef {{ above: number, viewport: number }} Viewport */

const reducedMotion = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

export class OrderTable {
  /**
   * @param {HTMLTableSectionElement} tbody
   * @param {{ onSelect: (id: string) => void, onFocusLeft: () => void }} hooks
   */
  constructor(tbody, hooks) {
    this.tbody = tbody;
    this.table = tbody.closest('table');
    this.hooks = hooks;
    /** @type {Map<string, Entry>} every order */
    this.entries = new Map();
    /** @type {string[]} every order, newest first */
    this.order = [];
    /** @type {string[]} the list: the orders the filters show, and the pinned rows */
    this.shown = [];
    /** @type {Map<string, Row>} the rows in the DOM */
    this.rows = new Map();
    /** @type {HTMLTableRowElement[]} */
    this.spacers = [];
    /** @type {Set<string>} orders that arrived since the last draw (they flash) */
    this.arrived = new Set();
    /** @type {string | null} */
    this.selected = null;
    /** @type {string | null} a row drawn wherever it is (the keyboard goes there) */
    this.revealing = null;
    /** @type {(view: OrderView) => boolean} */
    this.filter = () => true;
    /** Orders the filters show. */
    this.visibleCount = 0;
    /** Rows written by the last sync (for tests and curiosity). */
    this.lastUpdated = 0;
    /** px; measured from the rows drawn. */
    this.rowHeight = 58;
    this.synced = false;
    this.drawQueued = false;

    tbody.addEventListener('click', (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      if (target.closest('a')) return;
      const tr = target.closest('tr');
      if (tr?.dataset.id) hooks.onSelect(tr.dataset.id);
    });
    tbody.addEventListener('keydown', (event) => this.onKey(event));
    // A row kept visible for the focus may hide once the focus moves on.
    tbody.addEventListener('focusout', () => queueMicrotask(() => hooks.onFocusLeft()));
    const redraw = () => this.queueDraw();
    addEventListener('scroll', redraw, { passive: true });
    addEventListener('resize', redraw);
  }

  /**
   * Brings the table in line with `orders`.
   * @param {Map<string, OrderView>} orders
   * @returns {number} rows whose content was written
   */
  sync(orders) {
    const viewport = this.measure();
    let reorder = false;
    let updated = 0;
    for (const [id, view] of orders) {
      const entry = this.entries.get(id);
      if (!entry) {
        this.entries.set(id, { view, key: sortKey(view), matches: true });
        if (this.synced) this.arrived.add(id);
        reorder = true;
        continue;
      }
      if (entry.view === view) continue;
      const statusBefore = entry.view.status;
      entry.view = view;
      const key = sortKey(view);
      if (key !== entry.key) {
        entry.key = key;
        reorder = true;
      }
      const row = this.rows.get(id);
      if (!row) continue;
      row.view = view;
      if (this.fill(row)) {
        updated += 1;
        if (statusBefore !== view.status) this.flash(row);
      }
    }
    for (const id of this.entries.keys()) {
      // Gone from the feed (a snapshot without it): dropped, unless the
      // keyboard is on it.
      if (orders.has(id) || this.hasFocus(id)) continue;
      this.entries.delete(id);
      reorder = true;
    }
    if (reorder) this.order = [...this.entries.keys()].sort((a, b) => this.compare(a, b));
    this.synced = true;
    updated += this.layout(viewport);
    this.lastUpdated = updated;
    return updated;
  }

  /**
   * Newest first; the same time, the greater id first.
   * @param {string} a
   * @param {string} b
   */
  compare(a, b) {
    const byKey = (this.entries.get(b)?.key ?? 0) - (this.entries.get(a)?.key ?? 0);
    return byKey !== 0 ? byKey : a < b ? 1 : a > b ? -1 : 0;
  }

  /**
   * Where the list is on screen, and how high a row is, read before any
   * write (so a draw forces no extra layout).
   * @returns {Viewport}
   */
  measure() {
    let total = 0;
    let counted = 0;
    for (const row of this.rows.values()) {
      const height = row.tr.getBoundingClientRect().height;
      if (height > 0) {
        total += height;
        counted += 1;
      }
    }
    if (counted > 0) this.rowHeight = total / counted;
    return { above: Math.max(0, -this.tbody.getBoundingClientRect().top), viewport: window.innerHeight };
  }

  /** A draw at the next frame (after a scroll or a resize). */
  queueDraw() {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw(this.measure());
    });
  }

  /**
   * Which orders the list shows, then their rows in view into the DOM.
   * @param {Viewport} [viewport]
   * @returns {number} rows drawn anew
   */
  layout(viewport = this.measure()) {
    /** @type {string[]} */
    const shown = [];
    let visible = 0;
    for (const id of this.order) {
      const entry = /** @type {Entry} */ (this.entries.get(id));
      entry.matches = this.filter(entry.view);
      if (entry.matches) visible += 1;
      if (entry.matches || this.pinned(id)) shown.push(id);
    }
    this.shown = shown;
    this.visibleCount = visible;
    this.table?.setAttribute('aria-rowcount', String(shown.length + 1));
    return this.draw(viewport);
  }

  /**
   * The rows in view (and the pinned ones) into the DOM, spacers between.
   * @param {Viewport} viewport
   * @returns {number} rows drawn anew
   */
  draw(viewport) {
    const pinned = this.shown.flatMap((id, index) => (this.pinned(id) ? [index] : []));
    const pieces = windowRows({ count: this.shown.length, rowHeight: this.rowHeight, ...viewport, pinned });
    /** @type {HTMLTableRowElement[]} */
    const nodes = [];
    /** @type {Set<string>} */
    const wanted = new Set();
    /** @type {Row[]} */
    const fresh = [];
    let spacers = 0;
    let drawn = 0;
    for (const piece of pieces) {
      if (piece.kind === 'spacer') {
        nodes.push(this.spacer(spacers++, piece.rows * this.rowHeight));
        continue;
      }
      const id = this.shown[piece.index];
      const entry = /** @type {Entry} */ (this.entries.get(id));
      let row = this.rows.get(id);
      if (!row) {
        row = this.createRow(id, entry.view);
        this.rows.set(id, row);
        drawn += 1;
        if (this.arrived.has(id)) fresh.push(row);
      }
      row.tr.setAttribute('aria-rowindex', String(piece.index + 2));
      row.tr.toggleAttribute('data-unmatched', !entry.matches);
      wanted.add(id);
      nodes.push(row.tr);
    }
    for (const [id, row] of this.rows) {
      if (wanted.has(id)) continue;
      row.tr.remove();
      this.rows.delete(id);
    }
    // Only what moved is touched: rows already in place stay put.
    let cursor = this.tbody.firstElementChild;
    for (const node of nodes) {
      if (node === cursor) cursor = cursor.nextElementSibling;
      else this.tbody.insertBefore(node, cursor);
    }
    while (cursor) {
      const next = cursor.nextElementSibling;
      cursor.remove();
      cursor = next;
    }
    this.arrived.clear();
    for (const row of fresh) this.flash(row);
    return drawn;
  }

  /**
   * The `index`-th spacer, `px` high.
   * @param {number} index
   * @param {number} px
   */
  spacer(index, px) {
    this.spacers[index] ??= /** @type {HTMLTableRowElement} */ (
      h('tr', { class: 'orders-spacer', 'aria-hidden': 'true' }, h('td', { colspan: '6' }))
    );
    const tr = this.spacers[index];
    const height = `${Math.round(px)}px`;
    // CSSOM, not a style attribute: the pages' CSP has no 'unsafe-inline'.
    if (tr.style.height !== height) tr.style.height = height;
    return tr;
  }

  /** @param {string} id */
  pinned(id) {
    return id === this.selected || id === this.revealing || this.hasFocus(id);
  }

  /** @param {string} id */
  hasFocus(id) {
    const row = this.rows.get(id);
    return Boolean(row && row.tr.contains(document.activeElement));
  }

  /**
   * @param {string} id
   * @param {OrderView} view
   * @returns {Row}
   */
  createRow(id, view) {
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
    const row = { tr, button, view, sig: {}, cells };
    this.fill(row);
    this.markSelected(row, id === this.selected);
    return row;
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
        v.delay ? flagChip('delayed', v.delay.reason) : '',
        v.lastFailure && !final ? flagChip('delivery_failed', v.lastFailure) : '',
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
    const eta = final ? '' : etaText(v.eta)?.time ?? '';
    set('eta', `${eta}|${final ? v.status : ''}`, () => {
      row.cells.eta.replaceChildren(
        final
          ? h('span', { class: 'cell-none', 'aria-label': 'None', text: '—' })
          : h('time', { datetime: v.eta ?? undefined, text: eta || '—' }),
      );
    });
    const updated = clockTime(v.updatedAt ?? v.lastUpdated);
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
    this.layout();
  }

  /** Re-checks every row against the filter (after the focus moved). */
  refilter() {
    this.layout();
  }

  /**
   * @param {Row} row
   * @param {boolean} on
   */
  markSelected(row, on) {
    row.tr.classList.toggle('is-selected', on);
    row.button.setAttribute('aria-expanded', String(on));
  }

  /** @param {string | null} id */
  setSelected(id) {
    const before = this.selected ? this.rows.get(this.selected) : undefined;
    if (before) this.markSelected(before, false);
    this.selected = id;
    const row = id ? this.rows.get(id) : undefined;
    if (row) this.markSelected(row, true);
    this.layout();
  }

  /**
   * Puts the focus on a row, drawing it first if it is out of view (the
   * browser then scrolls to it).
   * @param {string} id
   */
  focusRow(id) {
    this.revealing = id;
    this.layout();
    this.rows.get(id)?.button.focus();
    this.revealing = null;
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    const target = /** @type {HTMLElement} */ (event.target);
    if (!target.classList.contains('row-select')) return;
    const at = this.shown.indexOf(target.closest('tr')?.dataset.id ?? '');
    const lastIndex = this.shown.length - 1;
    let next = -1;
    if (event.key === 'ArrowDown') next = Math.min(lastIndex, at + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, at - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = lastIndex;
    else return;
    event.preventDefault();
    const id = this.shown[next];
    if (id) this.focusRow(id);
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

