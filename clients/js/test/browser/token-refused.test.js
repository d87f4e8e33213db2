// @ts-check
/**
 * The tracking page when the server stops accepting the page's token: a
 * restart with a new secret (the demo makes one each run). The SDK asks its
 * token provider for a fresh token and reconnects; when no fresh token can
 * be had, the page says the session expired and offers to sign in again,
 * instead of "Connecting…" for ever.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { TEST_SECRET, api, startServer, token } from '../support/server.js';
import {
  assertNoPageErrors,
  createOrder,
  customerPersona,
  openTrackPage,
  record,
  TIMEOUT,
  waitForBadge,
  waitForStep,
} from './track-support.js';

test('after the demo restarts with a new secret the page gets a fresh token and is live again', async () => {
  // A slow pace: the simulator stays out of the way.
  const server = await startServer({ command: 'demo', args: ['--pace', '600-900'] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-7301');
    const personas = await api(server.url, 'GET', '/v1/demo/personas');
    const ada = personas.body.find((/** @type {{ subject: string }} */ p) => p.subject === 'cust-ada');
    assert.ok(ada, JSON.stringify(personas.body));
    const page = await openTrackPage(browser, server.url, 'ZX-7301', { persona: ada });
    await waitForBadge(page, 'live', /^Live$/);

    await server.restart();
    const started = Date.now();
    await record(server.url, 'ZX-7301', { type: 'status_changed', status: 'confirmed' });
    await waitForStep(page, 'confirmed', 'current');
    await waitForBadge(page, 'live', /^Live$/);
    console.log(`# live again ${Date.now() - started} ms after the restart`);
    const stored = await page.evaluate(() => JSON.parse(sessionStorage.getItem('trackwire.persona.v1') ?? 'null')?.token);
    assert.notEqual(stored, ada.token, 'the page keeps the fresh token');
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('when no fresh token can be had the page says the session expired, with a way to sign in again', async () => {
  const server = await startServer({ args: ['--jwt-secret', TEST_SECRET] });
  const browser = await launchBrowser();
  try {
    await createOrder(server.url, 'ZX-7302');
    const persona = customerPersona('cust-ada', token({ sub: 'cust-ada', role: 'customer', tenant: 'demo' }));
    const page = await openTrackPage(browser, server.url, 'ZX-7302', { persona });
    await waitForBadge(page, 'live', /^Live$/);

    // Another secret: the page's token is no good any more, and this
    // server (not the demo) has no personas to hand out a new one.
    await server.restart([], { args: ['--jwt-secret', `${TEST_SECRET}-rotated`] });
    await page.locator('#problem-title', { hasText: /session has expired/i }).waitFor({ timeout: TIMEOUT });
    assert.equal(await page.locator('#main').getAttribute('data-problem'), 'session_expired');
    const link = page.locator('#problem a', { hasText: /sign in/i });
    assert.equal(await link.getAttribute('href'), '/login');
    assert.equal(await page.locator('#connection').isVisible(), false, 'no "Connecting…" badge');
    const state = await page.evaluate(() => {
      // @ts-ignore the page's global
      return window.trackPage.client.getState();
    });
    assert.deepEqual(state, { status: 'closed', reason: 'session_expired' });
    assertNoPageErrors(page);
  } finally {
    await browser.close();
    await server.stop();
  }
});
