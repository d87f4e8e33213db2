// @ts-check
/**
 * Where each topic asks the server to resume from: the position it last
 * applied, so the server replays what was missed (or sends a snapshot).
 * An order or chat topic that knows nothing yet asks for its whole history,
 * so the timeline is complete; the feed starts from now. A two-way
 * transport asks per topic with a `subscribe` frame; a one-way transport
 * carries every wanted topic with each request (the session).
 */

/** @typedef {import('./topic.js').Topic} Topic */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */

/**
 * @param {Topic} topic
 * @returns {Record<string, unknown>}
 */
export function subscribeFrame(topic) {
  /** @type {Record<string, unknown>} */
  const frame = { type: 'subscribe', topic: topic.name };
  const position = /** @type {any} */ (topic.position());
  if (position && 'offset' in position) frame.offset = position.offset;
  else if (position) Object.assign(frame, { since: position.seq, epoch: position.epoch ?? undefined });
  else if (topic.kind === 'order' || topic.kind === 'chat') frame.since = 0; // the whole history, for the timeline
  return frame;
}

/**
 * What a one-way transport carries: the wanted topics and positions, read
 * afresh on each request.
 * @param {Map<string, Topic>} topics
 * @param {() => Promise<string | null>} token
 * @returns {TransportSession}
 */
export function streamSession(topics, token) {
  return {
    get topics() {
      return [...topics.values()].filter((t) => t.wanted()).map((t) => t.name);
    },
    get positions() {
      /** @type {Record<string, any>} */
      const positions = {};
      for (const topic of topics.values()) {
        const position = topic.position();
        if (position) positions[topic.name] = position;
        // Nothing known yet: the whole history, for the timeline.
        else if (topic.kind === 'order' || topic.kind === 'chat') positions[topic.name] = { seq: 0, epoch: null };
      }
      return positions;
    },
    token,
  };
}
