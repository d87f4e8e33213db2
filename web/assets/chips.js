// @ts-check
/**
 * Status chips and warning flags (the landing page's list, the
 * dashboard's table and detail panel): icon, words and colour together,
 * colour never the only signal (pages.css `.chip`, `.flag`).
 */

import { h } from './dom.js';
import { STATUS_ICONS, icon } from './icons.js';
import { WARNING_LABELS, statusLabel } from './labels.js';

/**
 * A status pill.
 * @param {string} status
 * @returns {HTMLElement}
 */
export function statusChip(status) {
  const name = STATUS_ICONS[/** @type {keyof typeof STATUS_ICONS} */ (status)] ?? 'dot';
  return h('span', { class: 'chip', dataset: { status } }, icon(name), h('span', { text: statusLabel(status) }));
}

/**
 * A warning pill: the order is delayed, or a delivery attempt failed.
 * @param {keyof typeof WARNING_LABELS} type the warning's event type
 * @param {string} [title] the reason, as a tooltip
 * @returns {HTMLElement}
 */
export function flagChip(type, title) {
  const flag = type === 'delayed' ? 'delayed' : 'failed';
  return h(
    'span',
    { class: 'flag', dataset: { flag }, title },
    icon(type === 'delayed' ? 'alert' : 'alert-circle'),
    h('span', { text: WARNING_LABELS[type] }),
  );
}
