// @ts-check
/**
 * The ops console's arithmetic, pure (unit-tested in
 * clients/js/test/unit/ops-figures.test.js): every node's figures summed
 * into the console's totals, topics and refusals merged across nodes, the
 * freshness histogram's buckets in words, durations in words.
 */

/** @typedef {import('/sdk/index.js').NodeFigures} NodeFigures */

/** The transports in the order the console shows them. */
export const TRANSPORT_NAMES = /** @type {const} */ ([
  ['ws', 'WebSocket'],
  ['sse', 'SSE'],
  ['longpoll', 'Long-poll'],
]);

/** A node not heard for this long is shown as silent (nodes publish every second). */
export const SILENT_AFTER_MS = 5000;

/**
 * @typedef {object} Totals
 * @property {number} nodes
 * @property {Record<string, number>} connections by transport
 * @property {number} connectionsTotal
 * @property {number} deliveriesPerSecond
 * @property {number} deliveries
 * @property {number} cutsRecent
 * @property {number} cuts
 * @property {number} refusalsRecent
 * @property {number} refusals
 */

/**
 * @param {NodeFigures[]} nodes
 * @returns {Totals}
 */
export function totals(nodes) {
  /** @type {Record<string, number>} */
  const connections = {};
  for (const [key] of TRANSPORT_NAMES) connections[key] = 0;
  let connectionsTotal = 0;
  const sum = { deliveriesPerSecond: 0, deliveries: 0, cutsRecent: 0, cuts: 0, refusalsRecent: 0, refusals: 0 };
  for (const node of nodes) {
    for (const [key, open] of Object.entries(node.connections ?? {})) {
      connections[key] = (connections[key] ?? 0) + open;
      connectionsTotal += open;
    }
    sum.deliveriesPerSecond += node.deliveriesPerSecond ?? 0;
    sum.deliveries += node.deliveries ?? 0;
    sum.cutsRecent += node.slowConsumerCutsRecent ?? 0;
    sum.cuts += node.slowConsumerCuts ?? 0;
    for (const refusal of node.refusals ?? []) {
      sum.refusalsRecent += refusal.recent;
      sum.refusals += refusal.total;
    }
  }
  return { nodes: nodes.length, connections, connectionsTotal, ...sum };
}

/**
 * The busiest topics of every node together (a topic watched on two nodes
 * adds up), busiest first.
 * @param {NodeFigures[]} nodes
 * @param {number} [limit]
 */
export function busiestTopics(nodes, limit = 10) {
  /** @type {Map<string, { tenant: string, topic: string, subscribers: number, perSecond: number }>} */
  const merged = new Map();
  for (const node of nodes) {
    for (const t of node.topics ?? []) {
      const key = `${t.tenant}\u0000${t.topic}`;
      const known = merged.get(key) ?? { tenant: t.tenant, topic: t.topic, subscribers: 0, perSecond: 0 };
      known.subscribers += t.subscribers;
      known.perSecond += t.perSecond;
      merged.set(key, known);
    }
  }
  return [...merged.values()]
    .sort((a, b) => b.perSecond - a.perSecond || b.subscribers - a.subscribers || a.topic.localeCompare(b.topic))
    .slice(0, limit);
}

/**
 * Refusals of every node by code, the most in the last minute first.
 * @param {NodeFigures[]} nodes
 */
export function refusalsByCode(nodes) {
  /** @type {Map<string, { code: string, recent: number, total: number }>} */
  const merged = new Map();
  for (const node of nodes) {
    for (const r of node.refusals ?? []) {
      const known = merged.get(r.code) ?? { code: r.code, recent: 0, total: 0 };
      known.recent += r.recent;
      known.total += r.total;
      merged.set(r.code, known);
    }
  }
  return [...merged.values()].sort((a, b) => b.recent - a.recent || b.total - a.total || a.code.localeCompare(b.code));
}

/**
 * The freshness histogram of every node: each bucket's words and count.
 * @param {NodeFigures[]} nodes
 * @returns {{ label: string, count: number }[]}
 */
export function freshness(nodes) {
  const bounds = nodes.find((n) => n.clientLag?.boundsMs?.length)?.clientLag.boundsMs ?? [];
  /** @type {number[]} */
  const counts = new Array(bounds.length + 1).fill(0);
  for (const node of nodes) {
    const theirs = node.clientLag;
    // Nodes of another version with other buckets cannot be added up.
    if (!theirs || theirs.boundsMs.join() !== bounds.join()) continue;
    theirs.counts.forEach((count, i) => (counts[i] += count));
  }
  return counts.map((count, i) => ({
    label: i < bounds.length ? `≤ ${msText(bounds[i])}` : `> ${msText(bounds[bounds.length - 1] ?? 0)}`,
    count,
  }));
}

/**
 * 250 → "250 ms", 2500 → "2.5 s".
 * @param {number} ms
 */
export function msText(ms) {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/**
 * 45 → "45 s", 3720 → "1 h 2 min", 200000 → "2 d 7 h".
 * @param {number} seconds
 */
export function durationText(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/**
 * A rate in words: "0", "0.5", "12", "1,250".
 * @param {number} perSecond
 */
export function rateText(perSecond) {
  if (perSecond === 0) return '0';
  if (perSecond < 10) return (Math.round(perSecond * 10) / 10).toLocaleString('en');
  return Math.round(perSecond).toLocaleString('en');
}
