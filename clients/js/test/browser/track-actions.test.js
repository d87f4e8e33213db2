// @ts-check
/**
 * The customer's optimistic actions on the tracking page, logged in as the
 * customer: a cancel and an instructions change show pending at once and
 * are confirmed; a cancel after the order shipped, and instructions for an
 * order that became final meanwhile, are rolled back with the reason shown.
 * Updates arriving while the customer is in the middle of an action never
 * take their focus away.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import {
  advance,
  announcements,
  assertNoPageErrors,
  createOrder,
  customerPersona,
  feedbackStates,
  openTrackPage,
  TIMEOUT,
  waitForAnnouncements,
  waitForBadge,
  waitForStep,
} from './track-support.js';

/** @type {import('../support/server.js').TestServer} */
let server;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {object} */
let persona;

before(async () => {
  server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  browser = await launchBrowser();
  persona = customerPersona('cust-ada', token({ sub: 'cust-ada', role: 'customer', tenant: 'demo' }));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** @param {import('playwright-core').Page} page */
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** @param {string} id */
async function serverOrder(id) {
  const reply = await api(server.url, 'GET', `/v1/orders/${id}`);
  assert.equal(reply.status, 200);
  return reply.body;
}

test("a customer's optimistic cancel shows pending and is confirmed", async () => {
  await createOrder(server.url, 'ZX-4001');
  await advance(server.url, 'ZX-4001', ['confirmed']);
  const page = await openTrackPage(browser, server.url, 'ZX-4001', { persona });
  await waitForStep(page, 'confirmed', 'current');

  // By keyboard: the button opens a confirmation whose safe choice has the focus.
  await page.locator('#cancel-open').focus();
  await page.keyboard.press('Enter');
  await page.locator('#cancel-confirm').waitFor({ timeout: TIMEOUT });
  assert.equal(await focusedId(page), 'cancel-no');
  await page.locator('#cancel-yes').click();

  await page.locator('#cancel-feedback[data-state="confirmed"]').waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await feedbackStates(page, 'cancel-feedback'), ['pending', 'confirmed']);
  assert.match((await page.locator('#cancel-feedback').textContent()) ?? '', /Your order is cancelled/);
  await waitForStep(page, 'cancelled', 'final');
  await page.locator('#status-headline', { hasText: 'Cancelled' }).waitFor({ timeout: TIMEOUT });
  assert.match((await page.locator('#status-description').textContent()) ?? '', /Cancelled by the customer/);
  await waitForBadge(page, 'final', /^Final/);
  await waitForAnnouncements(page, 1);
  assert.deepEqual(await announcements(page), ['Order status: Cancelled.']);
  assert.equal(await page.locator('#cancel-open').isVisible(), false, 'nothing left to cancel');
  assert.equal((await serverOrder('ZX-4001')).status, 'cancelled');
  await page.screenshot({ path: path.join(screenshotDir(), 'track-cancelled.png'), fullPage: true });
  assertNoPageErrors(page);
});

test('a cancel sent after the order shipped is rolled back with the reason', async () => {
  await createOrder(server.url, 'ZX-4002');
  await advance(server.url, 'ZX-4002', ['confirmed', 'preparing']);
  const page = await openTrackPage(browser, server.url, 'ZX-4002', { persona });
  await waitForStep(page, 'preparing', 'current');
  await page.locator('#cancel-open').click();
  await page.locator('#cancel-confirm').waitFor({ timeout: TIMEOUT });
  assert.equal(await focusedId(page), 'cancel-no');

  // The shop ships it while the customer makes up their mind.
  await advance(server.url, 'ZX-4002', ['shipped']);
  await waitForStep(page, 'shipped', 'current');
  await page.locator('#cancel-confirm-note').waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#cancel-confirm').isVisible(), true, 'the open confirmation stays');
  assert.equal(await focusedId(page), 'cancel-no', 'the update did not take the focus');

  await page.locator('#cancel-yes').click();
  await page.locator('#cancel-feedback[data-state="rolled_back"]').waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await feedbackStates(page, 'cancel-feedback'), ['pending', 'rolled_back']);
  assert.match(
    (await page.locator('#cancel-feedback').textContent()) ?? '',
    /Your order was not cancelled\. It has already shipped, so it can no longer be cancelled\./,
  );
  assert.equal(await page.locator('#status-headline').textContent(), 'Shipped');
  assert.equal(await page.locator('#timeline li[data-kind="final"]').count(), 0, 'no cancelled step');
  assert.equal((await serverOrder('ZX-4002')).status, 'shipped');
  await page.screenshot({ path: path.join(screenshotDir(), 'track-cancel-rolled-back.png'), fullPage: true });
  assertNoPageErrors(page);
});

test('a customer edits the delivery instructions: pending, then confirmed', async () => {
  await createOrder(server.url, 'ZX-4003');
  const page = await openTrackPage(browser, server.url, 'ZX-4003', { persona });
  await page.locator('#instructions-text', { hasText: 'Ring twice, 3rd floor' }).waitFor({ timeout: TIMEOUT });

  await page.locator('#instructions-edit').click();
  assert.equal(await focusedId(page), 'instructions-input');
  assert.equal(await page.locator('#instructions-input').inputValue(), 'Ring twice, 3rd floor');
  await page.locator('#instructions-input').fill('Gate B, code 4711. Leave it at the door.');
  await page.getByRole('button', { name: 'Save instructions' }).click();
  assert.equal(await focusedId(page), 'instructions-edit', 'back where the customer started');

  await page.locator('#instructions-feedback[data-state="confirmed"]').waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await feedbackStates(page, 'instructions-feedback'), ['pending', 'confirmed']);
  await page.locator('#instructions-text', { hasText: 'Gate B, code 4711. Leave it at the door.' }).waitFor({ timeout: TIMEOUT });
  assert.equal(await page.locator('#instructions-pending').isVisible(), false);
  assert.equal((await serverOrder('ZX-4003')).instructions, 'Gate B, code 4711. Leave it at the door.');
  assertNoPageErrors(page);
});

test('instructions saved after the order became final are rolled back with the reason', async () => {
  await createOrder(server.url, 'ZX-4004');
  await advance(server.url, 'ZX-4004', ['confirmed', 'preparing', 'shipped', 'out_for_delivery']);
  const page = await openTrackPage(browser, server.url, 'ZX-4004', { persona });
  await waitForStep(page, 'out_for_delivery', 'current');

  await page.locator('#instructions-edit').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Leave it with the neighbour');

  // Delivered while the customer types: the editor stays, with their text and focus.
  await advance(server.url, 'ZX-4004', ['delivered']);
  await waitForBadge(page, 'final', /^Final/);
  await page.locator('#instructions-form-note').waitFor({ timeout: TIMEOUT });
  assert.equal(await focusedId(page), 'instructions-input', 'the update did not take the focus');
  assert.equal(await page.locator('#instructions-input').inputValue(), 'Leave it with the neighbour');

  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#instructions-feedback[data-state="rolled_back"]').waitFor({ timeout: TIMEOUT });
  assert.deepEqual(await feedbackStates(page, 'instructions-feedback'), ['pending', 'rolled_back']);
  assert.match(
    (await page.locator('#instructions-feedback').textContent()) ?? '',
    /Not saved\. This order is complete, so it can no longer be changed\./,
  );
  assert.equal(await page.locator('#instructions-text').textContent(), 'Ring twice, 3rd floor');
  assert.equal((await serverOrder('ZX-4004')).instructions, 'Ring twice, 3rd floor');
  await page.screenshot({ path: path.join(screenshotDir(), 'track-instructions-rolled-back.png'), fullPage: true });
  assertNoPageErrors(page);
});
