// @ts-check
/**
 * /dispatch: every order of the tenant, live from the `orders` feed (the
 * SDK completes its snapshot with every active order, feed.js).
 *
 * The feed's listener only marks the page dirty; a render runs at most
 * once per animation frame and at most every 250 ms, and touches only the
 * rows on screen whose order changed: the table is windowed, only the rows
 * in view are in the DOM (dispatch-table.js). The last data stays on
 * screen through a reconnect; the connection badge says how old it is.
 * Filters (status, delayed, courier, search; dispatch-filters.js) and the
 * open order live in the URL's query, so a reload or a shared link shows
 * the same view.
 */

import { badgeFor, showBadge } from '/assets/badge.js';
import { createConnectionAnnouncer } from '/assets/connection-announcer.js';
import { DetailPanel } from '/assets/dispatch-detail.js';
import { mountFilters } from '/assets/dispatch-filters.js';
import { OrderTable } from '/assets/dispatch-table.js';
import { byId, h } from '/assets/dom.js';
import { paintIcons } from '/assets/icons.js';
import { FINAL, STAFF, STATUSES, roleName } from '/assets/labels.js';
import { currentPersona, sdk } from '/assets/session.js';
import { mountHeader } from '/assets/site-header.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

const MIN_RENDER_INTERVAL_MS = 250;
const SUMMARY_ANNOUNCE_MS = 5000;
/** Below this width the detail panel covers the list. */
const narrow = window.matchMedia('(max-width: 900px)');

mountHeader('dispatch', { badge: true });
paintIcons();

const els = {
  conn: byId('connection'),
  summary: byId('summary'),
  problem: byId('feed-problem'),
  statusFilter: byId('status-filter'),
  search: /** @type {HTMLInputElement} */ (byId('search')),
  courier: /** @type {HTMLSelectElement} */ (byId('courier-filter')),
  delayed: /** @type {HTMLInputElement} */ (byId('delayed-filter')),
  delayedCount: byId('delayed-count'),
  clear: byId('clear-filters'),
  shown: byId('shown'),
  rows: /** @type {HTMLTableSectionElement} */ (byId('rows')),
  tableState: byId('table-state'),
  detail: byId('detail'),
  announcer: byId('announcer'),
};

/** What the page shows, and where the rendering stands (tests read it). */
const debug = { renders: 0, rowsUpdated: 0 };
Object.assign(window, { trackwireDispatch: debug });

// --- filters ---------------------------------------------------------------

const query = new URLSearchParams(location.search);
const filters = mountFilters(els, query, {
  onChange: () => {
    table.setFilter(filters.matches);
    saveUrl();
    renderNow();
  },
});
/** @type {string | null} */
let selected = query.get('order');
let needsRefilter = false;

/** The filters and the open order, into the URL's query. */
function saveUrl() {
  const q = filters.query();
  if (selected) q.set('order', selected);
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

// --- the feed ----------------------------------------------------------------

const persona = currentPersona();
const table = new OrderTable(els.rows, {
  onSelect: (id) => (id === selected ? closeDetail(true) : select(id)),
  onFocusLeft: () => {
    needsRefilter = true;
    schedule();
  },
});
table.setFilter(filters.matches);

/**
 * @param {string} title
 * @param {string} text
 * @param {string} [action] the words of the link to /login
 */
function showProblem(title, text, action = 'Choose who you are') {
  if (els.problem.dataset.text === title + text && !els.problem.hidden) return;
  els.problem.dataset.text = title + text;
  els.problem.replaceChildren(
    h('div', {}, h('strong', { text: title }), h('p', {}, text, ' ', h('a', { href: '/login', text: action }), '.')),
  );
  els.problem.hidden = false;
}

function start() {
  const client = sdk();
  const feed = client.watch('orders', schedule);
  const detail = new DetailPanel(els.detail, client, { onChange: schedule, onClose: () => closeDetail(true) });
  client.onStateChange(() => {
    updateBadge();
    schedule();
  });
  // The open order's ETA says how far off it is ("in 12 min"): keep that current.
  setInterval(() => selected && schedule(), 30000);

  /** @type {Map<string, OrderView> | null} */
  let lastOrders = null;
  const connection = createConnectionAnnouncer(say, {
    lost: 'Connection lost. The orders shown are kept and may be out of date; reconnecting.',
    back: 'Connected again. Orders are live.',
  });
  /** @type {ReturnType<typeof setInterval> | null} */
  let ticker = null;

  function updateBadge() {
    const state = client.getState();
    const lastUpdated = feed.snapshot().lastUpdated;
    const badge = badgeFor(state, { lastUpdated: lastUpdated || undefined, online: navigator.onLine });
    showBadge(els.conn, badge);
    document.body.dataset.connection = badge.tone;
    connection.observe(badge.tone);
    // A countdown needs a tick; nothing else does.
    if (state.status === 'reconnecting' && !ticker) ticker = setInterval(updateBadge, 1000);
    else if (state.status !== 'reconnecting' && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  }

  renderFn = () => {
    const snap = feed.snapshot();
    const orders = snap.feed?.orders;
    if (orders && orders !== lastOrders) {
      lastOrders = orders;
      debug.rowsUpdated += table.sync(orders);
      filters.addCouriers(orders);
    }
    if (needsRefilter) {
      // The focus left a row kept visible for it: re-check visibility.
      needsRefilter = false;
      table.refilter();
    }
    const state = client.getState();
    if (state.status === 'closed' && state.reason === 'session_expired') {
      showProblem('Your session has expired.', 'The orders shown are no longer updated.', 'Sign in again');
    } else if (snap.status === 'error') {
      showProblem(
        snap.error === 'forbidden' ? 'The order feed is for staff.' : 'The order feed is not available.',
        snap.error === 'forbidden'
          ? 'This account may not see every order of the tenant. Log in as the dispatcher.'
          : `The server refused it (${snap.error}).`,
      );
    } else {
      els.problem.hidden = true;
    }
    summarize(lastOrders ?? new Map(), snap.status);
    if (selected) {
      const view = lastOrders?.get(selected);
      detail.open(selected);
      detail.render(view);
    } else {
      detail.close();
    }
    updateBadge();
  };

  closeFn = (returnFocus) => {
    const was = selected;
    const focusWasInPanel = els.detail.contains(document.activeElement);
    selected = null;
    table.setSelected(null);
    detail.close();
    setSheet(false);
    saveUrl();
    renderNow();
    if (was && (returnFocus || focusWasInPanel)) table.focusRow(was);
  };

  selectFn = (id) => {
    selected = id;
    table.setSelected(id);
    detail.open(id);
    saveUrl();
    renderNow();
    if (narrow.matches) {
      setSheet(true);
      detail.focusTitle();
    }
  };

  if (selected) {
    table.setSelected(selected);
    setSheet(narrow.matches);
  }
  narrow.addEventListener('change', () => setSheet(narrow.matches && selected !== null));
  updateBadge();
  renderNow();
}

/** @type {() => void} */
let renderFn = () => {};
/** @type {(returnFocus: boolean) => void} */
let closeFn = () => {};
/** @type {(id: string) => void} */
let selectFn = () => {};

/**
 * On narrow screens the open order covers the page like a dialog: the
 * rest is inert until it closes.
 * @param {boolean} on
 */
function setSheet(on) {
  document.body.classList.toggle('detail-open', on);
  if (on) {
    els.detail.setAttribute('role', 'dialog');
    els.detail.setAttribute('aria-modal', 'true');
  } else {
    els.detail.removeAttribute('role');
    els.detail.removeAttribute('aria-modal');
  }
  for (const el of document.querySelectorAll('.site-header, .skip-link, .dispatch-head, .filters, #orders-region')) {
    /** @type {HTMLElement} */ (el).inert = on;
  }
}

/** @param {string} id */
function select(id) {
  selectFn(id);
}

/** @param {boolean} returnFocus */
function closeDetail(returnFocus) {
  closeFn(returnFocus);
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && selected) {
    event.preventDefault();
    closeDetail(true);
  }
});

// --- rendering, batched --------------------------------------------------------

let scheduled = false;
let lastRender = -Infinity;

/** Marks the page dirty; renders on the next frame at least 250 ms after the last. */
function schedule() {
  if (scheduled) return;
  scheduled = true;
  const wait = Math.max(0, lastRender + MIN_RENDER_INTERVAL_MS - performance.now());
  setTimeout(() => requestAnimationFrame(renderNow), wait);
}

function renderNow() {
  scheduled = false;
  lastRender = performance.now();
  debug.renders += 1;
  renderFn();
}

// --- summary, counts, states -------------------------------------------------

/**
 * @param {Map<string, OrderView>} orders
 * @param {string} feedStatus
 */
function summarize(orders, feedStatus) {
  /** @type {Record<string, number>} */
  const counts = { all: orders.size, active: 0 };
  for (const s of STATUSES) counts[s] = 0;
  let delayed = 0;
  for (const v of orders.values()) {
    counts[v.status] = (counts[v.status] ?? 0) + 1;
    if (!FINAL.has(v.status)) counts.active += 1;
    if (v.delay) delayed += 1;
  }
  filters.showCounts(counts, delayed);

  const loaded = feedStatus !== 'loading' || orders.size > 0;
  if (loaded) {
    const parts = [
      `${orders.size} ${orders.size === 1 ? 'order' : 'orders'}`,
      `${counts.active} active`,
      `${delayed} delayed`,
      `${counts.out_for_delivery} out for delivery`,
    ];
    const text = parts.join(' · ');
    if (els.summary.textContent !== text) els.summary.textContent = text;
    announceSummary(`${parts.join(', ')}.`);
  }
  els.shown.textContent = filters.active() ? `Showing ${table.visibleCount} of ${orders.size}` : '';

  if (table.shown.length > 0) setTableState('none');
  else if (!loaded) setTableState('loading');
  else if (orders.size === 0) setTableState('empty');
  else setTableState('nomatch');
}

let tableState = '';
/** @param {'none' | 'loading' | 'empty' | 'nomatch'} state */
function setTableState(state) {
  if (state === tableState) return;
  tableState = state;
  els.tableState.hidden = state === 'none';
  els.tableState.dataset.state = state;
  if (state === 'loading') {
    els.tableState.replaceChildren(
      h('div', { class: 'skeleton', 'aria-hidden': 'true' }, h('span'), h('span'), h('span'), h('span')),
      h('p', { text: 'Loading orders…' }),
    );
  } else if (state === 'empty') {
    els.tableState.replaceChildren(
      h('p', { class: 'state-title', text: 'No orders yet' }),
      h('p', { text: 'New orders appear here the moment they are created.' }),
    );
  } else if (state === 'nomatch') {
    els.tableState.replaceChildren(
      h('p', { class: 'state-title', text: 'No orders match these filters' }),
      h('button', { type: 'button', class: 'btn', text: 'Clear filters', onclick: filters.clear }),
    );
  }
}

// --- the polite live region: summaries, not messages ----------------------

let announced = '';
let pendingSummary = '';
/** @type {ReturnType<typeof setTimeout> | null} */
let announceTimer = null;

/** @param {string} text */
function announceSummary(text) {
  pendingSummary = text;
  if (announceTimer || text === announced) return;
  announceTimer = setTimeout(() => {
    announceTimer = null;
    if (pendingSummary === announced) return;
    announced = pendingSummary;
    say(pendingSummary);
  }, announced ? SUMMARY_ANNOUNCE_MS : 1000);
}

/** @param {string} text */
function say(text) {
  els.announcer.textContent = text;
}

// --- go -----------------------------------------------------------------------

if (persona && !STAFF.has(persona.role)) {
  // A customer or a courier: the feed is not theirs (docs/security.md).
  showProblem(
    'The order feed is for staff.',
    `You are logged in as ${persona.name} (${roleName(persona.role).toLowerCase()}). Log in as the dispatcher to see every order.`,
  );
  els.conn.hidden = true;
  byId('board').hidden = true;
  /** @type {HTMLElement} */ (document.querySelector('.filters')).hidden = true;
  els.summary.textContent = 'Not available for this account.';
} else {
  start();
}
