// @ts-check
/**
 * Trackwire's browser SDK: `TrackwireClient` and what a UI needs beside
 * it. Plain ES modules, no build step; the server serves them at `/sdk/`.
 */

export { TrackwireClient } from './client.js';
export { backoffDelay } from './backoff.js';
export { MAIN_PATH, FINAL_STATUSES } from './order-state.js';
export { timelineSteps } from './timeline.js';
export { TRANSPORTS } from './state.js';
