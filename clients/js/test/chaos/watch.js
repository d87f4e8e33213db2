// @ts-check
/**
 * The SDK as a client of a chaos run (crates/chaos/src/clients/node.rs):
 * `node watch.js URL TRANSPORT ORDER...` watches the orders through the
 * fault proxy at URL over one transport, reconnecting as the SDK does.
 * When the run writes the history's heads as one JSON line on stdin
 * (`{"order:X": 12, …}`), it waits until every order's view reaches its
 * head (45 s at most), then prints what it applied, one JSON line:
 * `{reconnects, topics: {"order:X": {seq, timeline: [{seq, type, text?}]}}}`.
 * Not a test of its own: the Rust checker judges the dump.
 */

import { createInterface } from 'node:readline';

import { TrackwireClient } from '../../src/index.js';

const PATIENCE_MS = 45_000;

const [url, transport, ...orders] = process.argv.slice(2);
if (!url || !transport || orders.length === 0) {
  process.stderr.write('usage: node watch.js URL websocket|sse|long-poll ORDER...\n');
  process.exit(2);
}

const WebSocket = transport === 'websocket' ? (await import('ws')).default : undefined;
/** @type {() => void} */
let changed = () => {};
const client = new TrackwireClient({
  url,
  transports: [/** @type {any} */ (transport)],
  WebSocket: /** @type {any} */ (WebSocket),
  storage: null,
  heartbeatMs: 1000,
  backoff: { baseMs: 50, maxMs: 500 },
});
let reconnects = 0;
client.onStateChange(() => {
  if (client.getState().status === 'reconnecting') reconnects += 1;
});
const watches = orders.map((id) => client.watchOrder(id, () => changed()));

/** @type {Record<string, number>} */
const targets = await new Promise((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.once('line', (line) => {
    lines.close();
    resolve(JSON.parse(line));
  });
});

const seqOf = (/** @type {typeof watches[number]} */ w) => w.snapshot().order?.seq ?? 0;
const atHeads = () => watches.every((w) => seqOf(w) >= (targets[w.topic] ?? 0));
await new Promise((resolve) => {
  const timer = setTimeout(resolve, PATIENCE_MS);
  changed = () => {
    if (atHeads()) {
      clearTimeout(timer);
      resolve(undefined);
    }
  };
  changed();
});

/** @type {Record<string, { seq: number, timeline: { seq: number, type: string, text?: string }[] }>} */
const topics = {};
for (const w of watches) {
  const order = w.snapshot().order;
  topics[w.topic] = {
    seq: order?.seq ?? 0,
    timeline: (order?.timeline ?? []).map((e) => ({ seq: e.seq, type: e.type, text: e.text })),
  };
}
client.close();
// Exit once the dump is flushed: a pipe takes a long line in pieces, and
// exiting at once would cut it.
process.stdout.write(`${JSON.stringify({ reconnects, topics })}\n`, () => process.exit(0));
