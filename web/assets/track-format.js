// @ts-check
/**
 * The words and times of the tracking page: human labels for statuses and
 * warnings, what a refused action means for the customer, and short,
 * local clock times.
 */

/** @type {Record<string, string>} */
export const STATUS_LABELS = {
  placed: 'Order placed',
  confirmed: 'Confirmed',
  preparing: 'Being prepared',
  shipped: 'Shipped',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  returned: 'Returned',
};

/** @param {string} status */
export function statusLabel(status) {
  return STATUS_LABELS[status] ?? status.replace(/_/g, ' ');
}

/** @type {Record<string, string>} */
export const WARNING_LABELS = {
  delayed: 'Delayed',
  delivery_failed: 'Delivery attempt failed',
};

/**
 * The sentence under the headline.
 * @param {string} status
 * @param {{ courierName?: string | null }} [context]
 */
export function statusDescription(status, { courierName } = {}) {
  switch (status) {
    case 'placed':
      return 'We have your order and are passing it to the shop.';
    case 'confirmed':
      return 'The shop has confirmed your order.';
    case 'preparing':
      return 'The shop is getting your order ready.';
    case 'shipped':
      return 'Your order has left the shop.';
    case 'out_for_delivery':
      return courierName ? `${courierName} is on the way to you.` : 'Your order is on the way to you.';
    case 'delivered':
      return 'Your order has been delivered. Enjoy!';
    case 'cancelled':
      return 'This order was cancelled.';
    case 'returned':
      return 'This order is being returned to the shop.';
    default:
      return '';
  }
}

/**
 * Why an action was rolled back, in the customer's words.
 * @param {string} action `cancel` or `change_instructions`
 * @param {string | undefined} code the server's code (or `timeout`)
 * @param {string | undefined} message the server's message
 */
export function refusalText(action, code, message) {
  switch (code) {
    case 'invalid_transition':
      return action === 'cancel'
        ? 'It has already shipped, so it can no longer be cancelled.'
        : 'The order has moved on, so this can no longer be changed.';
    case 'order_final':
      return 'This order is complete, so it can no longer be changed.';
    case 'not_allowed_in_status':
      return 'That is not possible at this stage of the order.';
    case 'forbidden':
      return 'Your account is not allowed to change this order.';
    case 'order_not_found':
      return 'We could not find this order.';
    case 'timeout':
      return 'The server did not answer in time. Nothing was changed; please try again.';
    case 'validation_failed':
      return message ? `The server did not accept it: ${message}` : 'The server did not accept it.';
    case 'rate_limited':
      return 'Too many attempts; please wait a moment and try again.';
    default:
      return message || (code ? `The server refused it (${code}).` : 'The server refused it.');
  }
}

/**
 * ms since 1970, or null.
 * @param {string | number | null | undefined} value RFC 3339 or ms
 */
export function toMs(value) {
  if (value === null || value === undefined || value === '') return null;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** @param {Date} a @param {Date} b */
function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * "19:42", or "Sun 22 Nov, 19:42" when not today.
 * @param {string | number | null | undefined} value
 * @param {{ now?: number, seconds?: boolean }} [options]
 */
export function clockTime(value, { now = Date.now(), seconds = false } = {}) {
  const ms = toMs(value);
  if (ms === null) return '';
  const date = new Date(ms);
  /** @type {Intl.DateTimeFormatOptions} */
  const time = { hour: '2-digit', minute: '2-digit' };
  if (seconds) time.second = '2-digit';
  const clock = date.toLocaleTimeString([], time);
  if (sameDay(date, new Date(now))) return clock;
  const day = date.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
  return `${day}, ${clock}`;
}

/**
 * "in 12 min", "in 1 h 5 min", "now", "12 min ago".
 * @param {number} ms
 * @param {number} [now]
 */
export function relativeTime(ms, now = Date.now()) {
  const minutes = Math.round((ms - now) / 60000);
  if (minutes === 0) return 'now';
  const abs = Math.abs(minutes);
  const span = abs < 60 ? `${abs} min` : `${Math.floor(abs / 60)} h${abs % 60 ? ` ${abs % 60} min` : ''}`;
  return minutes > 0 ? `in ${span}` : `${span} ago`;
}

/**
 * "just now", "12 s ago", "3 min ago", or the clock time past an hour.
 * @param {number} ms
 * @param {number} [now]
 */
export function agoText(ms, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `at ${clockTime(ms, { now })}`;
}

/**
 * Initials for an avatar: "Max Mustermann" → "MM".
 * @param {string} name
 */
export function initials(name) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => p[0]?.toUpperCase() ?? '').join('') || '?';
}
