// @ts-check
/**
 * The chat panel (web/assets/chat.js) on the customer's tracking page,
 * against a real server: own messages on the right and others on the
 * left with their name and role; Enter sends and Shift+Enter starts a new
 * line; a message shows "Sending…" at once, then as sent, then "Seen" once
 * the other side read it, and the customer's own reading is reported;
 * only others' new messages are announced; a reader scrolled up is never
 * pulled down and the focus never moves; a refused send says why and can
 * be retried or removed; someone who is not a party to the order gets no
 * input; and the panel works at 360 px.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import { assertNoPageErrors, createOrder, customerPersona, openTrackPage, TIMEOUT } from './track-support.js';

/** @typedef {import('playwright-core').Page} Page */

const MAX = { id: 'courier-max', name: 'Max Mustermann' };

/** @type {import('../support/server.js').TestServer} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Record<string, string>} */
const tokens = {};

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  browser = await launchBrowser();
  tokens.ada = token({ sub: 'cust-x', role: 'customer' });
  tokens.max = token({ sub: MAX.id, role: 'courier' });
  tokens.dana = token({ sub: 'disp-dana', role: 'dispatcher' });
  tokens.bob = token({ sub: 'cust-bob', role: 'customer' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** @param {string} id */
async function newOrder(id) {
  await createOrder(server.url, id, { customer: { id: 'cust-x', name: 'Ada Lovelace' }, courier: MAX });
}

let sent = 0;

/**
 * Sends a message through the REST API as someone else.
 * @param {string} id
 * @param {string} bearer
 * @param {string} text
 * @returns {Promise<number>} its seq
 */
async function say(id, bearer, text) {
  const reply = await api(server.url, 'POST', `/v1/orders/${id}/chat`, { text, clientMessageId: `t-${++sent}` }, bearer);
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return reply.body.message.seq;
}

/**
 * Opens the tracking page as Ada and waits for her chat; records what the
 * chat's live region says.
 * @param {string} id
 * @param {{ width: number, height: number }} [viewport]
 */
async function openAsAda(id, viewport = { width: 1280, height: 1000 }) {
  const page = await openTrackPage(browser, server.url, id, {
    persona: customerPersona('cust-x', tokens.ada, 'Ada Lovelace'),
    viewport,
  });
  await recordAnnouncements(page);
  await page.locator('#chat .chat[data-chat-state="ready"]').waitFor({ timeout: TIMEOUT });
  return page;
}

/**
 * Records what the chat's polite live region says (`window.__chatSaid`);
 * runs in the page, before its scripts when given to `addInitScript`.
 */
function chatRecorder() {
  /** @type {any} */
  const w = window;
  w.__chatSaid = [];
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      const node = m.target.nodeType === 1 ? /** @type {Element} */ (m.target) : m.target.parentElement;
      const region = node?.closest('.chat [aria-live="polite"]');
      const text = (region?.textContent ?? '').trim();
      if (region && text) {
        w.__chatSaid.push(text);
        return;
      }
    }
  }).observe(document, { childList: true, characterData: true, subtree: true });
}

/** @param {Page} page */
async function recordAnnouncements(page) {
  await page.evaluate(chatRecorder);
}

/**
 * @param {Page} page
 * @returns {Promise<string[]>}
 */
function chatSaid(page) {
  // @ts-ignore the recorder's global
  return page.evaluate(() => [...window.__chatSaid]);
}

/** @param {Page} page */
function logMetrics(page) {
  return page.$eval('.chat__log', (log) => ({
    top: log.scrollTop,
    bottomGap: log.scrollHeight - log.scrollTop - log.clientHeight,
    overflows: log.scrollHeight > log.clientHeight + 1,
  }));
}

/** @param {Page} page */
const focused = (page) => page.evaluate(() => document.activeElement?.className ?? '');

test('Ada chats with her courier: sides, Enter and Shift+Enter, sending → sent → seen, announcements of others only', async () => {
  await newOrder('ZX-7101');
  const page = await openAsAda('ZX-7101');

  const log = page.locator('#chat [role="log"]');
  assert.equal(await log.getAttribute('aria-label'), 'Messages');
  assert.equal(await page.locator('#chat textarea').getAttribute('maxlength'), '2000');
  assert.equal(await page.locator('#chat label', { hasText: 'Message' }).count(), 1);
  assert.ok(await page.locator('.chat__send').isDisabled(), 'nothing to send yet');
  assert.match(await page.locator('.chat__empty').innerText(), /No messages yet/);

  // Hold the send at the server's door, to see the message while it is on its way.
  /** @type {() => void} */
  let release = () => {};
  const gate = new Promise((resolve) => (release = () => resolve(undefined)));
  await page.route('**/v1/orders/ZX-7101/chat', async (route) => {
    if (route.request().method() === 'POST') await gate;
    await route.continue();
  });

  await page.locator('.chat__input').click();
  await page.keyboard.type('Hi! Is it still hot?');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Second floor, by the way.');
  assert.equal(await page.locator('.chat__input').inputValue(), 'Hi! Is it still hot?\nSecond floor, by the way.');
  await page.keyboard.press('Enter');

  const mine = page.locator('.chat__item--own').last();
  await page.locator('.chat__item--own[data-state="sending"]').waitFor({ timeout: TIMEOUT });
  assert.match(await mine.locator('.chat__status').innerText(), /Sending…/);
  assert.equal(await page.locator('.chat__input').inputValue(), '', 'the box is emptied at once');
  assert.match(await focused(page), /chat__input/, 'the focus stays in the box');
  release();
  await page.locator('.chat__item--own[data-seq]').waitFor({ timeout: TIMEOUT });
  await page.unroute('**/v1/orders/ZX-7101/chat');
  assert.equal(await page.locator('.chat__item--own').count(), 1, 'shown once');
  assert.equal(await mine.locator('.chat__bubble').innerText(), 'Hi! Is it still hot?\nSecond floor, by the way.');
  assert.match(await mine.locator('.chat__status').innerText(), /^Sent$/);
  assert.match(await mine.locator('.chat__meta').innerText(), /You/);

  // Max answers: on the left, with his name and role; the page announces it.
  const seq = await say('ZX-7101', tokens.max, 'Yes, in the thermal bag. 5 minutes!');
  const his = page.locator(`.chat__item[data-seq="${seq}"]`);
  await his.waitFor({ timeout: TIMEOUT });
  assert.match(await his.getAttribute('class') ?? '', /chat__item--other/);
  assert.match(await his.locator('.chat__meta').innerText(), /Max Mustermann\s+Courier/);
  const logBox = await log.boundingBox();
  const mineBox = await mine.locator('.chat__bubble').boundingBox();
  const hisBox = await his.locator('.chat__bubble').boundingBox();
  assert.ok(logBox && mineBox && hisBox);
  assert.ok(logBox.x + logBox.width - (mineBox.x + mineBox.width) < 24, 'own messages sit on the right');
  assert.ok(hisBox.x - logBox.x < 24, 'others sit on the left');
  await page.waitForFunction(
    // @ts-ignore the recorder's global
    () => window.__chatSaid.length >= 1,
    undefined,
    { timeout: TIMEOUT },
  );
  assert.deepEqual(await chatSaid(page), ['Max Mustermann, Courier: Yes, in the thermal bag. 5 minutes!']);

  // Ada's page saw Max's message: her read receipt reaches the server.
  await waitFor(async () => {
    const history = await api(server.url, 'GET', '/v1/orders/ZX-7101/chat', undefined, tokens.max);
    return history.body.reads.some((/** @type {any} */ r) => r.subject === 'cust-x' && r.seq >= seq);
  }, 'Ada marked the chat read');

  // Ada writes again; Max reads it: "Seen by Max" under her last message only.
  await page.locator('.chat__input').fill('Great, thanks');
  await page.locator('.chat__send').click();
  const last = page.locator('.chat__item--own[data-seq]').nth(1);
  await last.waitFor({ timeout: TIMEOUT });
  const lastSeq = Number(await last.getAttribute('data-seq'));
  assert.match(await focused(page), /chat__input/, 'after a click on Send the focus is back in the box');
  const read = await api(server.url, 'POST', '/v1/orders/ZX-7101/chat/read', { seq: lastSeq }, tokens.max);
  assert.equal(read.status, 200);
  await last.locator('.chat__status', { hasText: 'Seen by Max' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('.chat__status').count(), 1, 'a status under the last own message only');
  assert.deepEqual(await chatSaid(page), ['Max Mustermann, Courier: Yes, in the thermal bag. 5 minutes!'], 'own messages are not announced');

  // A reload: the history, and the receipt given before, come back; the
  // history is not announced, the next message from Max is.
  await page.addInitScript(chatRecorder);
  await page.reload();
  await page.locator('#chat .chat[data-chat-state="ready"][data-settled]').waitFor({ timeout: TIMEOUT });
  await page.locator(`.chat__item[data-seq="${lastSeq}"] .chat__status`, { hasText: 'Seen by Max' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('.chat__item').count(), 3);
  const next = await say('ZX-7101', tokens.max, 'Here now.');
  await page.locator(`.chat__item[data-seq="${next}"]`).waitFor({ timeout: TIMEOUT });
  // @ts-ignore the recorder's global
  await page.waitForFunction(() => window.__chatSaid.length >= 1, undefined, { timeout: TIMEOUT });
  assert.deepEqual(await chatSaid(page), ['Max Mustermann, Courier: Here now.']);
  assertNoPageErrors(page);
  await page.context().close();
});

test('a reader scrolled up stays where they are; the focus and the draft stay in the box', async () => {
  await newOrder('ZX-7102');
  for (let i = 1; i <= 14; i++) await say('ZX-7102', tokens.dana, `Update ${i}: we are looking into your order.`);
  const page = await openAsAda('ZX-7102');
  await page.locator('.chat__item[data-seq="14"]').waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(() => {
    const log = /** @type {HTMLElement} */ (document.querySelector('.chat__log'));
    return log.scrollHeight - log.scrollTop - log.clientHeight <= 2;
  }, undefined, { timeout: TIMEOUT });
  assert.ok((await logMetrics(page)).overflows, 'enough messages to scroll');
  assert.match(await page.locator('.chat__item[data-seq="1"] .chat__meta').innerText(), /Support/);

  // Ada starts a draft, then scrolls the log up to reread.
  await page.locator('.chat__input').click();
  await page.keyboard.type('Draft in progress');
  await page.$eval('.chat__log', (log) => log.scrollTo({ top: 0 }));
  await page.waitForFunction(() => document.querySelector('.chat__log')?.scrollTop === 0);

  await say('ZX-7102', tokens.dana, 'Your courier is on the way now.');
  await page.locator('.chat__item[data-seq="15"]').waitFor({ timeout: TIMEOUT });
  await page.locator('.chat__jump:not([hidden])', { hasText: 'New message' }).waitFor({ timeout: TIMEOUT });
  assert.equal((await logMetrics(page)).top, 0, 'not pulled down');
  assert.match(await focused(page), /chat__input/);
  assert.equal(await page.locator('.chat__input').inputValue(), 'Draft in progress');

  // Jumping down: at the end, and new messages are followed again.
  await page.locator('.chat__jump').click();
  await page.locator('.chat__jump').waitFor({ state: 'hidden', timeout: TIMEOUT });
  assert.ok((await logMetrics(page)).bottomGap <= 2);
  await say('ZX-7102', tokens.dana, 'Almost there.');
  await page.locator('.chat__item[data-seq="16"]').waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(() => {
    const log = /** @type {HTMLElement} */ (document.querySelector('.chat__log'));
    return log.scrollHeight - log.scrollTop - log.clientHeight <= 2;
  }, undefined, { timeout: TIMEOUT });
  assertNoPageErrors(page);
  await page.context().close();
});

test('a refused send says why in words; Retry sends it, Remove drops it', async () => {
  await newOrder('ZX-7103');
  const page = await openAsAda('ZX-7103');

  await page.route('**/v1/orders/ZX-7103/chat', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 429,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', details: {} } }),
        })
      : route.continue(),
  );
  await page.locator('.chat__input').fill('Can you call me?');
  await page.keyboard.press('Enter');
  const failed = page.locator('.chat__item--own[data-state="failed"]');
  await failed.waitFor({ timeout: TIMEOUT });
  assert.match(await failed.locator('.chat__status').innerText(), /Not sent\. Too many messages at once/);
  await page.unroute('**/v1/orders/ZX-7103/chat');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await page.locator('.chat__item--own[data-seq]').waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('.chat__item--own').count(), 1, 'the retried message, once');
  assert.equal(await page.locator('.chat__item--own .chat__bubble').innerText(), 'Can you call me?');

  await page.route('**/v1/orders/ZX-7103/chat', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 422,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'validation_failed', message: 'text: too long', details: {} } }),
        })
      : route.continue(),
  );
  await page.locator('.chat__input').fill('This one the server refuses');
  await page.keyboard.press('Enter');
  await failed.waitFor({ timeout: TIMEOUT });
  assert.match(await failed.locator('.chat__status').innerText(), /Not sent\. The server did not accept it/);
  assert.equal(await failed.getByRole('button', { name: 'Retry' }).count(), 0, 'no retry: it would fail the same way');
  await failed.getByRole('button', { name: 'Remove' }).click();
  await failed.waitFor({ state: 'detached', timeout: TIMEOUT });
  assert.match(await focused(page), /chat__input/, 'the focus goes back to the box');
  assert.equal(await page.locator('.chat__item').count(), 1);

  // Whitespace alone is never sent; the box holds 2,000 characters at most.
  await page.locator('.chat__input').fill('   ');
  assert.ok(await page.locator('.chat__send').isDisabled());
  await page.locator('.chat__input').fill('x'.repeat(2100));
  assert.equal((await page.locator('.chat__input').inputValue()).length, 2000);
  assert.match(await page.locator('.chat__count').innerText(), /2,000 \/ 2,000/);
  assertNoPageErrors(page);
  await page.context().close();
});

test('someone who is not a party to the order sees that chat is not available, and no box', async () => {
  await newOrder('ZX-7104');
  const context = await browser.newContext({ viewport: { width: 720, height: 640 } });
  const page = await context.newPage();
  await page.addInitScript((persona) => sessionStorage.setItem('trackwire.persona.v1', JSON.stringify(persona)), {
    name: 'Bob',
    description: 'Another customer',
    subject: 'cust-bob',
    role: 'customer',
    tenant: 'demo',
    token: tokens.bob,
  });
  // A bare page with just the panel: the tracking page would not show Bob the order at all.
  await page.route(`${server.url}/test/chat.html*`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><meta charset="utf-8"><title>Chat</title>
<link rel="stylesheet" href="/assets/app.css"><link rel="stylesheet" href="/assets/chat.css">
<main class="container" style="padding-block:24px"><section class="card"><h2 class="card__title">Messages</h2><div id="chat"></div></section></main>
<script type="module">
  import { mountChat } from '/assets/chat.js';
  import { apiFetch, currentPersona, sdk } from '/assets/session.js';
  window.chat = mountChat(document.getElementById('chat'), { client: sdk(), orderId: 'ZX-7104', me: currentPersona(), fetch: apiFetch });
</script>`,
    }),
  );
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/test/chat.html`);
  const chat = page.locator('.chat[data-chat-state="forbidden"]');
  await chat.waitFor({ timeout: TIMEOUT });
  assert.match(await chat.innerText(), /Chat is not available/);
  assert.match(await chat.innerText(), /customer, its courier and our support team/);
  assert.equal(await page.locator('.chat textarea').isVisible(), false);
  assert.equal(await page.locator('.chat__send').isVisible(), false);
  assert.equal(await page.locator('.chat [role="log"]').isVisible(), false);
  await page.screenshot({ path: path.join(screenshotDir(), 'chat-forbidden.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 360 px the panel fits: no sideways scrolling, Send is a labelled button', async () => {
  await newOrder('ZX-7105');
  await say('ZX-7105', tokens.dana, 'Hi Ada, your order is being prepared. Any questions? We are here.');
  const page = await openAsAda('ZX-7105', { width: 360, height: 780 });
  await page.locator('.chat__item[data-seq="1"]').waitFor({ timeout: TIMEOUT });
  await page.locator('#chat-card').scrollIntoViewIfNeeded();
  await page.locator('.chat__input').fill('Thanks! A long word to wrap: Donaudampfschifffahrtsgesellschaftskapitänsmütze');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.chat__item--own[data-seq]').waitFor({ timeout: TIMEOUT });
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    chat: document.querySelector('.chat')?.getBoundingClientRect().right ?? 0,
  }));
  assert.ok(widths.page <= widths.viewport, `no sideways scrolling: ${JSON.stringify(widths)}`);
  assert.ok(widths.chat <= widths.viewport);
  // On phones the chat follows the courier card.
  const order = await page.evaluate(() => {
    const y = (/** @type {string} */ id) => document.getElementById(id)?.getBoundingClientRect().top ?? 0;
    return { courier: y('courier-card'), chat: y('chat-card'), details: y('details-card') };
  });
  assert.ok(order.courier < order.chat && order.chat < order.details, JSON.stringify(order));
  await page.locator('#chat-card').screenshot({ path: path.join(screenshotDir(), 'chat-track-360.png') });
  assertNoPageErrors(page);
  await page.context().close();
});

/**
 * Polls `check` until it holds.
 * @param {() => Promise<boolean>} check
 * @param {string} what
 */
async function waitFor(check, what) {
  const deadline = Date.now() + TIMEOUT;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
