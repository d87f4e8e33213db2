// @ts-check
/**
 * Helpers for the tracking page's browser tests: make orders and record
 * their events through the REST API, open `/track/{id}` (as the development
 * identity, or logged in as a customer persona), and read what the page
 * shows: its timeline, badge, and what its live region announced.
 *
 * Announcements are recorded by a MutationObserver the page gets before its
 * own scripts run (`window.__announcements`), so the tests count exactly
 * what a screen reader would have been handed.
 */

import assert from 'node:assert/strict';

import { api } from '../support/server.js';

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */

export const TIMEOUT = 15000;

/**
 * Creates an order (as the development identity) and returns its snapshot.
 * @param {string} url
 * @param {string} id
 * @param {Record<string, unknown>} [overrides]
 */
export async function createOrder(url, id, overrides = {}) {
  const reply = await api(url, 'POST', '/v1/orders', {
    id,
    customer: { id: 'cust-ada', name: 'Ada Lovelace' },
    items: [
      { name: 'Margherita pizza', quantity: 2 },
      { name: 'Tiramisu', quantity: 1 },
      { name: 'Sparkling water 0.5 l', quantity: 2 },
    ],
    address: 'Unter den Linden 77, 10117 Berlin',
    instructions: 'Ring twice, 3rd floor',
    eta: new Date(Date.now() + 40 * 60000).toISOString(),
    ...overrides,
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body;
}

/**
 * Records an event (`{type, ...payload}`) through the REST API.
 * @param {string} url
 * @param {string} id
 * @param {Record<string, unknown>} event
 */
export async function record(url, id, event) {
  const reply = await api(url, 'POST', `/v1/orders/${id}/events`, event);
  assert.ok(reply.status === 201 || reply.status === 202, `${JSON.stringify(event)}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/**
 * Moves an order along the main path to `status` (each step recorded).
 * @param {string} url
 * @param {string} id
 * @param {string[]} statuses
 */
export async function advance(url, id, statuses) {
  for (const status of statuses) await record(url, id, { type: 'status_changed', status });
}

/**
 * A persona as the login page stores it (session.js reads it).
 * @param {string} subject
 * @param {string} token
 * @param {string} [name]
 */
export function customerPersona(subject, token, name = 'Ada Lovelace') {
  return { name, description: 'A customer', subject, role: 'customer', tenant: 'demo', token };
}

/**
 * Opens `/track/{id}` in a new page and waits until the order is shown and
 * the live region has its baseline.
 * @param {Browser} browser
 * @param {string} url
 * @param {string} id
 * @param {{ persona?: object, viewport?: { width: number, height: number }, waitReady?: boolean }} [options]
 * @returns {Promise<Page>}
 */
export async function openTrackPage(browser, url, id, { persona, viewport = { width: 1280, height: 900 }, waitReady = true } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  watchPageErrors(page);
  await page.addInitScript((stored) => {
    if (stored) sessionStorage.setItem('trackwire.persona.v1', JSON.stringify(stored));
    /** @type {any} */
    const w = window;
    w.__announcements = [];
    w.__feedback = { 'cancel-feedback': [], 'instructions-feedback': [] };
    new MutationObserver((mutations) => {
      const region = document.getElementById('announcer');
      if (region && mutations.some((m) => region.contains(m.target) && m.type !== 'attributes')) {
        const text = (region.textContent ?? '').trim();
        if (text) w.__announcements.push(text);
      }
      for (const m of mutations) {
        const target = /** @type {HTMLElement} */ (m.target);
        if (m.type === 'attributes' && m.attributeName === 'data-state' && target.id in w.__feedback) {
          w.__feedback[target.id].push(target.dataset.state);
        }
      }
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-state'] });
  }, persona ?? null);
  await page.goto(`${url}/track/${encodeURIComponent(id)}`);
  if (waitReady) await waitForReady(page);
  return page;
}

/**
 * The page shows the order and its live region has set its baseline.
 * @param {Page} page
 */
export async function waitForReady(page) {
  await page.locator('#main[data-loaded="true"]').waitFor({ timeout: TIMEOUT });
  await page.locator('#announcer[data-ready="true"]').waitFor({ state: 'attached', timeout: TIMEOUT });
}

/**
 * Waits until the timeline shows `status` in `state`.
 * @param {Page} page
 * @param {string} status
 * @param {string} state done | current | pending | final | active | resolved
 */
export async function waitForStep(page, status, state) {
  await page.locator(`#timeline li[data-status="${status}"][data-state="${state}"]`).waitFor({ timeout: TIMEOUT });
}

/**
 * What the timeline shows: one row per item.
 * @param {Page} page
 * @returns {Promise<{ kind: string, status: string, state: string, datetime: string | null }[]>}
 */
export async function timeline(page) {
  return page.$$eval('#timeline > li', (items) =>
    items.map((li) => ({
      kind: li.getAttribute('data-kind') ?? '',
      status: li.getAttribute('data-status') ?? '',
      state: li.getAttribute('data-state') ?? '',
      datetime: li.querySelector('time')?.getAttribute('datetime') ?? null,
    })),
  );
}

/**
 * What the live region announced, in order.
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
export async function announcements(page) {
  // @ts-ignore the recorder's global
  return page.evaluate(() => [...window.__announcements]);
}

/**
 * Waits until the live region has announced `count` times.
 * @param {Page} page
 * @param {number} count
 */
export async function waitForAnnouncements(page, count) {
  await page.waitForFunction(
    // @ts-ignore the recorder's global
    (n) => window.__announcements.length >= n,
    count,
    { timeout: TIMEOUT },
  );
}

/**
 * The data-state values a feedback element went through.
 * @param {Page} page
 * @param {'cancel-feedback' | 'instructions-feedback'} id
 * @returns {Promise<string[]>}
 */
export async function feedbackStates(page, id) {
  // @ts-ignore the recorder's global
  return page.evaluate((which) => [...window.__feedback[which]], id);
}

/**
 * The connection badge: its tone and words.
 * @param {Page} page
 */
export async function badge(page) {
  return page.$eval('#connection', (node) => ({
    tone: node.getAttribute('data-tone') ?? '',
    text: node.querySelector('.badge__text')?.textContent ?? '',
  }));
}

/**
 * Waits until the badge has `tone` (one of them, given several) and words
 * matching `text`, if given.
 * @param {Page} page
 * @param {string | string[]} tone
 * @param {RegExp} [text]
 * @param {number} [timeout]
 */
export async function waitForBadge(page, tone, text, timeout = TIMEOUT) {
  await page.waitForFunction(
    ([wanted, source]) => {
      const node = document.getElementById('connection');
      const words = node?.querySelector('.badge__text')?.textContent ?? '';
      return wanted.includes(node?.getAttribute('data-tone') ?? '') && (source === null || new RegExp(source).test(words));
    },
    /** @type {[string[], string | null]} */ ([[tone].flat(), text ? text.source : null]),
    { timeout },
  );
}

/**
 * Keeps what `page` throws, for assertNoPageErrors.
 * @param {Page} page
 */
export function watchPageErrors(page) {
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  Object.assign(page, { pageErrors: errors });
}

/**
 * The page threw nothing (since watchPageErrors).
 * @param {Page} page
 */
export function assertNoPageErrors(page) {
  const errors = /** @type {{ pageErrors?: string[] }} */ (/** @type {unknown} */ (page)).pageErrors ?? [];
  assert.deepEqual(errors, [], 'uncaught errors in the page');
}
