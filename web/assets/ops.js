// @ts-check
/**
 * /ops: the operators' console. Every node publishes its figures each
 * second on the `ops` topic (docs/pages.md, docs/api.md); the SDK keeps
 * the latest of each node, and this page sums them: connections by
 * transport, deliveries per second, slow-consumer cuts, refusals by code,
 * the busiest topics, the clients' freshness. Operators only: anyone else
 * is refused the topic (`forbidden`) and the page says so.
 */

import { badgeFor, showBadge } from '/assets/badge.js';
import { createConnectionAnnouncer } from '/assets/connection-announcer.js';
import { byId, h, setText, show } from '/assets/dom.js';
import { busiestTopics, freshness, rateText, refusalsByCode, totals } from '/assets/ops-figures.js';
import { renderFreshness, renderNodes, renderTiles, syncRows } from '/assets/ops-tables.js';
import { sdk } from '/assets/session.js';
import { mountHeader } from '/assets/site-header.js';

mountHeader('ops', { badge: true });

const els = {
  conn: byId('connection'),
  summary: byId('ops-summary'),
  problem: byId('ops-problem'),
  nodes: byId('node-rows'),
  topics: byId('topic-rows'),
  topicsEmpty: byId('topics-empty'),
  refusals: byId('refusal-rows'),
  refusalsEmpty: byId('refusals-empty'),
  freshness: byId('freshness'),
  freshnessEmpty: byId('freshness-empty'),
};
const tiles = {
  connections: byId('total-connections'),
  byTransport: byId('total-by-transport'),
  deliveries: byId('total-deliveries'),
  delivered: byId('total-delivered'),
  cuts: byId('total-cuts'),
  cutsEver: byId('total-cuts-ever'),
  refusals: byId('total-refusals'),
  refusalsEver: byId('total-refusals-ever'),
};

/** How many times the page drew the figures (tests read it). */
const debug = { renders: 0 };
Object.assign(window, { trackwireOps: debug });

const client = sdk();
const ops = client.watch('ops', schedule);
client.onStateChange(schedule);
// "Up for" and "silent since" move with the clock, between signals too.
setInterval(schedule, 1000);

const connection = createConnectionAnnouncer((text) => setText(byId('announcer'), text), {
  lost: 'Connection lost. The figures shown are kept and may be out of date; reconnecting.',
  back: 'Connected again. The figures are live.',
});

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

function render() {
  debug.renders += 1;
  const snap = ops.snapshot();
  const state = client.getState();
  const badge = badgeFor(state, { lastUpdated: snap.lastUpdated || undefined, online: navigator.onLine });
  showBadge(els.conn, badge);
  document.body.dataset.connection = badge.tone;
  connection.observe(badge.tone);
  showProblem(snap.status === 'error' ? snap.error : null);
  const nodes = snap.nodes ?? [];
  const now = Date.now();
  const t = totals(nodes);
  if (nodes.length > 0) {
    setText(
      els.summary,
      `${plural(t.nodes, 'node')} · ${plural(t.connectionsTotal, 'connection')} · ${rateText(t.deliveriesPerSecond)} deliveries/s`,
    );
    renderTiles(tiles, t);
  }
  renderNodes(els.nodes, nodes, now);
  const topics = busiestTopics(nodes);
  syncRows(els.topics, topics, (x) => `${x.tenant}\u0000${x.topic}`, (x) => [x.tenant, x.topic, String(x.subscribers), rateText(x.perSecond)]);
  show(els.topicsEmpty, topics.length === 0);
  const refusals = refusalsByCode(nodes);
  syncRows(els.refusals, refusals, (r) => r.code, (r) => [r.code, String(r.recent), String(r.total)]);
  show(els.refusalsEmpty, refusals.length === 0);
  const buckets = freshness(nodes);
  renderFreshness(els.freshness, buckets);
  show(els.freshnessEmpty, !buckets.some((b) => b.count > 0));
}

/** @param {string | null} code the server's refusal, or null */
function showProblem(code) {
  show(els.problem, code !== null);
  if (code === null || els.problem.dataset.code === code) return;
  els.problem.dataset.code = code;
  const forbidden = code === 'forbidden';
  els.problem.replaceChildren(
    h(
      'div',
      {},
      h('strong', { text: forbidden ? 'The ops console is for operators.' : 'The figures are not available.' }),
      h(
        'p',
        {},
        forbidden
          ? 'It shows every tenant of the installation, so a tenant’s admin or dispatcher may not see it. '
          : `The server refused them (${code}). `,
        h('a', { href: '/login', text: 'Log in as the operator' }),
        '.',
      ),
    ),
  );
}

/**
 * "1 node", "3 nodes".
 * @param {number} n
 * @param {string} word
 */
function plural(n, word) {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}
