// @ts-check
/**
 * In headless Chromium against `trackwire demo`: every page is served with
 * a strict Content-Security-Policy (no inline script or style, connections
 * only to its own origin, never framed), `nosniff` and `no-referrer`, and
 * works under it: each page renders what it is for, and the browser
 * reports no policy violation, on the page or in the console.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser } from '../support/browser.js';
import { startServer } from '../support/server.js';

const T = { timeout: 15000 };

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('../support/server.js').TestServer} */
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer({ command: 'demo', args: ['--pace', '0.05-0.1'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Each page, and what on it shows that its scripts ran. ZX-1001 may be
 * delivered by the time its page loads (the demo runs fast here): its
 * badge is then "Final", having been "Live" only for a moment.
 */
const PAGES = [
  ['/', 'a[href^="/track/"]'],
  ['/login', '.persona-card[data-subject]'],
  ['/track/ZX-1001', '#connection:is([data-tone="live"], [data-tone="final"])'],
  ['/dispatch', '#rows tr[data-id]'],
  // Nobody logged in is the demo's admin, whom the console refuses.
  ['/ops', '#ops-problem:not([hidden])'],
];

test('every page passes its strict Content-Security-Policy', async () => {
  const context = await browser.newContext();
  try {
    for (const [path, ready] of PAGES) {
      const page = await context.newPage();
      /** @type {string[]} */
      const violations = [];
      page.on('console', (message) => {
        if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          // @ts-ignore a test hook
          (window.__violations ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      const response = await page.goto(`${server.url}${path}`);
      assert.ok(response, path);
      const headers = response.headers();
      const policy = headers['content-security-policy'] ?? '';
      for (const directive of ["script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"]) {
        assert.ok(policy.includes(directive), `${path}: ${directive} in ${policy}`);
      }
      assert.equal(headers['x-content-type-options'], 'nosniff', path);
      assert.equal(headers['referrer-policy'], 'no-referrer', path);
      await page.locator(ready).first().waitFor(T);
      // @ts-ignore the test hook
      violations.push(...(await page.evaluate(() => window.__violations ?? [])));
      assert.deepEqual(violations, [], `${path} broke its policy`);
      await page.close();
    }
  } finally {
    await context.close();
  }
});
