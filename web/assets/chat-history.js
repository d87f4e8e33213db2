// @ts-check
/**
 * The chat's history from the REST API, merged with the SDK's view. The
 * view holds what came on the wire since it subscribed: a chat longer than
 * the server replays (1,000 events) arrives as a snapshot without its
 * messages, and read receipts given before are not replayed at all; both
 * come from here.
 */

/** @typedef {import('/sdk/index.js').ChatMessage} ChatMessage */

/**
 * @param {object} options
 * @param {string} options.orderId
 * @param {((path: string, init?: RequestInit) => Promise<Response>) | undefined} options.fetch an
 *   authorized fetch for the REST API; without it there is no history
 * @param {Map<string, string>} options.roles subject → role; senders not
 *   yet in it are added
 * @param {() => void} options.onLoaded
 */
export function createHistory({ orderId, fetch, roles, onLoaded }) {
  /** Messages from the REST history, by seq. */
  /** @type {Map<number, ChatMessage>} */
  const bySeq = new Map();
  /** Read receipts from the history (given before this page opened). */
  /** @type {Record<string, number>} */
  let reads = {};
  /** The history has loaded (or there is none to load: no `fetch`). */
  let done = !fetch;
  let stopped = false;
  /** @type {{ wire: ChatMessage[] | null, size: number, merged: ChatMessage[] } | null} */
  let mergedCache = null;

  /** @param {(path: string, init?: RequestInit) => Promise<Response>} get */
  async function load(get) {
    try {
      let since = 0;
      for (let page = 0; page < 20; page++) {
        const response = await get(`/v1/orders/${encodeURIComponent(orderId)}/chat?since=${since}&limit=500`);
        if (!response.ok || stopped) break;
        const body = await response.json();
        for (const envelope of Array.isArray(body.messages) ? body.messages : []) {
          const m = fromEnvelope(envelope);
          if (m) bySeq.set(m.seq, m);
          const from = envelope?.payload?.from;
          if (typeof from?.subject === 'string' && typeof from.role === 'string' && !roles.has(from.subject)) {
            roles.set(from.subject, from.role);
          }
        }
        /** @type {Record<string, number>} */
        const pageReads = {};
        for (const r of Array.isArray(body.reads) ? body.reads : []) {
          if (r && typeof r.subject === 'string' && Number.isFinite(r.seq)) pageReads[r.subject] = Number(r.seq);
        }
        reads = { ...reads, ...pageReads };
        if (typeof body.next !== 'number' || body.next <= since) break;
        since = body.next;
      }
    } catch {
      // The wire's messages still show; older ones are missing.
    }
    done = true;
    onLoaded();
  }

  return {
    get done() {
      return done;
    },
    /** Each participant's last read seq, as the history told it. */
    get reads() {
      return reads;
    },
    start() {
      if (fetch) load(fetch);
    },
    stop() {
      stopped = true;
    },
    /**
     * The chat's messages: the wire's and the history's, by seq, once each.
     * @param {ChatMessage[] | null} wire the SDK view's messages
     * @returns {ChatMessage[]}
     */
    merged(wire) {
      if (mergedCache && mergedCache.wire === wire && mergedCache.size === bySeq.size) return mergedCache.merged;
      let merged = wire ?? [];
      if (bySeq.size > 0) {
        /** @type {Map<number, ChatMessage>} */
        const all = new Map(bySeq);
        for (const m of merged) all.set(m.seq, m);
        merged = [...all.values()].sort((a, b) => a.seq - b.seq);
      }
      mergedCache = { wire, size: bySeq.size, merged };
      return merged;
    },
  };
}

/**
 * A message of the REST history as the SDK's view holds one.
 * @param {any} envelope
 * @returns {ChatMessage | null}
 */
function fromEnvelope(envelope) {
  if (!envelope || typeof envelope.seq !== 'number' || envelope.type !== 'chat_message') return null;
  const payload = envelope.payload ?? {};
  return {
    seq: envelope.seq,
    text: String(payload.text ?? ''),
    clientMessageId: String(payload.clientMessageId ?? ''),
    from: typeof payload.from?.subject === 'string' ? payload.from.subject : undefined,
    at: String(envelope.occurredAt ?? ''),
  };
}
