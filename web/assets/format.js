// @ts-check
/**
 * Times and words the pages share, pure (no DOM; unit-tested in
 * clients/js/test/unit/page-format.test.js). Above all the one ETA rule,
 * so a customer and a dispatcher read the same time for one order
 * (docs/pages.md, "ETAs"):
 *
 * - the time: the local clock, "19:42", with the day in front when it is
 *   not today ("Sun 22 Nov, 19:42");
 * - how far off: the minutes to it, rounded to the nearest minute, said
 *   exactly: "in 45 min", "in 1 h 30 min", "in 2 h", "now"; once it has
 *   passed, "expected 12 min ago". Never rounded to the hour, so the words
 *   and the clock beside them never disagree by more than half a minute.
 */

/** Formatters are made once: making one per call is slow (the dashboard formats hundreds of times). */
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const TIME_SECONDS = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const DAY = new Intl.DateTimeFormat([], { weekday: 'short', day: 'numeric', month: 'short' });

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
 * "19:42", or "Sun 22 Nov, 19:42" when not today; '' for nothing.
 * @param {string | number | null | undefined} value RFC 3339 or ms
 * @param {{ now?: number, seconds?: boolean }} [options]
 */
export function clockTime(value, { now = Date.now(), seconds = false } = {}) {
  const ms = toMs(value);
  if (ms === null) return '';
  const date = new Date(ms);
  const clock = (seconds ? TIME_SECONDS : TIME).format(date);
  return sameDay(date, new Date(now)) ? clock : `${DAY.format(date)}, ${clock}`;
}

/**
 * A span of whole minutes: "45 min", "1 h 30 min", "2 h".
 * @param {number} minutes at least 1
 */
function span(minutes) {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

/**
 * "in 12 min", "in 1 h 5 min", "now", "12 min ago": the minutes between,
 * rounded to the nearest one.
 * @param {number} ms
 * @param {number} [now]
 */
export function relativeTime(ms, now = Date.now()) {
  const minutes = Math.round((ms - now) / 60000);
  if (minutes === 0) return 'now';
  return minutes > 0 ? `in ${span(minutes)}` : `${span(-minutes)} ago`;
}

/**
 * An ETA as every page shows it: `time` for the clock, `relative` for how
 * far off it is ("in 1 h 5 min", "now", "expected 12 min ago"); null when
 * there is none.
 * @param {string | number | null | undefined} eta RFC 3339 or ms
 * @param {number} [now]
 * @returns {{ time: string, relative: string, passed: boolean } | null}
 */
export function etaText(eta, now = Date.now()) {
  const ms = toMs(eta);
  if (ms === null) return null;
  const relative = relativeTime(ms, now);
  const passed = relative.endsWith(' ago');
  return { time: clockTime(ms, { now }), relative: passed ? `expected ${relative}` : relative, passed };
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

/**
 * "2× Ramen, Lemonade".
 * @param {{ name: string, quantity: number }[]} items
 */
export function itemsSummary(items) {
  return items.map((i) => (i.quantity > 1 ? `${i.quantity}× ${i.name}` : i.name)).join(', ');
}

/**
 * A party's name, else its id, else ''.
 * @param {{ id: string, name?: string } | null | undefined} party
 */
export function partyName(party) {
  return party ? party.name || party.id : '';
}
