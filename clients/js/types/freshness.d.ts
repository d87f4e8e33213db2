// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Sends reports with `fetch` to `${baseUrl}/v1/telemetry`, with the bearer
 * token when there is one.
 * @param {{ baseUrl: string, fetch: typeof globalThis.fetch, token: () => Promise<string | null> }} api
 * @returns {(report: FreshnessReport) => Promise<ReportOutcome>}
 */
export function telemetrySender(api: {
    baseUrl: string;
    fetch: typeof globalThis.fetch;
    token: () => Promise<string | null>;
}): (report: FreshnessReport) => Promise<ReportOutcome>;
/**
 * Freshness reports: what this client saw of its own freshness, sent to
 * `POST /v1/telemetry` so the operator sees it per tenant
 * (`trackwire_client_lag_seconds`, `trackwire_client_degraded_seconds`):
 * the time from an event's `occurredAt` to its application (sampled: a
 * share of events, at most {@link MAX_SAMPLES} per report), and how long
 * each degraded spell lasted.
 *
 * One small body every `intervalMs`, only when something was sampled; a
 * failed report is dropped, not retried (it is a sample); a server without
 * the endpoint (404) or that refuses the report's shape (400, 413, 422)
 * is not asked again.
 */
/** Most samples of each kind in one report (the server's limit too). */
export const MAX_SAMPLES: 100;
/** Largest sample the server takes: a day (a clock far off, not a lag). */
export const MAX_SAMPLE_MS: 86400000;
/**
 * @typedef {object} FreshnessReport
 * @property {number[]} lagMs
 * @property {number[]} degradedMs
 */
/**
 * How a report went: sent (or failed for now), or never to be sent again.
 * @typedef {'sent' | 'failed' | 'unsupported'} ReportOutcome
 */
/**
 * @typedef {object} FreshnessOptions
 * @property {number} [intervalMs] between two reports (60 s)
 * @property {number} [lagSampleRate] share of applied events whose lag is
 *   kept, 0 to 1 (0.1)
 * @property {() => number} [random] (Math.random)
 */
export class FreshnessReporter {
    /**
     * @param {(report: FreshnessReport) => Promise<ReportOutcome>} send
     * @param {FreshnessOptions} [options]
     */
    constructor(send: (report: FreshnessReport) => Promise<ReportOutcome>, options?: FreshnessOptions);
    send: (report: FreshnessReport) => Promise<ReportOutcome>;
    intervalMs: number;
    lagSampleRate: number;
    random: () => number;
    /** @type {number[]} */
    lagMs: number[];
    /** @type {number[]} */
    degradedMs: number[];
    /** @type {ReturnType<typeof setInterval> | null} */
    timer: ReturnType<typeof setInterval> | null;
    stopped: boolean;
    /** @param {number} ms an event's lag, from `occurredAt` to applied */
    lag(ms: number): void;
    /** @param {number} ms how long a degraded spell lasted */
    degraded(ms: number): void;
    /**
     * What waits to be reported, taken (null when nothing does).
     * @returns {FreshnessReport | null}
     */
    take(): FreshnessReport | null;
    /** Sends what waits, if anything. */
    flush(): Promise<void>;
    /** Reports every `intervalMs` from now on. */
    start(): void;
    /** No reports until the next `start` (the client closed). */
    pause(): void;
    /** No more reports, ever (the server does not take them); what waits is dropped. */
    stop(): void;
}
export type FreshnessReport = {
    lagMs: number[];
    degradedMs: number[];
};
/**
 * How a report went: sent (or failed for now), or never to be sent again.
 */
export type ReportOutcome = "sent" | "failed" | "unsupported";
export type FreshnessOptions = {
    /**
     * between two reports (60 s)
     */
    intervalMs?: number | undefined;
    /**
     * share of applied events whose lag is
     * kept, 0 to 1 (0.1)
     */
    lagSampleRate?: number | undefined;
    /**
     * (Math.random)
     */
    random?: (() => number) | undefined;
};
