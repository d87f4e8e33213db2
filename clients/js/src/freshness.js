// @ts-check
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
export const MAX_SAMPLES = 100;
/** Largest sample the server takes: a day (a clock far off, not a lag). */
export const MAX_SAMPLE_MS = 86_400_000;

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
  constructor(send, options = {}) {
    this.send = send;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.lagSampleRate = options.lagSampleRate ?? 0.1;
    this.random = options.random ?? Math.random;
    /** @type {number[]} */
    this.lagMs = [];
    /** @type {number[]} */
    this.degradedMs = [];
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.stopped = false;
  }

  /** @param {number} ms an event's lag, from `occurredAt` to applied */
  lag(ms) {
    if (this.stopped || this.lagMs.length >= MAX_SAMPLES || this.random() >= this.lagSampleRate) return;
    this.lagMs.push(clamp(ms));
  }

  /** @param {number} ms how long a degraded spell lasted */
  degraded(ms) {
    if (this.stopped || this.degradedMs.length >= MAX_SAMPLES) return;
    this.degradedMs.push(clamp(ms));
  }

  /**
   * What waits to be reported, taken (null when nothing does).
   * @returns {FreshnessReport | null}
   */
  take() {
    if (this.lagMs.length === 0 && this.degradedMs.length === 0) return null;
    const report = { lagMs: this.lagMs, degradedMs: this.degradedMs };
    this.lagMs = [];
    this.degradedMs = [];
    return report;
  }

  /** Sends what waits, if anything. */
  async flush() {
    const report = this.stopped ? null : this.take();
    if (!report) return;
    if ((await this.send(report)) === 'unsupported') this.stop();
  }

  /** Reports every `intervalMs` from now on. */
  start() {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    // Node: a report due never keeps the process alive.
    const timer = /** @type {{ unref?: () => void }} */ (/** @type {unknown} */ (this.timer));
    if (typeof timer.unref === 'function') timer.unref();
  }

  /** No reports until the next `start` (the client closed). */
  pause() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** No more reports, ever (the server does not take them); what waits is dropped. */
  stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.lagMs = [];
    this.degradedMs = [];
  }
}

/** @param {number} ms */
function clamp(ms) {
  if (!Number.isFinite(ms)) return 0;
  return Math.round(Math.min(MAX_SAMPLE_MS, Math.max(0, ms)));
}

/**
 * Sends reports with `fetch` to `${baseUrl}/v1/telemetry`, with the bearer
 * token when there is one.
 * @param {{ baseUrl: string, fetch: typeof globalThis.fetch, token: () => Promise<string | null> }} api
 * @returns {(report: FreshnessReport) => Promise<ReportOutcome>}
 */
export function telemetrySender(api) {
  return async (report) => {
    try {
      const token = await api.token();
      /** @type {Record<string, string>} */
      const headers = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await api.fetch(`${api.baseUrl}/v1/telemetry`, {
        method: 'POST',
        headers,
        body: JSON.stringify(report),
        keepalive: true,
      });
      if ([400, 404, 405, 413, 422].includes(response.status)) return 'unsupported';
      return response.ok ? 'sent' : 'failed';
    } catch {
      return 'failed';
    }
  };
}
