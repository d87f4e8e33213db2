// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * @param {ClientCore} core
 * @param {any} frame
 */
export function routeFrame(core: ClientCore, frame: any): void;
export type ClientCore = import("./core.js").ClientCore;
export type Envelope = import("./pipeline.js").Envelope;
