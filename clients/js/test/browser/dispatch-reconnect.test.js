// @ts-check
/**
 * In headless Chromium: the dispatcher dashboard keeps its orders on
 * screen while the server is down (no flicker to empty), its connection
 * badge says the data is from before the break, and once the server is
 * back it is live again and catches up with what happened meanwhile.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { api, startServer } from '../support/server.js';

const T = { timeout: 20000 };

test('the dashboard keeps its orders through a server restart and says so', async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    for (const id of ['R-1', 'R-2', 'R-3']) {
      const reply = await api(server.url, 'POST', '/v1/orders', {
        id,
        customer: { id: `cust-${id}`, name: `Customer ${id}` },
        items: [{ name: 'Tea', quantity: 1 }],
        address: '1 Main St',
      });
      assert.equal(reply.status, 201);
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/dispatch`);
    await page.locator('#rows tr[data-id="R-3"]').waitFor(T);
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    await page.click('#rows tr[data-id="R-2"] .row-select');
    await page.locator('#detail-order-title').waitFor(T);

    // Count the rows at every render while the server is away, and keep
    // what the live region says.
    await page.evaluate(() => {
      const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
      // @ts-ignore a test global
      window.announced = [];
      new MutationObserver(() => {
        // @ts-ignore a test global
        window.announced.push(announcer.textContent);
      }).observe(announcer, { subtree: true, childList: true, characterData: true });
      // @ts-ignore a test global
      window.fewestRows = Infinity;
      new MutationObserver(() => {
        const rows = document.querySelectorAll('#rows tr:not([hidden])').length;
        // @ts-ignore a test global
        window.fewestRows = Math.min(window.fewestRows, rows);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });

    await server.kill();
    // Between attempts the badge says where the data on screen is from (a
    // reconnect attempt in flight says "Connecting…" for a moment).
    await page.locator('#connection[data-tone="offline"]', { hasText: /showing data from/ }).waitFor(T);
    const offline = await page.locator('#connection').innerText();
    assert.match(offline, /Reconnecting|Offline|Connecting/, offline);
    assert.equal(await page.locator('#rows tr:not([hidden])').count(), 3, 'the orders stay on screen');
    assert.match(await page.locator('#summary').innerText(), /3 orders/);
    assert.match(await page.locator('#detail').innerText(), /Customer R-2/, 'the open order stays open');

    await server.restart();
    const reply = await api(server.url, 'POST', '/v1/orders/R-1/events', { type: 'status_changed', status: 'confirmed' });
    assert.equal(reply.status, 201);
    await page.locator('#connection[data-tone="live"]').waitFor(T);
    await page.waitForFunction(
      () => document.querySelector('#rows tr[data-id="R-1"]')?.getAttribute('data-status') === 'confirmed',
      null,
      T,
    );
    assert.equal(
      await page.evaluate(() => {
        // @ts-ignore a test global
        return window.fewestRows;
      }),
      3,
      'never fewer rows on screen, at any render',
    );
    /** @type {string[]} */
    const announced = await page.evaluate(() => {
      // @ts-ignore a test global
      return window.announced;
    });
    assert.ok(announced.some((text) => /Connection lost/.test(text)), JSON.stringify(announced));
    assert.ok(announced.some((text) => /Connected again/.test(text)), JSON.stringify(announced));
  } finally {
    await browser.close();
    await server.stop();
  }
});
