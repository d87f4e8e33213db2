// @ts-check
/**
 * The chat panel's inline SVG icons (nothing is fetched), hidden from
 * assistive technology: the text beside each says the same.
 */

import { svgEl } from './track-dom.js';

/**
 * @param {string} paths
 * @param {string} className
 */
function strokeIcon(paths, className) {
  const node = svgEl('svg', {
    viewBox: '0 0 24 24',
    'aria-hidden': 'true',
    focusable: 'false',
    class: className,
    fill: 'none',
    stroke: 'currentColor',
    'stroke-width': '2',
    'stroke-linecap': 'round',
    'stroke-linejoin': 'round',
  });
  node.innerHTML = paths;
  return node;
}

export function sendIcon() {
  return strokeIcon('<path d="M4 12l16-8-6 16-2.5-6.5z"/><path d="M11.5 13.5L20 4"/>', 'icon chat__send-icon');
}

export function infoIcon() {
  return strokeIcon('<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.8v.1"/>', 'icon chat__unavailable-icon');
}

/**
 * The icon beside a message's status line.
 * @param {string} state sending | failed | seen | sent
 */
export function statusIcon(state) {
  switch (state) {
    case 'sending':
      return strokeIcon('<circle cx="12" cy="12" r="8.5"/><path d="M12 7.5V12l3 2"/>', 'icon chat__status-icon');
    case 'failed':
      return strokeIcon('<path d="M12 4L2.8 19.5h18.4z"/><path d="M12 10v4.2M12 16.9v.1"/>', 'icon chat__status-icon');
    case 'seen':
      return strokeIcon('<path d="M2.5 12.5l4 4L15 8"/><path d="M10.5 16.5L19 8"/>', 'icon chat__status-icon');
    default:
      return strokeIcon('<path d="M5 12.5l4.5 4.5L19 7.5"/>', 'icon chat__status-icon');
  }
}
