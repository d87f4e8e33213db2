// @ts-check
/**
 * /: the demo's orders (`GET /v1/orders`, newest first, as whoever is
 * logged in: a customer sees their own) with links to their tracking
 * pages. Refreshed on demand and when the tab comes back into view.
 */

import { statusChip } from '/assets/chips.js';
import { byId, h } from '/assets/dom.js';
import { itemsSummary, partyName } from '/assets/format.js';
import { icon, paintIcons } from '/assets/icons.js';
import { apiFetch, currentPersona } from '/assets/session.js';
import { mountHeader } from '/assets/site-header.js';

mountHeader('orders');
paintIcons();

const list = byId('orders');
const more = byId('more');
const moreButton = /** @type {HTMLButtonElement} */ (byId('more-button'));
const refresh = /** @type {HTMLButtonElement} */ (byId('refresh'));
const status = byId('orders-status');

const persona = currentPersona();
if (persona && persona.role === 'customer') {
  byId('orders-title').textContent = 'Your orders';
  byId('orders-note').textContent = `The orders of ${persona.name}, newest first.`;
} else if (persona && persona.role === 'courier') {
  byId('orders-title').textContent = 'Your deliveries';
  byId('orders-note').textContent = `The orders assigned to ${persona.name}, newest first.`;
}

/** @type {string | undefined} */
let next;
let loading = false;

/**
 * @param {boolean} append the next page, or the first page afresh
 */
async function load(append) {
  if (loading) return;
  loading = true;
  refresh.disabled = true;
  moreButton.disabled = true;
  list.setAttribute('aria-busy', 'true');
  try {
    const query = new URLSearchParams({ limit: '25' });
    if (append && next) query.set('cursor', next);
    const response = await apiFetch(`/v1/orders?${query}`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const code = body?.error?.code ?? response.status;
      showState(
        response.status === 401
          ? 'Log in to see the orders.'
          : `The orders could not be loaded (${code}).`,
        response.status === 401,
      );
      more.hidden = true;
      return;
    }
    /** @type {{ items: any[], next?: string }} */
    const page = await response.json();
    next = page.next;
    const rows = page.items.map(row);
    if (append) list.append(...rows);
    else if (rows.length === 0) showState('No orders yet. The demo places a new one every little while.', false);
    else list.replaceChildren(...rows);
    more.hidden = !next;
    status.textContent = append ? `${rows.length} more orders shown.` : `${rows.length} orders shown.`;
  } catch {
    showState('The server cannot be reached. Is the demo still running?', false);
  } finally {
    loading = false;
    refresh.disabled = false;
    moreButton.disabled = false;
    list.setAttribute('aria-busy', 'false');
  }
}

/**
 * @param {string} text
 * @param {boolean} login offer the login page
 */
function showState(text, login) {
  list.replaceChildren(h('li', { class: 'list-state' }, text, login ? ' ' : '', login ? h('a', { href: '/login', text: 'Log in' }) : ''));
}

/**
 * One order as a link to its tracking page.
 * @param {any} order the snapshot JSON
 */
function row(order) {
  const id = String(order.id);
  const items = Array.isArray(order.items) ? itemsSummary(order.items) : '';
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'order-link', href: `/track/${encodeURIComponent(id)}`, dataset: { id } },
      h('span', { class: 'order-id', text: id }),
      h(
        'span',
        { class: 'order-who' },
        h('strong', { text: partyName(order.customer) || 'Customer' }),
        h('span', { text: items }),
      ),
      statusChip(String(order.status)),
      h('span', { class: 'order-go' }, 'Track', icon('arrow')),
    ),
  );
}

refresh.addEventListener('click', () => load(false));
moreButton.addEventListener('click', () => load(true));
// Back to the tab after a while: show what changed (only the first page,
// so nobody loses their place in a long list).
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && more.hidden && !list.contains(document.activeElement)) load(false);
});

load(false);
