// @ts-check
/**
 * The pages' shared times (web/assets/format.js), above all the one ETA
 * rule both the tracking page and the dashboard show (docs/pages.md,
 * "ETAs"): the minutes to it, rounded to the nearest one, said exactly,
 * never rounded to the hour; the clock with the day in front when it is
 * not today.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { agoText, clockTime, etaText, relativeTime } from '../../../../web/assets/format.js';

/** Noon on a Sunday, local time. */
const NOON = new Date(2026, 10, 22, 12, 0, 0).getTime();
const MIN = 60000;

test('how far off an ETA is: nearest minute, exact hours and minutes', () => {
  /** @type {[number, string][]} ms from now, the words */
  const cases = [
    [0, 'now'],
    [29_000, 'now'],
    [-29_000, 'now'],
    [31_000, 'in 1 min'],
    [12 * MIN, 'in 12 min'],
    [59 * MIN + 29_000, 'in 59 min'],
    [59 * MIN + 31_000, 'in 1 h'],
    [65 * MIN, 'in 1 h 5 min'],
    [89 * MIN, 'in 1 h 29 min'],
    [95 * MIN, 'in 1 h 35 min'],
    [120 * MIN, 'in 2 h'],
    [150 * MIN + 20_000, 'in 2 h 30 min'],
    [26 * 60 * MIN, 'in 26 h'],
    [-12 * MIN, 'expected 12 min ago'],
    [-75 * MIN, 'expected 1 h 15 min ago'],
  ];
  for (const [offset, words] of cases) {
    const eta = etaText(NOON + offset, NOON);
    assert.equal(eta?.relative, words, `${offset} ms`);
    assert.equal(eta?.passed, words.endsWith(' ago'), `${offset} ms passed`);
  }
});

test('an ETA accepts RFC 3339 and ms alike, and none is null', () => {
  const at = new Date(NOON + 40 * MIN);
  assert.deepEqual(etaText(at.toISOString(), NOON), etaText(at.getTime(), NOON));
  assert.equal(etaText(null, NOON), null);
  assert.equal(etaText(undefined, NOON), null);
  assert.equal(etaText('', NOON), null);
  assert.equal(etaText('not a time', NOON), null);
});

test("an ETA's clock: the time today, the day in front on another day", () => {
  const today = etaText(NOON + 95 * MIN, NOON);
  const time = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' }).format(NOON + 95 * MIN);
  assert.equal(today?.time, time, 'today: the time alone');
  assert.equal(today?.time, clockTime(NOON + 95 * MIN, { now: NOON }));

  const next = NOON + 24 * 60 * MIN;
  const tomorrow = etaText(next, NOON);
  const day = new Intl.DateTimeFormat([], { weekday: 'short', day: 'numeric', month: 'short' }).format(next);
  const nextTime = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' }).format(next);
  assert.equal(tomorrow?.time, `${day}, ${nextTime}`, 'another day: the day in front');
  assert.equal(tomorrow?.relative, 'in 24 h');
});

test('relative times and how long ago', () => {
  assert.equal(relativeTime(NOON - 3 * MIN, NOON), '3 min ago');
  assert.equal(relativeTime(NOON + 61 * MIN, NOON), 'in 1 h 1 min');
  assert.equal(agoText(NOON - 2000, NOON), 'just now');
  assert.equal(agoText(NOON - 12_000, NOON), '12 s ago');
  assert.equal(agoText(NOON - 3 * MIN, NOON), '3 min ago');
  assert.equal(agoText(NOON - 2 * 60 * MIN, NOON), `at ${clockTime(NOON - 2 * 60 * MIN, { now: NOON })}`);
});
