// @ts-check
/**
 * In headless Chromium against `trackwire demo`: the login page lists the
 * demo's people as cards; choosing one goes where they start (the
 * dispatcher to /dispatch, a customer to their first order, the courier to
 * the order they deliver); "Log out" forgets them. The landing page lists
 * the demo's orders with links to their tracking pages. Outside the demo
 * the login page says personas are a demo feature. Screenshots of the
 * login and landing pages.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, screenshotDir } from '../support/browser.js';
import { startServer } from '../support/server.js';

/** @typedef {import('playwright-core').Page} Page */

const T = { timeout: 15000 };

/** @type {import('playwright-core').Browser} */
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** @param {Page} page */
async function persona(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('trackwire.persona.v1') ?? 'null')?.subject ?? null);
}

/**
 * Chooses the person on the login page and waits for the page they land on.
 * @param {Page} page
 * @param {string} url
 * @param {string} subject
 * @param {RegExp} lands
 */
async function logInAs(page, url, subject, lands) {
  await page.goto(`${url}/login`);
  await page.locator(`.persona-card[data-subject="${subject}"] button`).click();
  await page.waitForURL(lands, T);
  assert.equal(await persona(page), subject);
}

describe('with the demo running', () => {
  /** @type {import('../support/server.js').TestServer} */
  let server;

  before(async () => {
    server = await startServer({ command: 'demo', args: ['--pace', '0.05-0.1'] });
  });

  after(async () => {
    await server?.stop();
  });

  test('the login page lists the personas, and the dispatcher lands on /dispatch', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    try {
      await page.goto(`${server.url}/login`);
      const cards = page.locator('.persona-card[data-subject]');
      await cards.first().waitFor(T);
      assert.equal(await cards.count(), 5);
      const seen = await cards.evaluateAll((nodes) =>
        nodes.map((n) => [
          /** @type {HTMLElement} */ (n).dataset.subject,
          n.querySelector('h2')?.textContent,
          n.querySelector('.persona-role')?.textContent,
          n.querySelector('.persona-desc')?.textContent,
        ]),
      );
      assert.deepEqual(
        seen.map(([subject, name, role]) => [subject, name, role]),
        [
          ['cust-ada', 'Ada Lovelace', 'Customer'],
          ['cust-grace', 'Grace Hopper', 'Customer'],
          ['courier-max', 'Max Mustermann', 'Courier'],
          ['dispatch-dana', 'Dana Dispatch', 'Dispatcher'],
          ['ops-olga', 'Olga Operator', 'Operator'],
        ],
      );
      assert.match(String(seen[0][3]), /customer of ZX-1001/i);
      assert.match(String(seen[3][3]), /sees every order/i);
      assert.ok(await page.locator('#not-demo').isHidden());
      await page.screenshot({ path: path.join(screenshotDir(), 'login-desktop.png'), fullPage: true });

      // The dispatcher: the dashboard, live, with their name and a way out.
      await page.locator('.persona-card[data-subject="dispatch-dana"] button').click();
      await page.waitForURL(/\/dispatch$/, T);
      assert.equal(await persona(page), 'dispatch-dana');
      await page.locator('#rows tr[data-id="ZX-1001"]').waitFor(T);
      await page.locator('#connection[data-tone="live"]').waitFor(T);
      assert.match(await page.locator('#session').innerText(), /Dana Dispatch/);

      // Log out: the persona is gone and the login page says nobody is in.
      await page.click('#session [data-logout]');
      await page.waitForURL(/\/login$/, T);
      assert.equal(await persona(page), null);
      await page.locator('.persona-card[data-subject]').first().waitFor(T);
      assert.equal(await page.locator('.persona-card[data-current]').count(), 0);
    } finally {
      await page.close();
    }
  });

  test('customers land on their first order, the courier on the order they deliver', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await logInAs(page, server.url, 'cust-ada', /\/track\/ZX-1001$/);
      // The dashboard is not for customers, and says so.
      await page.goto(`${server.url}/dispatch`);
      await page.locator('#feed-problem').waitFor({ state: 'visible', ...T });
      assert.match(await page.locator('#feed-problem').innerText(), /for staff/);
      await logInAs(page, server.url, 'cust-grace', /\/track\/ZX-1002$/);
      await logInAs(page, server.url, 'courier-max', /\/track\/ZX-1001$/);
      // The login page shows who is logged in.
      await page.goto(`${server.url}/login`);
      await page.locator('.persona-card[data-current]').waitFor(T);
      assert.equal(await page.locator('.persona-card[data-current]').getAttribute('data-subject'), 'courier-max');
    } finally {
      await page.close();
    }
  });

  test('the landing page lists the demo orders with links to their tracking pages', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce' });
    try {
      await page.goto(`${server.url}/`);
      const links = page.locator('#orders a.order-link');
      await links.first().waitFor(T);
      const hrefs = await links.evaluateAll((nodes) =>
        nodes.map((n) => [/** @type {HTMLElement} */ (n).dataset.id, n.getAttribute('href')]),
      );
      assert.ok(hrefs.length >= 3, `${hrefs.length} orders listed`);
      for (const [id, href] of hrefs) assert.equal(href, `/track/${id}`);
      // The oldest, ZX-1001, is there (behind "Show more" once the demo has placed many).
      while (!(await page.locator('#orders a[data-id="ZX-1001"]').count())) {
        assert.ok(await page.locator('#more').isVisible(), 'ZX-1001 is listed');
        await page.click('#more-button');
        await page.waitForFunction(() => document.getElementById('orders')?.getAttribute('aria-busy') === 'false', null, T);
      }
      assert.match(await page.locator('#orders a[data-id="ZX-1001"]').innerText(), /Ada Lovelace/);
      assert.equal(await page.locator('a[href="/dispatch"]').first().isVisible(), true);
      assert.equal(await page.locator('main a[href="/login"]').first().isVisible(), true);
      await page.goto(`${server.url}/`);
      await links.first().waitFor(T);
      await page.screenshot({ path: path.join(screenshotDir(), 'landing-desktop.png') });
      await page.setViewportSize({ width: 360, height: 780 });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `no sideways scrolling at 360 px (page is ${width} px wide)`);
      await page.screenshot({ path: path.join(screenshotDir(), 'landing-360.png') });
      await page.goto(`${server.url}/login`);
      await page.locator('.persona-card[data-subject]').first().waitFor(T);
      await page.screenshot({ path: path.join(screenshotDir(), 'login-360.png') });
    } finally {
      await page.close();
    }
  });
});

test('outside the demo the login page says personas are a demo feature', async () => {
  const server = await startServer();
  const page = await browser.newPage();
  try {
    await page.goto(`${server.url}/login`);
    await page.locator('#not-demo').waitFor({ state: 'visible', ...T });
    assert.match(await page.locator('#not-demo').innerText(), /Personas are a demo feature/);
    assert.equal(await page.locator('.persona-card[data-subject]').count(), 0);
  } finally {
    await page.close();
    await server.stop();
  }
});
