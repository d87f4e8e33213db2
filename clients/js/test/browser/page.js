// @ts-check
/**
 * A test page on the server's own origin: Playwright answers the page's
 * URL itself, and the page imports the SDK the binary serves at /sdk/.
 */

/**
 * Opens `${url}/test/sdk.html` in `page`, where `window.client` is a
 * TrackwireClient watching `order:{orderId}`. With `token`, its
 * `getToken` hands out `window.token`, which starts as `token` (a test
 * changes it to sign in as somebody else).
 * @param {import('playwright-core').Page} page
 * @param {string} url
 * @param {string} orderId
 * @param {Record<string, unknown>} [options] TrackwireClient options
 * @param {{ token?: string }} [identity]
 */
export async function openSdkPage(page, url, orderId, options = {}, { token } = {}) {
  const html = `<!doctype html><meta charset="utf-8"><title>SDK test</title>
<pre id="out">loading</pre>
<script type="module">
  import { TrackwireClient } from '/sdk/index.js';
  const options = ${JSON.stringify({ heartbeatMs: 2000, ...options })};
  window.token = ${JSON.stringify(token ?? null)};
  if (window.token) options.getToken = () => window.token;
  const client = new TrackwireClient(options);
  window.client = client;
  const watch = client.watchOrder(${JSON.stringify(orderId)}, render);
  function render() {
    const order = watch.snapshot().order;
    document.getElementById('out').textContent =
      client.getState().status + ' ' + (client.getState().transport ?? '') + ' ' + (order ? order.status + ' ' + order.seq : '');
  }
  client.onStateChange(render);
</script>`;
  await page.route(`${url}/test/sdk.html`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
  );
  await page.goto(`${url}/test/sdk.html`);
}

/**
 * Waits until the page's client shows `orderId` at `status`.
 * @param {import('playwright-core').Page} page
 * @param {string} orderId
 * @param {string} status
 */
export async function waitForStatus(page, orderId, status) {
  await page.waitForFunction(
    ([id, wanted]) => {
      // @ts-ignore the page's global
      const order = window.client?.getOrder(id);
      return order?.status === wanted && order.seq > 0;
    },
    [orderId, status],
    { timeout: 15000 },
  );
}
