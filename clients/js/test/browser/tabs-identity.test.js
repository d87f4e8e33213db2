// @ts-check
/**
 * In headless Chromium, tabs of one browser profile share a connection
 * only when they are the same person: two people logged in side by side
 * (the dispatcher in one tab, a customer in another) each get their own,
 * and neither tab ever receives a frame of the other's; a tab that signs
 * in as somebody else leaves the shared connection at once.
 *
 * Every tab records what reaches it from the other tabs (the
 * BroadcastChannel messages), so the tests check what a tab was handed,
 * not only what it shows.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { openSdkPage } from './page.js';
import { createOrder, customerPersona, record, TIMEOUT } from './track-support.js';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */

const STAFF_NOTE = 'Staff only: call Grace before arriving';

/** Runs in every page before its scripts: keeps what other tabs sent it. */
function recordTabMessages() {
  /** @type {any} */
  const w = window;
  w.__tabMessages = [];
  const Channel = BroadcastChannel;
  w.BroadcastChannel = class extends Channel {
    /** @param {string} name */
    constructor(name) {
      super(name);
      this.addEventListener('message', (event) => w.__tabMessages.push(JSON.stringify(event.data)));
    }
  };
}

/**
 * What other tabs sent `page`, from the `from`-th message on.
 * @param {Page} page
 * @param {number} [from]
 * @returns {Promise<string[]>}
 */
async function tabMessages(page, from = 0) {
  // @ts-ignore the recorder's global
  return page.evaluate((n) => window.__tabMessages.slice(n), from);
}

/**
 * A new tab of `context` that counts its WebSockets.
 * @param {BrowserContext} context
 */
async function newTab(context) {
  const page = await context.newPage();
  const tab = { page, sockets: 0 };
  page.on('websocket', () => (tab.sockets += 1));
  return tab;
}

function dispatcherPersona() {
  const bearer = token({ sub: 'disp-dana', role: 'dispatcher', tenant: 'demo' });
  return { name: 'Dana Dispatcher', description: 'the dispatcher', subject: 'disp-dana', role: 'dispatcher', tenant: 'demo', token: bearer };
}

/**
 * Logs `page` in as `persona` (as the login page would) and opens `path`.
 * @param {Page} page
 * @param {string} url
 * @param {object} persona
 * @param {string} path
 */
async function openAs(page, url, persona, path) {
  await page.addInitScript((stored) => sessionStorage.setItem('trackwire.persona.v1', JSON.stringify(stored)), persona);
  await page.goto(url + path);
}

test('a dispatcher and a customer in one browser profile each get their own connection, and see only their own', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-7001');
    await createOrder(server.url, 'ZX-7002', { customer: { id: 'cust-grace', name: 'Grace Hopper' }, internalNote: STAFF_NOTE });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(recordTabMessages);

    const dispatcher = await newTab(context);
    await openAs(dispatcher.page, server.url, dispatcherPersona(), '/dispatch');
    await dispatcher.page.locator('#rows tr[data-id="ZX-7002"]').waitFor({ timeout: TIMEOUT });
    await dispatcher.page.locator('#connection[data-tone="live"]').waitFor({ timeout: TIMEOUT });

    // Ada, in the next tab, opens the link of Grace's order.
    const ada = await newTab(context);
    const adaToken = token({ sub: 'cust-ada', role: 'customer', tenant: 'demo' });
    await openAs(ada.page, server.url, customerPersona('cust-ada', adaToken), '/track/ZX-7002');
    await ada.page.locator('#problem:not([hidden])').waitFor({ timeout: TIMEOUT });
    const problem = await ada.page.locator('#main').getAttribute('data-problem');
    assert.ok(problem === 'forbidden' || problem === 'order_not_found', String(problem));
    assert.equal(await ada.page.locator('#order').isVisible(), false, 'nothing of Grace’s order is shown');
    assert.equal(ada.sockets, 1, 'Ada’s tab has a connection of its own');
    assert.equal(dispatcher.sockets, 1);

    // Staff news of Grace's order reaches the dispatcher, and nothing of it Ada's tab.
    await record(server.url, 'ZX-7002', { type: 'delayed', reason: 'Kitchen backlog', internalNote: 'Offer a free drink' });
    await dispatcher.page.locator('#rows tr[data-id="ZX-7002"][data-delayed]').waitFor({ timeout: TIMEOUT });
    const handed = (await tabMessages(ada.page)).filter((m) => /ZX-7002|"orders"|internalNote/.test(m));
    assert.deepEqual(handed, [], 'Ada’s tab was handed nothing of the dispatcher’s');
    const seen = await ada.page.evaluate(() => {
      // @ts-ignore the page's global
      return JSON.stringify(window.trackPage.client.get('order:ZX-7002') ?? null);
    });
    assert.doesNotMatch(seen, /Staff only|Offer a free drink|Kitchen backlog/);

    // "Cancel order" in Ada's tab cannot go through the dispatcher's socket.
    const outcome = await ada.page.evaluate(() => {
      // @ts-ignore the page's global
      return window.trackPage.client.mutate('ZX-7002', 'cancel');
    });
    assert.equal(outcome.state, 'rolled_back', JSON.stringify(outcome));
    const order = await api(server.url, 'GET', '/v1/orders/ZX-7002');
    assert.equal(order.body.status, 'placed', 'Grace’s order is not cancelled');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a tab that signs in as somebody else leaves the shared connection at once', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-7101', { customer: { id: 'cust-grace', name: 'Grace Hopper' }, internalNote: STAFF_NOTE });
    const context = await browser.newContext();
    await context.addInitScript(recordTabMessages);
    const staff = token({ sub: 'disp-dana', role: 'dispatcher', tenant: 'demo' });
    const first = await newTab(context);
    const second = await newTab(context);
    for (const tab of [first, second]) {
      await openSdkPage(tab.page, server.url, 'ZX-7101', {}, { token: staff });
      await tab.page.waitForFunction(() => {
        // @ts-ignore the page's global
        return window.client.getOrder('ZX-7101')?.internalNote !== null && window.client.getOrder('ZX-7101')?.seq > 0;
      }, null, { timeout: TIMEOUT });
    }
    assert.deepEqual([first.sockets, second.sockets], [1, 0], 'the same person: one connection for both tabs');

    // The second tab logs out and in as Ada, a customer.
    const from = (await tabMessages(second.page)).length;
    const ada = token({ sub: 'cust-ada', role: 'customer', tenant: 'demo' });
    await second.page.evaluate((bearer) => {
      // @ts-ignore the page's globals
      window.token = bearer;
      // @ts-ignore
      window.client.reauthenticate();
    }, ada);
    // Grace's order was the dispatcher's to see: for Ada it is refused, and
    // what the tab held of it is gone.
    await second.page.waitForFunction(() => {
      // @ts-ignore the page's global
      return window.client.get('order:ZX-7101')?.status === 'error';
    }, null, { timeout: TIMEOUT });
    assert.equal(second.sockets, 1, 'the second tab connects as Ada, on its own');
    const held = await second.page.evaluate(() => {
      // @ts-ignore the page's global
      return JSON.stringify(window.client.get('order:ZX-7101'));
    });
    assert.doesNotMatch(held, /Staff only|Grace/);

    await record(server.url, 'ZX-7101', { type: 'delayed', reason: 'Kitchen backlog', internalNote: 'Offer a free drink' });
    await first.page.waitForFunction(() => {
      // @ts-ignore the page's global
      return window.client.getOrder('ZX-7101')?.delay?.reason === 'Kitchen backlog';
    }, null, { timeout: TIMEOUT });
    const handed = (await tabMessages(second.page, from)).filter((m) => /ZX-7101/.test(m));
    assert.deepEqual(handed, [], 'after the switch the tab is handed nothing of the dispatcher’s');
    const state = await first.page.evaluate(() => {
      // @ts-ignore the page's global
      return window.client.getState().status;
    });
    assert.equal(state, 'live', 'the dispatcher’s tab stays live');
    assert.equal(first.sockets, 1);
  } finally {
    await browser.close();
    await server.stop();
  }
});
