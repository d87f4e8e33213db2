// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
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
export function subscribeFrame(topic: Topic): Record<string, unknown>;
/**
 * What a one-way transport carries: the wanted topics and positions, read
 * afresh on each request.
 * @param {Map<string, Topic>} topics
 * @param {() => Promise<string | null>} token
 * @returns {TransportSession}
 */
export function streamSession(topics: Map<string, Topic>, token: () => Promise<string | null>): TransportSession;
export type Topic = import("./topic.js").Topic;
export type TransportSession = import("./transports/types.js").TransportSession;
