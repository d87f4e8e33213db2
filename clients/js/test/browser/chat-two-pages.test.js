// @ts-check
/**
 * In headless Chromium, against a real server with tokens: the customer on
 * her tracking page and the dispatcher in the dashboard's order panel chat
 * about one order. Each sees the other in "Here now", each sees the other
 * typing, the customer's message reaches the dispatcher and the reply
 * reaches the customer, and each message is marked seen once the other
 * side has it on screen; when the dispatcher closes the panel she leaves
 * the chat. Screenshots of both pages.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';

/** @typedef {import('playwright-core').Browser} Browser */
/** @typedef {import('playwright-core').Page} Page */

const T = { timeout: 15000 };
const ORDER = 'ZX-7301';

/**
 * A page logged in as `persona` (what the demo's login page stores), with
 * uncaught errors collected.
 * @param {Browser} browser
 * @param {Record<string, string>} persona
 * @param {{ width: number, height: number }} viewport
 */
async function loggedInPage(browser, persona, viewport) {
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  Object.assign(page, { pageErrors: errors });
  await page.addInitScript((stored) => sessionStorage.setItem('trackwire.persona.v1', JSON.stringify(stored)), persona);
  return page;
}

/** @param {Page} page */
function pageErrors(page) {
  return /** @type {{ pageErrors?: string[] }} */ (/** @type {unknown} */ (page)).pageErrors ?? [];
}

test('a customer and a dispatcher chat: each sees the other here and typing, and each message arrives', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    const created = await api(server.url, 'POST', '/v1/orders', {
      id: ORDER,
      customer: { id: 'cust-x', name: 'Ada Lovelace' },
      courier: { id: 'courier-max', name: 'Max Mustermann', phone: '+49 30 1234567' },
      items: [
        { name: 'Margherita pizza', quantity: 2 },
        { name: 'Tiramisu', quantity: 1 },
      ],
      address: 'Unter den Linden 77, 10117 Berlin',
      instructions: 'Ring twice, 3rd floor',
      eta: new Date(Date.now() + 35 * 60000).toISOString(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const status of ['confirmed', 'preparing']) {
      const reply = await api(server.url, 'POST', `/v1/orders/${ORDER}/events`, { type: 'status_changed', status });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
    }

    // The customer, on her tracking page.
    const ada = await loggedInPage(
      browser,
      {
        name: 'Ada Lovelace',
        description: 'A customer',
        subject: 'cust-x',
        role: 'customer',
        tenant: 'demo',
        token: token({ sub: 'cust-x', role: 'customer' }),
      },
      { width: 1280, height: 1000 },
    );
    await ada.goto(`${server.url}/track/${ORDER}`);
    await ada.locator('#main[data-loaded="true"]').waitFor(T);
    const adaChat = ada.locator('#chat .chat[data-chat-state="ready"]');
    await adaChat.waitFor(T);

    // The dispatcher, with the order's panel open on the dashboard.
    const dana = await loggedInPage(
      browser,
      {
        name: 'Dana Dispatcher',
        description: 'Dispatcher',
        subject: 'disp-dana',
        role: 'dispatcher',
        tenant: 'demo',
        token: token({ sub: 'disp-dana', role: 'dispatcher' }),
      },
      { width: 1360, height: 1100 },
    );
    await dana.goto(`${server.url}/dispatch`);
    await dana.locator(`#rows tr[data-id="${ORDER}"]`).click(T);
    await dana.locator('#detail-order-title', { hasText: ORDER }).waitFor(T);
    const danaChat = dana.locator('#detail .chat[data-chat-state="ready"]');
    await danaChat.waitFor(T);

    // Each sees the other here (and not themselves).
    await ada.locator('.chat__presence', { hasText: 'Here now: Support' }).waitFor(T);
    await dana.locator('.chat__presence', { hasText: 'Here now: Ada Lovelace (Customer)' }).waitFor(T);
    assert.doesNotMatch(await ada.locator('.chat__presence').innerText(), /Ada|Customer/);
    assert.doesNotMatch(await dana.locator('.chat__presence').innerText(), /disp-dana|Support/);

    // Ada types: Dana sees it; Ada does not see herself typing.
    await ada.locator('.chat__input').click();
    await ada.keyboard.type('Hi! Could the courier call me when he is downstairs?');
    await dana.locator('.chat__typing', { hasText: 'Ada is typing…' }).waitFor(T);
    assert.equal(await ada.locator('.chat__typing').innerText(), '');

    // Ada sends: Dana sees the message, on the left, named; the typing line goes.
    await ada.keyboard.press('Enter');
    const received = dana.locator('.chat__item--other', { hasText: 'Could the courier call me' });
    await received.waitFor(T);
    assert.match(await received.locator('.chat__meta').innerText(), /Ada Lovelace\s+Customer/);
    await dana.waitForFunction(() => document.querySelector('#detail .chat__typing')?.textContent === '', undefined, T);
    await ada.locator('.chat__item--own[data-seq]', { hasText: 'Could the courier call me' }).waitFor(T);

    // Dana replies: Ada sees her typing, then the reply, from Support.
    await dana.locator('.chat__input').click();
    await dana.keyboard.type('Of course! I have asked Max to ring you when he arrives.');
    await ada.locator('.chat__typing', { hasText: 'Support is typing…' }).waitFor(T);
    await dana.getByRole('button', { name: 'Send' }).click();
    const reply = ada.locator('.chat__item--other', { hasText: 'I have asked Max to ring you' });
    await reply.waitFor(T);
    assert.match(await reply.locator('.chat__meta').innerText(), /Support/);
    await dana.locator('.chat__item--own[data-seq]', { hasText: 'I have asked Max' }).waitFor(T);

    // Both have the other's message on screen: each side's last message is seen.
    await dana.locator('.chat__item--own .chat__status', { hasText: 'Seen by Ada' }).waitFor(T);
    await ada.locator('.chat__item--own .chat__status', { hasText: 'Seen by Support' }).waitFor(T);

    // Both logs hold the same two messages, in order.
    /** @param {Page} page */
    const texts = (page) => page.$$eval('.chat__item .chat__bubble', (nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(await texts(ada), await texts(dana));
    assert.equal((await texts(ada)).length, 2);

    // Let the typing indicators run out, for calm screenshots.
    await ada.waitForFunction(() => document.querySelector('.chat__typing')?.textContent === '', undefined, T);
    await dana.waitForFunction(() => document.querySelector('#detail .chat__typing')?.textContent === '', undefined, T);
    await ada.screenshot({ path: path.join(screenshotDir(), 'chat-customer-track.png'), fullPage: true });
    // The dashboard as Dana sees it: the page at its top, the panel showing the chat.
    await dana.evaluate(() => {
      window.scrollTo(0, 0);
      const panel = /** @type {HTMLElement} */ (document.getElementById('detail'));
      const chat = /** @type {HTMLElement} */ (panel.querySelector('.detail-chat'));
      panel.scrollTop = Math.max(0, chat.offsetTop + chat.offsetHeight - panel.clientHeight);
    });
    await dana.screenshot({ path: path.join(screenshotDir(), 'chat-dispatcher-detail.png') });

    // Dana closes the order's panel: she leaves its chat, and Ada sees her go.
    await dana.getByRole('button', { name: 'Close details' }).click();
    await dana.locator('#detail .chat').waitFor({ state: 'detached', ...T });
    await ada.locator('.chat__presence', { hasText: 'No one else is here right now.' }).waitFor(T);

    assert.deepEqual(pageErrors(ada), [], 'uncaught errors on the tracking page');
    assert.deepEqual(pageErrors(dana), [], 'uncaught errors on the dashboard');
  } finally {
    await browser.close();
    await server.stop();
  }
});
