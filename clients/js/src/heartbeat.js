// @ts-check
/**
 * A dead link is one that says nothing: the server pings (or, for
 * streams, sends heartbeat comments) every interval, so two intervals of
 * silence mean the link is gone, even when the operating system has not
 * noticed. On a two-way transport the client also pings every interval.
 */

export class Heartbeat {
  /**
   * @param {number} intervalMs the server's heartbeat interval
   * @param {{ ping: () => void, dead: () => void }} actions
   */
  constructor(intervalMs, actions) {
    this.intervalMs = intervalMs;
    this.actions = actions;
    this.lastHeard = 0;
    this.lastPing = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.probeTimer = null;
    this.pings = false;
  }

  /** @param {boolean} pings whether this transport carries client pings */
  start(pings) {
    this.stop();
    this.pings = pings;
    this.lastHeard = Date.now();
    this.lastPing = Date.now();
    this.timer = setInterval(() => this.check(), Math.max(50, this.intervalMs / 2));
  }

  heard() {
    this.lastHeard = Date.now();
    if (this.probeTimer) {
      clearTimeout(this.probeTimer);
      this.probeTimer = null;
    }
  }

  check() {
    const now = Date.now();
    if (now - this.lastHeard >= 2 * this.intervalMs) {
      this.stop();
      this.actions.dead();
      return;
    }
    if (this.pings && now - this.lastPing >= this.intervalMs) {
      this.lastPing = now;
      this.actions.ping();
    }
  }

  /**
   * Back from sleep or offline: ping now and give the link a few seconds
   * to answer, instead of waiting two intervals.
   */
  probe() {
    if (!this.timer || !this.pings || this.probeTimer) return;
    this.lastPing = Date.now();
    this.actions.ping();
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.stop();
      this.actions.dead();
    }, Math.min(this.intervalMs, 3000));
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.timer = null;
    this.probeTimer = null;
  }
}
