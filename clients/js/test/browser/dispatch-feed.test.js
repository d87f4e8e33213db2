// @ts-check
/**
 * In headless Chromium: the dispatcher dashboard (/dispatch) against a
 * real server. Orders created and events recorded through the REST API
 * while the page is open appear in it live: new rows, new statuses, the
 * counts per status; the filters (status, delayed, courier, search) pick
 * the right rows; rendering is batched and touches only the rows that
 * changed; rows are reachable by keyboard and the detail panel shows what
 * staff may see (courier phone, internal note, history). Screenshots of
 * the dashboard at desktop width and at 360 px.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { api, startServer } from '../support/server.js';

/** @typedef {import('playwright-core').Page} Page */

const T = { timeout: 15000 };
const ADDRESS = 'Unter den Linden 77, Berlin';
const MAX = { id: 'courier-max', name: 'Max Mustermann', phone: '+49 30 1234567' };
const ERIKA = { id: 'courier-erika', name: 'Erika Musterfrau', phone: '+49 30 7654321' };

/** @type {import('../support/server.js').TestServer} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * @param {string} id
 * @param {Record<string, unknown>} order
 */
async function createOrder(id, order) {
  const reply = await api(server.url, 'POST', '/v1/orders', { id, address: ADDRESS, ...order });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
}

/**
 * @param {string} id
 * @param {Record<string, unknown>} event
 */
async function record(id, event) {
  const reply = await api(server.url, 'POST', `/v1/orders/${id}/events`, event);
  assert.ok(reply.status === 201 || reply.status === 202, `${id} ${JSON.stringify(event)}: ${reply.status} ${JSON.stringify(reply.body)}`);
}

/**
 * @param {Page} page
 * @param {string} id
 * @param {string} status
 */
async function waitForRowStatus(page, id, status) {
  await page.waitForFunction(
    ([id, status]) => document.querySelector(`#rows tr[data-id="${id}"]`)?.getAttribute('data-status') === status,
    [id, status],
    T,
  );
}

/**
 * The count the status filter shows for `key` (all, active, or a status).
 * @param {Page} page
 * @param {string} key
 */
async function countOf(page, key) {
  return Number(await page.locator(`.status-button[data-status="${key}"] .status-button-count`).textContent());
}

/**
 * @param {Page} page
 * @param {string} key
 * @param {number} n
 */
async function waitForCount(page, key, n) {
  await page.waitForFunction(
    ([key, n]) => document.querySelector(`.status-button[data-status="${key}"] .status-button-count`)?.textContent === String(n),
    /** @type {[string, number]} */ ([key, n]),
    T,
  );
}

/**
 * Ids of the rows a user sees, top to bottom.
 * @param {Page} page
 */
async function visibleIds(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#rows tr[data-id]')]
      .filter((tr) => !(/** @type {HTMLElement} */ (tr).hidden))
      .map((tr) => /** @type {HTMLElement} */ (tr).dataset.id),
  );
}

/** @param {Page} page */
async function debugCounters(page) {
  return page.evaluate(() => {
    // @ts-ignore the page's global
    const { renders, rowsUpdated } = window.trackwireDispatch;
    return { renders, rowsUpdated };
  });
}

test('the dashboard shows new orders and status changes live, with counts, filters, keyboard and details', async () => {
  // A small shop in mid-afternoon.
  await createOrder('ZX-2001', {
    customer: { id: 'cust-ada', name: 'Ada Lovelace' },
    items: [{ name: 'Margherita pizza', quantity: 2 }, { name: 'Lemonade', quantity: 1 }],
    courier: MAX,
    instructions: 'Ring twice, 3rd floor',
    internalNote: 'VIP – call the customer before arriving',
  });
  for (const status of ['confirmed', 'preparing', 'shipped', 'out_for_delivery']) {
    await record('ZX-2001', { type: 'status_changed', status });
  }
  await record('ZX-2001', { type: 'location', lat: 52.5121, lng: 13.3902, heading: 350, ts: Date.now() });
  await createOrder('ZX-2002', {
    customer: { id: 'cust-grace', name: 'Grace Hopper' },
    items: [{ name: 'Pad thai', quantity: 1 }, { name: 'Ramen', quantity: 1 }],
  });
  await record('ZX-2002', { type: 'status_changed', status: 'preparing' });
  await createOrder('ZX-2003', {
    customer: { id: 'cust-alan', name: 'Alan Turing' },
    items: [{ name: 'Falafel wrap', quantity: 1 }],
    courier: ERIKA,
  });
  for (const status of ['confirmed', 'shipped', 'delivered']) await record('ZX-2003', { type: 'status_changed', status });
  await createOrder('ZX-2004', {
    customer: { id: 'cust-edsger', name: 'Edsger Dijkstra' },
    items: [{ name: 'Caesar salad', quantity: 1 }],
  });

  const page = await browser.newPage({
    viewport: { width: 1360, height: 900 },
    reducedMotion: 'reduce',
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(`${server.url}/dispatch`);
    await page.locator('#rows tr[data-id="ZX-2004"]').waitFor(T);
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    assert.deepEqual(await visibleIds(page), ['ZX-2004', 'ZX-2003', 'ZX-2002', 'ZX-2001'], 'newest first');
    await waitForCount(page, 'all', 4);
    assert.equal(await countOf(page, 'active'), 3);
    assert.equal(await countOf(page, 'out_for_delivery'), 1);
    assert.equal(await countOf(page, 'delivered'), 1);
    assert.match(await page.locator('#connection').innerText(), /Live/);

    // A new order arrives while the page is open: a new row on top.
    await createOrder('ZX-2005', {
      customer: { id: 'cust-barbara', name: 'Barbara Liskov' },
      items: [{ name: 'Ramen', quantity: 2 }],
    });
    await page.locator('#rows tr[data-id="ZX-2005"]').waitFor(T);
    assert.equal((await visibleIds(page))[0], 'ZX-2005');
    await waitForCount(page, 'placed', 2);
    await waitForCount(page, 'all', 5);
    assert.match(await page.locator('#rows tr[data-id="ZX-2005"]').innerText(), /Barbara Liskov/);

    // A status change moves the counts and touches only that row.
    const before = await debugCounters(page);
    await record('ZX-2004', { type: 'status_changed', status: 'confirmed' });
    await waitForRowStatus(page, 'ZX-2004', 'confirmed');
    await waitForCount(page, 'confirmed', 1);
    assert.equal(await countOf(page, 'placed'), 1);
    assert.match(await page.locator('#rows tr[data-id="ZX-2004"] .cell-status').innerText(), /Confirmed/);
    const afterOne = await debugCounters(page);
    assert.equal(afterOne.rowsUpdated - before.rowsUpdated, 1, 'one event, one row redrawn');

    // A courier and a delay.
    await record('ZX-2002', { type: 'courier_assigned', courier: ERIKA });
    await record('ZX-2002', { type: 'delayed', reason: 'Kitchen backlog', internalNote: 'Offer a free drink' });
    await page.locator('#rows tr[data-id="ZX-2002"] .flag[data-flag="delayed"]').waitFor(T);
    assert.match(await page.locator('#rows tr[data-id="ZX-2002"]').innerText(), /Erika Musterfrau/);
    assert.match(await page.locator('#delayed-count').innerText(), /1/);

    // Filters: status.
    await page.click('.status-button[data-status="confirmed"]');
    assert.deepEqual(await visibleIds(page), ['ZX-2004']);
    assert.equal(await page.locator('.status-button[data-status="confirmed"]').getAttribute('aria-pressed'), 'true');
    await page.click('.status-button[data-status="active"]');
    assert.deepEqual(await visibleIds(page), ['ZX-2005', 'ZX-2004', 'ZX-2002', 'ZX-2001']);
    // A status change out of the filter's reach hides the row.
    await record('ZX-2001', { type: 'status_changed', status: 'delivered' });
    await page.waitForFunction(() => !document.querySelector('#rows tr[data-id="ZX-2001"]:not([hidden])'), null, T);
    await page.click('.status-button[data-status="all"]');
    // Delayed only.
    await page.check('#delayed-filter');
    assert.deepEqual(await visibleIds(page), ['ZX-2002']);
    await page.uncheck('#delayed-filter');
    // Courier.
    await page.selectOption('#courier-filter', 'courier-erika');
    assert.deepEqual(await visibleIds(page), ['ZX-2003', 'ZX-2002']);
    await page.selectOption('#courier-filter', 'none');
    assert.deepEqual(await visibleIds(page), ['ZX-2005', 'ZX-2004']);
    await page.selectOption('#courier-filter', '');
    // Search.
    await page.fill('#search', 'grace');
    assert.deepEqual(await visibleIds(page), ['ZX-2002']);
    await page.fill('#search', 'nobody-like-this');
    await page.locator('#table-state[data-state="nomatch"]').waitFor(T);
    await page.click('#table-state button');
    assert.equal((await visibleIds(page)).length, 5, 'clear filters shows every order');
    assert.equal(await page.inputValue('#search'), '');

    // Batched rendering: a burst of events is drawn in far fewer renders.
    const burstStart = await debugCounters(page);
    const burst = [];
    for (let i = 0; i < 8; i += 1) {
      for (const id of ['ZX-2002', 'ZX-2004', 'ZX-2005']) {
        burst.push(record(id, { type: 'eta_changed', eta: new Date(Date.now() + (30 + i) * 60000).toISOString() }));
      }
    }
    await Promise.all(burst);
    await record('ZX-2005', { type: 'status_changed', status: 'confirmed' });
    await waitForRowStatus(page, 'ZX-2005', 'confirmed');
    const burstEnd = await debugCounters(page);
    const renders = burstEnd.renders - burstStart.renders;
    assert.ok(renders < 25 / 2, `25 events drawn in ${renders} renders`);

    // Keyboard: Tab reaches the rows, arrows move between them, Enter opens.
    await page.locator('#delayed-filter').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id), 'ZX-2005', 'Tab goes from the filters to the first row');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id);
    assert.equal(focused, 'ZX-2001');
    await page.keyboard.press('Enter');
    await page.locator('#detail-order-title').waitFor(T);
    assert.equal(await page.locator('#rows tr[data-id="ZX-2001"] .row-select').getAttribute('aria-expanded'), 'true');
    const detail = page.locator('#detail');
    await page.waitForFunction(() => document.querySelector('#detail .history li') !== null, null, T);
    const text = await detail.innerText();
    assert.match(text, /ZX-2001/);
    assert.match(text, /Ada Lovelace/);
    assert.match(text, /Max Mustermann/);
    assert.match(text, /\+49 30 1234567/, 'staff see the courier phone');
    assert.match(text, /VIP – call the customer before arriving/, 'staff see the internal note');
    assert.match(text, /2×\s*Margherita pizza/);
    assert.match(text, /Ring twice, 3rd floor/);
    assert.match(text, /52\.51210, 13\.39020/, 'the last courier position');
    assert.match(text, /Out for delivery/);
    assert.equal(await page.locator('#detail .history li').count(), 6, 'placed, four steps, delivered');
    // Focus stays on the row while updates come in.
    await record('ZX-2002', { type: 'status_changed', status: 'shipped' });
    await waitForRowStatus(page, 'ZX-2002', 'shipped');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id), 'ZX-2001');
    // Escape closes the panel and leaves the focus on the row.
    await page.keyboard.press('Escape');
    await page.locator('#detail-empty').waitFor({ state: 'visible', ...T });
    assert.equal(await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.id), 'ZX-2001');
    await page.screenshot({ path: path.join(screenshotDir(), 'dispatch-keyboard-focus.png') });

    // The polite live region carries a summary, not each message.
    await page.waitForFunction(() => /^5 orders, \d+ active, \d+ delayed/.test(document.getElementById('announcer')?.textContent ?? ''), null, T);
    assert.equal(await page.locator('#announcer').getAttribute('aria-live'), 'polite');

    // Screenshots: a few more orders, and the open detail of a late one.
    await createOrder('ZX-2006', {
      customer: { id: 'cust-margaret', name: 'Margaret Hamilton' },
      items: [{ name: 'Ramen', quantity: 1 }, { name: 'Lemonade', quantity: 2 }],
      courier: MAX,
      instructions: 'Side entrance, next to the bakery',
    });
    for (const status of ['confirmed', 'preparing', 'shipped', 'out_for_delivery']) {
      await record('ZX-2006', { type: 'status_changed', status });
    }
    await record('ZX-2006', { type: 'location', lat: 52.5102, lng: 13.3909, heading: 350, ts: Date.now() });
    await record('ZX-2006', {
      type: 'delayed',
      reason: 'Heavy traffic on the route',
      eta: new Date(Date.now() + 25 * 60000).toISOString(),
      internalNote: 'Customer asked for a call if later than 20 min',
    });
    await createOrder('ZX-2007', { customer: { id: 'cust-ken', name: 'Ken Thompson' }, items: [{ name: 'Pad thai', quantity: 1 }] });
    await record('ZX-2007', { type: 'status_changed', status: 'cancelled', reason: 'Customer changed their mind' });
    await createOrder('ZX-2008', {
      customer: { id: 'cust-frances', name: 'Frances Allen' },
      items: [{ name: 'Caesar salad', quantity: 1 }, { name: 'Falafel wrap', quantity: 1 }],
    });
    await record('ZX-2008', { type: 'status_changed', status: 'preparing' });
    await record('ZX-2008', { type: 'delayed', reason: 'Kitchen backlog' });
    await page.locator('#rows tr[data-id="ZX-2008"][data-delayed]').waitFor(T);
    await page.click('#rows tr[data-id="ZX-2006"] .row-select');
    await page.waitForFunction(() => document.querySelectorAll('#detail .history li').length >= 6, null, T);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(screenshotDir(), 'dispatch-desktop.png') });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }

  // 360 px wide: cards instead of a table, the panel as a sheet.
  const phone = await browser.newPage({
    viewport: { width: 360, height: 780 },
    reducedMotion: 'reduce',
    locale: 'en-GB',
    timezoneId: 'Europe/Berlin',
  });
  try {
    await phone.goto(`${server.url}/dispatch`);
    await phone.locator('#rows tr[data-id="ZX-2005"]').waitFor(T);
    await phone.locator('#connection[data-tone="live"]').waitFor(T);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no sideways scrolling at 360 px (page is ${width} px wide)`);
    await phone.screenshot({ path: path.join(screenshotDir(), 'dispatch-360.png') });
    await phone.click('#rows tr[data-id="ZX-2001"] .row-select');
    await phone.waitForFunction(() => document.activeElement?.id === 'detail-order-title', null, T);
    await phone.waitForFunction(() => document.querySelectorAll('#detail .history li').length >= 6, null, T);
    await phone.screenshot({ path: path.join(screenshotDir(), 'dispatch-360-detail.png') });
    await phone.keyboard.press('Escape');
    await phone.waitForFunction(() => document.activeElement?.closest('tr')?.dataset.id === 'ZX-2001', null, T);
  } finally {
    await phone.close();
  }
});
