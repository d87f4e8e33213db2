// @ts-check
/**
 * The connection badge: what the connection state means for the data on
 * screen, truthfully ("Live", "Reconnecting in 4 s…", "Offline – showing
 * data from 10:42", "Final", "Session expired"), and the one way every page
 * shows it (`#connection` in the header, site-header.js). While the browser
 * is offline, a connection that is not live says "Offline", not
 * "Connecting…" or a countdown.
 */

import { setAttr, setText } from './dom.js';
import { clockTime } from './format.js';
import { BADGE_ICONS, setIcon } from './icons.js';

/**
 * @typedef {object} Badge
 * @property {'live' | 'degraded' | 'connecting' | 'offline' | 'final'} tone
 * @property {string} text
 */

/**
 * @param {import('/sdk/index.js').ConnectionState} state
 * @param {{ lastUpdated?: number, final?: boolean, now?: number, online?: boolean }} [context]
 *   `online`: what the browser says (`navigator.onLine`; default true)
 * @returns {Badge}
 */
export function badgeFor(state, context = {}) {
  const now = context.now ?? Date.now();
  if (context.final) return { tone: 'final', text: 'Final – this order is complete' };
  const since = context.lastUpdated ? ` – showing data from ${clockTime(context.lastUpdated, { now })}` : '';
  const offline = context.online === false || ('reason' in state && state.reason === 'offline');
  if (state.status === 'closed' && state.reason === 'session_expired') return { tone: 'offline', text: 'Session expired' };
  if (offline && state.status !== 'live' && state.status !== 'degraded') return { tone: 'offline', text: `Offline${since}` };
  switch (state.status) {
    case 'live':
      return { tone: 'live', text: 'Live' };
    case 'degraded':
      return { tone: 'degraded', text: `Live (${label(state.transport)})` };
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000));
      return {
        tone: 'offline',
        text: seconds > 0 ? `Reconnecting in ${seconds} s…${since}` : `Reconnecting…${since}`,
      };
    }
    case 'closed':
      return { tone: 'offline', text: `Offline${since}` };
    default:
      return { tone: 'connecting', text: 'Connecting…' };
  }
}

/** @param {string} transport */
function label(transport) {
  return { sse: 'streaming', 'long-poll': 'long polling', polling: 'polling', websocket: 'live' }[transport] ?? transport;
}


/**
 * Shows `badge` in `node` (the header's `#connection`), writing only what
 * changed; styled by app.css `.badge--{tone}`.
 * @param {HTMLElement} node
 * @param {Badge} badge
 */
export function showBadge(node, badge) {
  setAttr(node, 'data-tone', badge.tone);
  setAttr(node, 'class', `badge badge--${badge.tone}`);
  setIcon(node, BADGE_ICONS[badge.tone] ?? 'dot', `icon badge__icon${badge.tone === 'connecting' ? ' icon--spin' : ''}`);
  setText(node.querySelector('.badge__text'), badge.text);
}
