// @ts-check
/**
 * The customer's tracking page, `/track/{orderId}`: the order's status
 * timeline, ETA, courier and live map, the connection's truth, and the
 * customer's optimistic actions. It reads everything through the page's
 * one SDK client (`sdk()` of session.js) and renders from it: the watch
 * listener, connection changes and a one-second clock all call `render`,
 * which writes only what changed.
 */

import { MAIN_PATH, timelineSteps } from '/sdk/index.js';
import { badgeFor, showBadge } from './badge.js';
import { DEVELOPMENT_IDENTITY, mountChat } from './chat.js';
import { createConnectionAnnouncer } from './connection-announcer.js';
import { byId, h, setAttr, setText, show } from './dom.js';
import { agoText, clockTime, etaText, initials, toMs } from './format.js';
import { STATUS_ICONS, paintIcons, setIcon } from './icons.js';
import { statusLabel } from './labels.js';
import { apiFetch, currentPersona, sdk } from './session.js';
import { mountHeader } from './site-header.js';
import { createActions } from './track-actions.js';
import { createAnnouncer } from './track-announcer.js';
import { statusDescription } from './track-format.js';
import { createMap } from './track-map.js';
import { renderTimeline, timelineRows } from './track-timeline.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

mountHeader('track', { badge: true });
paintIcons();

const orderId = decodeURIComponent(location.pathname.replace(/\/+$/, '').split('/').pop() ?? '');
const client = sdk();
const page = byId('main');
const announcer = createAnnouncer(byId('announcer'));
const connection = createConnectionAnnouncer((text) => setText(byId('announcer'), text), {
  lost: 'Connection lost. Your order may have moved on; reconnecting.',
  back: 'Connected again. Your order is live.',
});
const map = createMap(byId('map'));
const actions = createActions({ client, orderId, rerender: render });
/** The last moment the connection was live: what "showing data from" means. */
let lastLiveAt = 0;
/** @type {OrderView | null} */
let lastOrder = null;
let queued = false;
/**
 * The courier's last position from the snapshot: a page opened while the
 * order is out for delivery gets the history replayed, which carries no
 * signals, so until the next ping it would have no position to show.
 * @type {import('/sdk/index.js').Location | null}
 */
let seededLocation = null;
let seedAsked = false;
/** The chat panel, mounted once the order is shown. @type {{ destroy(): void } | null} */
let chat = null;

document.title = `Order ${orderId} – Trackwire`;
setText(byId('order-id'), orderId);
const persona = currentPersona();

const watch = orderId ? client.watchOrder(orderId, schedule) : null;
// The chat panel comes once the order is shown; its topic is watched from
// the start, so a one-way transport opens once, for both.
if (orderId) client.watch(`chat:${orderId}`);
client.onStateChange(schedule);
setInterval(render, 1000);
render();

function schedule() {
  if (queued) return;
  queued = true;
  queueMicrotask(() => {
    queued = false;
    render();
  });
}

function render() {
  const state = client.getState();
  const now = Date.now();
  if (state.status === 'live' || state.status === 'degraded') lastLiveAt = now;
  const snapshot = watch?.snapshot();
  const server = snapshot?.order ?? null;

  const problem = !watch
    ? 'no_order'
    : state.status === 'closed' && state.reason === 'session_expired'
      ? 'session_expired'
      : snapshot?.status === 'error'
        ? snapshot.error ?? 'error'
        : state.status === 'closed' && state.reason === 'forbidden'
          ? 'forbidden'
          : null;
  renderProblem(problem);
  if (problem || !server) return;

  const loaded = server.seq > 0;
  setAttr(page, 'data-loaded', String(loaded));
  setAttr(byId('order'), 'aria-busy', loaded ? null : 'true');
  renderBadge(state, server, now);
  if (!loaded) {
    setIcon(byId('status-icon'), 'spinner', 'icon status-icon__svg icon--spin');
    return;
  }

  /** @type {OrderView & { pending?: Record<string, unknown> }} */
  const shown = client.getOrder(orderId) ?? server;
  setAttr(page, 'data-status', server.status);
  setAttr(page, 'data-final', String(server.final));
  lastOrder = server;
  announcer.observe(server);
  renderHero(shown, server, now);
  renderTimeline(
    byId('timeline'),
    timelineRows(timelineSteps(shown), { pendingStatus: Boolean(shown.pending?.status), final: server.final }),
  );
  renderMap(server, now);
  renderCourier(server);
  renderDetails(server);
  actions.render(shown, server);
  chat ??= mountChat(byId('chat'), { client, orderId, me: persona ?? DEVELOPMENT_IDENTITY, fetch: apiFetch });
}

/** @param {string | null} code */
function renderProblem(code) {
  show(byId('problem'), code !== null);
  show(byId('order'), code === null);
  show(byId('connection'), code === null);
  if (code === null) return;
  setAttr(page, 'data-problem', code);
  setText(byId('problem-action'), code === 'session_expired' ? 'Sign in again' : 'Sign in');
  const [title, text] =
    code === 'session_expired'
      ? ['Your session has expired', `Sign in again to keep following order ${orderId}.`]
      : code === 'order_not_found' || code === 'not_found'
      ? [
          `We can't find order ${orderId}`,
          'Check the link in your order confirmation. If you ordered with an account, sign in with it to see this order.',
        ]
      : code === 'forbidden'
        ? [
            'This order belongs to another account',
            `You are signed in, but not as the person who placed order ${orderId}. Sign in with the account you ordered with.`,
          ]
        : code === 'no_order'
          ? ['No order to show', 'The link is missing the order number. Use the link from your order confirmation.']
          : ["We can't show this order right now", `The server refused it (${code}). Please try again later.`];
  setText(byId('problem-title'), title);
  setText(byId('problem-text'), text);
}

/**
 * @param {import('/sdk/index.js').ConnectionState} state
 * @param {OrderView} server
 * @param {number} now
 */
function renderBadge(state, server, now) {
  const badge = badgeFor(state, { lastUpdated: lastLiveAt || server.lastUpdated, final: server.final, now, online: navigator.onLine });
  connection.observe(badge.tone);
  showBadge(byId('connection'), badge);
}

/**
 * @param {OrderView & { pending?: { status?: boolean } }} shown
 * @param {OrderView} server
 * @param {number} now
 */
function renderHero(shown, server, now) {
  const cancelling = Boolean(shown.pending?.status);
  const status = shown.status;
  const hero = byId('hero');
  setAttr(hero, 'data-status', cancelling ? 'cancelling' : status);
  setIcon(byId('status-icon'), cancelling ? 'clock' : STATUS_ICONS[status], 'icon status-icon__svg');
  setText(byId('status-headline'), cancelling ? 'Cancelling…' : statusLabel(status));
  const title = `${cancelling ? 'Cancelling…' : statusLabel(status)} · Order ${orderId} – Trackwire`;
  if (document.title !== title) document.title = title;
  const steps = timelineSteps(server);
  const finalStep = steps.find((s) => s.kind === 'final');
  let description = cancelling
    ? 'We are asking the shop to cancel your order.'
    : statusDescription(status, { courierName: server.courier?.name });
  if (!cancelling && finalStep?.kind === 'final' && finalStep.reason) description = `Reason: ${finalStep.reason}.`;
  setText(byId('status-description'), description);

  // The ETA, or when it was delivered.
  const deliveredAt = steps.find((s) => s.kind === 'step' && s.status === 'delivered')?.at;
  const eta = etaText(server.eta, now);
  const etaBlock = byId('eta');
  if (server.status === 'delivered') {
    show(etaBlock, Boolean(deliveredAt));
    setText(byId('eta-label'), 'Delivered at');
    setText(byId('eta-time'), clockTime(deliveredAt ?? '', { now }));
    setText(byId('eta-relative'), deliveredAt ? agoText(toMs(deliveredAt) ?? now, now) : '');
  } else {
    show(etaBlock, !server.final && !cancelling && eta !== null);
    setText(byId('eta-label'), server.delay ? 'New estimated arrival' : 'Estimated arrival');
    setText(byId('eta-time'), eta?.time ?? '');
    setText(byId('eta-relative'), eta?.relative ?? '');
  }
  setAttr(byId('eta-time'), 'datetime', server.status === 'delivered' ? deliveredAt ?? null : server.eta);

  // A delay or a failed attempt still in force.
  const warning = !server.final && (server.delay || server.lastFailure);
  show(byId('warning'), Boolean(warning));
  if (warning) {
    setText(byId('warning-title'), server.delay ? 'Your order is delayed' : 'A delivery attempt failed');
    setText(byId('warning-text'), server.delay ? server.delay.reason : server.lastFailure ?? '');
  }

  // Progress along the main path.
  const rank = /** @type {readonly string[]} */ (MAIN_PATH).indexOf(server.status);
  show(byId('progress'), rank >= 0);
  const bar = byId('progress-bar');
  const width = `${Math.max(4, (rank / (MAIN_PATH.length - 1)) * 100)}%`;
  if (bar.style.width !== width) bar.style.width = width;

  setText(byId('last-update'), server.lastUpdated ? clockTime(server.lastUpdated, { now, seconds: true }) : '—');
  setAttr(byId('last-update'), 'datetime', server.lastUpdated ? new Date(server.lastUpdated).toISOString() : null);
  setText(byId('last-update-ago'), server.lastUpdated ? `(${agoText(server.lastUpdated, now)})` : '');
}

/** Asks the snapshot once for the courier's last position. */
function seedLocation() {
  if (seedAsked) return;
  seedAsked = true;
  void apiFetch(`/v1/orders/${encodeURIComponent(orderId)}`)
    .then((response) => (response.ok ? response.json() : null))
    .then((order) => {
      const loc = order?.location;
      if (loc && Number.isFinite(loc.lat) && Number.isFinite(loc.lng) && Number.isFinite(loc.ts)) {
        seededLocation = loc;
        schedule();
      }
    })
    .catch(() => {});
}

/** @param {OrderView} server @param {number} now */
function renderMap(server, now) {
  const card = byId('map-card');
  const out = server.status === 'out_for_delivery';
  if (out && !server.location) seedLocation();
  const latest = server.location && (!seededLocation || server.location.ts >= seededLocation.ts) ? server.location : seededLocation;
  const location = out ? latest : null;
  show(card, !server.final);
  card.classList.toggle('is-waiting', !location);
  // Before dispatch there is no map to show, only the promise of one (an
  // empty strip would look like a map that failed to load).
  show(byId('map'), out);
  show(byId('map-upcoming'), !out);
  show(byId('map-caption'), out);
  map.update(location);
  const name = server.courier?.name ?? 'Your courier';
  setText(
    byId('map-caption'),
    location
      ? `${name}'s position, updated ${agoText(location.ts, now)}.`
      : `Waiting for ${server.courier?.name ? `${name}'s` : "the courier's"} position…`,
  );
  const live = ['live', 'degraded'].includes(client.getState().status);
  const tag = byId('map-live');
  show(tag, Boolean(location));
  setText(tag, live ? 'Live position' : 'Last known position');
  setAttr(tag, 'class', live ? 'tag tag--live' : 'tag');
}

/** @param {OrderView} server */
function renderCourier(server) {
  const courier = server.courier;
  const name = courier ? courier.name || 'Your courier' : '';
  show(byId('courier-card'), Boolean(courier) || !server.final);
  show(byId('courier-none'), !courier);
  setText(
    byId('courier-none'),
    ['placed', 'confirmed', 'preparing'].includes(server.status)
      ? 'A courier is assigned once your order is ready to go.'
      : "Your courier's name appears here once one is assigned.",
  );
  show(byId('courier-person'), Boolean(courier));
  setText(byId('courier-name'), name);
  setText(byId('courier-avatar'), courier ? initials(name) : '');
  setText(
    byId('courier-role'),
    server.status === 'out_for_delivery' ? 'On the way to you' : server.status === 'delivered' ? 'Delivered your order' : 'Your courier',
  );
  // Never the phone: customers reach the courier through support.
}

/** @param {OrderView} server */
function renderDetails(server) {
  setText(byId('address'), server.address || 'No address on the order');
  const list = byId('items');
  const key = JSON.stringify(server.items);
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(
      ...server.items.map((item) =>
        h(
          'li',
          { class: 'items__row' },
          h('span', { class: 'items__qty', text: `${item.quantity} ×` }),
          h('span', { class: 'items__name', text: item.name }),
        ),
      ),
    );
  }
  const count = server.items.reduce((sum, item) => sum + item.quantity, 0);
  setText(byId('items-count'), count === 1 ? '1 item' : `${count} items`);
}

// For debugging in the console (the page works without it).
Object.assign(globalThis, { trackPage: { client, orderId, order: () => lastOrder } });
