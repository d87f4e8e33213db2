// @ts-check
/**
 * The status timeline: the steps of `timelineSteps(view)` as a list. Each
 * step says its state in words and with an icon (colour is never the only
 * signal); the current one is `aria-current="step"`. The list is rebuilt
 * only when what it shows changed (it holds nothing focusable).
 */

import { h } from './dom.js';
import { clockTime } from './format.js';
import { STATUS_ICONS, icon } from './icons.js';
import { statusLabel, warningLabel } from './labels.js';

/** @typedef {import('/sdk/index.js').TimelineStep} TimelineStep */

/**
 * @typedef {object} Row
 * @property {string} key
 * @property {string} kind step | warning | final
 * @property {string} status a status, or the warning's type
 * @property {string} state done | current | pending | active | resolved
 * @property {string} label
 * @property {string} stateText what a screen reader hears after the label
 * @property {string} tag a visible tag ('' for none)
 * @property {import('./icons.js').IconName} icon
 * @property {string} time
 * @property {string} datetime
 * @property {string} reason
 * @property {boolean} passed the order has moved past it
 */

/**
 * @param {TimelineStep[]} steps
 * @param {{ pendingStatus?: boolean, final?: boolean }} [options]
 *   `pendingStatus`: the final step is an optimistic cancel the server has
 *   not confirmed; `final`: the order is over, so no warning is in effect
 * @returns {Row[]}
 */
export function timelineRows(steps, { pendingStatus = false, final = false } = {}) {
  // Items before the one the order is at are passed: the line joining them is solid.
  const at = steps.findIndex((s) => s.kind !== 'warning' && s.state === 'current');
  const reached = at >= 0 ? at : steps.length - 1;
  return steps.map((step, i) => ({
    ...row(final && step.kind === 'warning' ? { ...step, active: false } : step, i, pendingStatus),
    passed: i < reached,
  }));
}

/**
 * @param {TimelineStep} step
 * @param {number} i
 * @param {boolean} pendingStatus
 * @returns {Omit<Row, 'passed'>}
 */
function row(step, i, pendingStatus) {
  const at = step.at ?? '';
  const time = clockTime(at);
  if (step.kind === 'warning') {
    const active = step.active;
    return {
      key: `w${step.seq ?? `s${i}`}`,
      kind: 'warning',
      status: step.type,
      state: active ? 'active' : 'resolved',
      label: warningLabel(step.type),
      stateText: active ? 'warning, still in effect' : 'warning, resolved',
      tag: '',
      icon: 'alert',
      time,
      datetime: at,
      reason: step.reason,
    };
  }
  if (step.kind === 'final') {
    const pending = pendingStatus && step.seq === undefined;
    return {
      key: `f${step.status}`,
      kind: 'final',
      status: step.status,
      state: pending ? 'pending-change' : 'final',
      label: statusLabel(step.status),
      stateText: pending ? 'waiting for confirmation' : 'final',
      tag: pending ? 'Waiting for confirmation' : 'Final',
      icon: pending ? 'clock' : STATUS_ICONS[step.status],
      time,
      datetime: at,
      reason: step.reason ?? '',
    };
  }
  const done = step.state === 'done';
  const current = step.state === 'current';
  return {
    key: `s${step.status}`,
    kind: 'step',
    status: step.status,
    state: step.state,
    label: statusLabel(step.status),
    stateText: done ? 'done' : current ? 'current step' : 'upcoming',
    tag: current ? 'Now' : '',
    icon: done ? 'check' : 'dot',
    time,
    datetime: at,
    reason: '',
  };
}

/**
 * Renders the rows into `list` (an `ol`) unless it already shows them.
 * @param {HTMLElement} list
 * @param {Row[]} rows
 */
export function renderTimeline(list, rows) {
  const key = JSON.stringify(rows);
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...rows.map(rowElement));
}

/** @param {Row} row */
function rowElement(row) {
  const current = row.state === 'current' || row.state === 'final' || row.state === 'pending-change';
  return h(
    'li',
    {
      class: `timeline__item timeline__item--${row.kind} is-${row.state}${row.passed ? ' is-passed' : ''}`,
      'data-kind': row.kind,
      'data-status': row.status,
      'data-state': row.state,
      'aria-current': row.kind !== 'warning' && current ? 'step' : null,
    },
    h(
      'span',
      { class: 'timeline__marker', 'aria-hidden': 'true' },
      row.kind === 'step' && row.state === 'pending' ? null : icon(row.icon, 'icon timeline__icon'),
    ),
    h(
      'div',
      { class: 'timeline__body' },
      h(
        'div',
        { class: 'timeline__head' },
        h('span', { class: 'timeline__label' }, row.label, h('span', { class: 'visually-hidden', text: ` (${row.stateText})` })),
        row.tag ? h('span', { class: `tag tag--${row.state}`, 'aria-hidden': 'true', text: row.tag }) : null,
        row.time ? h('time', { class: 'timeline__time', datetime: row.datetime, text: row.time }) : null,
      ),
      row.reason ? h('p', { class: 'timeline__reason', text: row.reason }) : null,
    ),
  );
}
