// @ts-check
/**
 * Trackwire's browser SDK: `TrackwireClient` and what a UI needs beside
 * it. Plain ES modules, no build step; the server serves them at `/sdk/`.
 * The declarations in ../types/ are generated from these JSDoc types
 * (`npm run types`); this file's exports and typedefs are the public API.
 */

export { TrackwireClient } from './client.js';
export { backoffDelay } from './backoff.js';
export { MAIN_PATH, FINAL_STATUSES, STATUSES } from './order-status.js';
export { timelineSteps } from './timeline.js';
export { TRANSPORTS } from './state.js';

/** @typedef {import('./client.js').ClientOptions} ClientOptions */
/** @typedef {import('./client.js').Telemetry} Telemetry */
/** @typedef {import('./client.js').Watch} Watch */
/** @typedef {import('./state.js').Transport} Transport */
/** @typedef {import('./state.js').ConnectionState} ConnectionState */
/** @typedef {import('./order-status.js').OrderStatus} OrderStatus */
/** @typedef {import('./order-state.js').Party} Party */
/** @typedef {import('./order-state.js').Location} Location */
/** @typedef {import('./order-state.js').TimelineEntry} TimelineEntry */
/** @typedef {import('./order-state.js').OrderView} OrderView */
/** @typedef {import('./mutations.js').OverlaidView} OverlaidView */
/** @typedef {import('./mutations.js').MutationOutcome} MutationOutcome */
/** @typedef {import('./mutation-requests.js').MutationResult} MutationResult */
/** @typedef {import('./timeline.js').TimelineStep} TimelineStep */
/** @typedef {import('./topic.js').TopicStatus} TopicStatus */
/** @typedef {import('./topic.js').TopicSnapshot} TopicSnapshot */
/** @typedef {import('./topic.js').ChatMessage} ChatMessage */
/** @typedef {import('./topic.js').Member} Member */
/** @typedef {import('./topic.js').NodeFigures} NodeFigures */
