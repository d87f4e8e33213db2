// @ts-check
/**
 * What a screen reader hears of the order, through one polite live region:
 * one announcement per real status change (and per new delay or failed
 * delivery attempt), never per event, never for what was already true when
 * the page loaded.
 *
 * The first load (a snapshot, or the replay of a whole history, which moves
 * the status through every step in a few milliseconds) sets the baseline
 * silently once it has settled. After that, changes are announced after a
 * short quiet moment, so a burst (a replay after a reconnect) is one
 * announcement of where the order is now.
 *
 * The region's `data-ready` says when the baseline is set.
 */

import { statusLabel, warningLabel } from './labels.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

/**
 * @typedef {object} Signature
 * @property {string} status
 * @property {number} warningSeq the seq of the latest delay or failed attempt (0: none)
 * @property {string} warningType
 * @property {string} warningReason
 * @property {boolean} warningActive
 */

/** @param {OrderView} view @returns {Signature} */
function signatureOf(view) {
  let warning;
  for (let i = view.timeline.length - 1; i >= 0; i -= 1) {
    const entry = view.timeline[i];
    if ((entry.type === 'delayed' || entry.type === 'delivery_failed') && entry.ignored === undefined) {
      warning = entry;
      break;
    }
  }
  const active =
    warning?.type === 'delayed' ? view.delay !== null : warning?.type === 'delivery_failed' ? view.lastFailure !== null : false;
  return {
    status: view.status,
    warningSeq: warning?.seq ?? 0,
    warningType: warning?.type ?? '',
    warningReason: warning?.reason ?? '',
    warningActive: active,
  };
}

/**
 * The words for moving from `before` to `after` ('' when nothing to say).
 * @param {Signature} before
 * @param {Signature} after
 */
export function announcementFor(before, after) {
  const parts = [];
  if (after.status !== before.status) parts.push(`Order status: ${statusLabel(after.status)}.`);
  if (after.warningSeq > before.warningSeq && after.warningActive) {
    const label = warningLabel(after.warningType);
    parts.push(after.warningReason ? `${label}: ${after.warningReason}.` : `${label}.`);
  }
  return parts.join(' ');
}

/**
 * @param {HTMLElement} region an element with `aria-live="polite"`
 * @param {{ settleMs?: number }} [options]
 */
export function createAnnouncer(region, { settleMs = 350 } = {}) {
  /** @type {Signature | null} what the customer has been told (or saw on load) */
  let baseline = null;
  /** @type {Signature | null} */
  let latest = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  function flush() {
    timer = null;
    if (latest === null) return;
    if (baseline === null) {
      baseline = latest;
      region.dataset.ready = 'true';
      return;
    }
    const text = announcementFor(baseline, latest);
    baseline = latest;
    if (text !== '') region.textContent = text;
  }

  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(flush, settleMs);
  }

  return {
    /**
     * The server's view of the order (not the optimistic one: a pending
     * cancel is not a status change yet).
     * @param {OrderView} view
     */
    observe(view) {
      if (view.seq === 0) return;
      const next = signatureOf(view);
      if (latest && next.status === latest.status && next.warningSeq === latest.warningSeq && next.warningActive === latest.warningActive) {
        return;
      }
      latest = next;
      if (baseline === null || announcementFor(baseline, next) !== '' || timer !== null) schedule();
      else baseline = next;
    },
  };
}
