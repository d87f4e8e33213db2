// @ts-check
/**
 * The client's link to the server: one live transport at a time, the
 * connection state machine (state.js) and its listeners, reconnects with
 * the outage's backoff (reconnect.js), falling back and probing back up
 * (transport-chain.js), heartbeats, and the browser going offline or
 * coming back. It knows nothing of topics beyond handing their positions
 * to a one-way transport; frames go to the host (core.js).
 */

import { CloseCode } from './codes.js';
import { Heartbeat } from './heartbeat.js';
import { Outage, isAuthRefusal } from './reconnect.js';
import { streamSession } from './resume.js';
import { initialState, transition } from './state.js';
import { TransportChain } from './transport-chain.js';

/** @typedef {import('./state.js').ConnectionState} ConnectionState */
/** @typedef {import('./topic.js').Topic} Topic */
/** @typedef {import('./tokens.js').Tokens} Tokens */
/** @typedef {import('./transports/types.js').CloseInfo} CloseInfo */
/** @typedef {import('./transports/types.js').TransportSession} TransportSession */
/** @typedef {import('./client.js').ClientOptions} ClientOptions */
/** @typedef {import('./client.js').Telemetry} Telemetry */

/**
 * What the link needs of the client around it.
 * @typedef {object} LinkHost
 * @property {Map<string, Topic>} topics the watched topics (what a one-way
 *   transport carries)
 * @property {(frame: any) => void} received a frame from the live transport
 * @property {(transport: any) => void} resubscribe live again on a two-way
 *   transport: subscribe every topic, resend pending mutations
 * @property {(state: ConnectionState) => void} stateChanged
 * @property {() => boolean} isFollower this tab uses another tab's connection
 * @property {(reason: string) => void} close the client closes for good
 */

/** The reason of a state while the browser says the network is gone. */
const OFFLINE = 'offline';

/** True when the browser says there is no network. */
function browserOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

export class Link {
  /**
   * @param {ClientOptions & { baseUrl: string }} options
   * @param {Tokens} tokens
   * @param {LinkHost} host
   */
  constructor(options, tokens, host) {
    this.options = options;
    this.tokens = tokens;
    this.host = host;
    this.chain = new TransportChain(options);
    /** @type {Telemetry} */
    this.telemetry = options.telemetry ?? {};
    /** @type {ConnectionState} */
    this.state = initialState();
    /** @type {Set<() => void>} */
    this.stateListeners = new Set();
    /** A token fetch for the connection failed (not the transport). */
    this.tokenFailed = false;
    this.outage = new Outage();
    /** The browser was online when this attempt began. */
    this.openedOnline = true;
    /** @type {any} */
    this.transport = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    this.reopenQueued = false;
    this.degradedSince = 0;
    this.heartbeat = new Heartbeat(options.heartbeatMs ?? 25000, {
      ping: () => this.transport?.send({ type: 'ping' }),
      dead: () => this.lost({ code: CloseCode.HeartbeatTimeout, reason: 'heartbeat timeout', opened: true }),
    });
    this.onWake = () => this.checkLiveness();
    this.onOffline = () => this.wentOffline();
    if (typeof addEventListener === 'function') {
      addEventListener('online', this.onWake);
      addEventListener('offline', this.onOffline);
      addEventListener('visibilitychange', this.onWake);
    }
  }

  /**
   * @param {() => void} listener
   * @returns {() => void} unsubscribe
   */
  onStateChange(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** @param {ConnectionState} next */
  setState(next) {
    if (next === this.state) return;
    this.state = next;
    this.host.stateChanged(next);
    for (const listener of [...this.stateListeners]) listener();
  }

  isLive() {
    return this.state.status === 'live' || this.state.status === 'degraded';
  }

  /**
   * Sends a frame over a live two-way transport.
   * @param {object} frame
   * @returns {boolean} false when there is none
   */
  sendLive(frame) {
    if (!this.transport?.bidirectional || !this.isLive()) return false;
    // False while the socket is closing: the caller goes over REST instead.
    return this.transport.send(frame);
  }

  open() {
    this.clearTimers();
    const name = this.chain.current;
    this.setState(transition(this.state, { type: 'connect', transport: name, attempt: this.outage.attempt }));
    const transport = this.chain.make(name);
    this.transport = transport;
    this.openedOnline = !browserOffline();
    transport.open(this.handlersFor(transport), this.session());
  }

  /** What a one-way transport carries: the wanted topics and positions. */
  /** @returns {TransportSession} */
  session() {
    return streamSession(this.host.topics, () => this.token());
  }

  /**
   * The token for the connection (fresh after a refusal). A provider that
   * fails is not a transport that fails: the client then retries, and does
   * not fall back.
   * @returns {Promise<string | null>}
   */
  async token() {
    try {
      return await this.tokens.forConnection();
    } catch (error) {
      this.tokenFailed = true;
      throw error;
    }
  }

  /** @param {any} transport */
  handlersFor(transport) {
    const current = () => this.transport === transport;
    return {
      onOpen: () => current() && void this.opened(transport),
      onFrame: (/** @type {any} */ frame) => current() && this.host.received(frame),
      onActivity: () => current() && this.heartbeat.heard(),
      onInvalid: (/** @type {string} */ why) =>
        current() && this.telemetry.onValidationFailure?.({ topic: '', reason: why }),
      onClose: (/** @type {CloseInfo} */ info) => current() && this.lost(info),
    };
  }

  /** @param {any} transport */
  async opened(transport) {
    this.setState(transition(this.state, { type: 'opened' }));
    this.heartbeat.start(transport.bidirectional);
    if (transport.bidirectional) {
      let token;
      try {
        token = await this.token();
      } catch (error) {
        if (this.transport === transport) this.lost({ code: 0, reason: `no token: ${error}`, opened: true });
        return;
      }
      if (this.transport !== transport || this.state.status === 'closed') return;
      if (token) {
        transport.send({ type: 'auth', token });
        return; // live once `authenticated` comes
      }
    }
    this.becameLive();
  }

  becameLive() {
    const now = Date.now();
    this.outage.live(now);
    this.tokens.accepted();
    this.setState(transition(this.state, { type: 'authenticated', now }));
    if (this.chain.onFallback) {
      const reason = this.chain.fallbackReason();
      this.setState(transition(this.state, { type: 'degrade', reason, now }));
      this.degradedSince = now;
      this.chain.scheduleProbe(() => void this.probe());
    }
    if (this.transport?.bidirectional) this.host.resubscribe(this.transport);
  }

  /** @param {CloseInfo} info */
  lost(info) {
    const transport = this.transport;
    this.transport = null;
    transport?.close();
    this.heartbeat.stop();
    this.outage.lost(Date.now());
    if (this.state.status === 'closed') return;
    const code = info.code;
    const tokenFailed = this.tokenFailed;
    this.tokenFailed = false;
    if (isAuthRefusal(code)) {
      this.tokenRefused(info);
      return;
    }
    // A transport that never opened, on a server that answers, is blocked
    // on the way: fall back at once. A server that does not answer is
    // down: keep the transport and retry with backoff. One that failed
    // while the browser was offline says nothing of the way.
    const online = this.openedOnline && !browserOffline();
    if (!info.opened && !tokenFailed && online && this.chain.canFallBack()) {
      void this.chain.serverAnswers().then((answers) => {
        if (this.state.status === 'closed' || this.transport) return;
        if (answers) {
          this.telemetry.onTransportChange?.({ from: this.chain.current, to: this.chain.next });
          this.chain.fallBack();
          this.open();
        } else {
          this.retryLater({ ...info, opened: true, reason: info.reason || 'the server does not answer' });
        }
      });
      return;
    }
    this.retryLater(info);
  }

  /**
   * The server refused the token (a close code, a refused stream, an
   * `error` frame): reconnect at once with a fresh one, or, when that one
   * was refused too or there is none, the session is over.
   * @param {CloseInfo} info
   */
  tokenRefused(info) {
    if (!this.tokens.refused()) {
      this.host.close('session_expired');
      return;
    }
    // Retried at once, as a cut slow consumer is: the fresh token is ready.
    this.retryLater({ ...info, code: CloseCode.SlowConsumer, reason: info.reason || `token refused (${info.code})` });
  }

  /** @param {CloseInfo} info */
  retryLater(info) {
    const code = info.code;
    const plan = this.outage.next(code, Date.now(), this.options.backoff);
    if (plan.stop) {
      this.host.close('forbidden');
      return;
    }
    const delayMs = plan.delayMs;
    const attempt = this.outage.attempt;
    const reason = browserOffline() ? OFFLINE : info.reason || `closed (${code})`;
    this.telemetry.onReconnectAttempt?.({ attempt, delayMs, reason });
    this.endDegraded();
    this.setState(
      transition(this.state, { type: 'lost', reason, attempt, retryAt: Date.now() + delayMs }),
    );
    this.clearTimers();
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  /**
   * The browser says the network is gone: nothing can arrive now, whatever
   * the socket says (it may not notice for minutes), so the link is given
   * up at once and the state says `reconnecting {reason: 'offline'}`.
   * Retries go on (a server on this machine may still answer); back
   * online, one starts at once and resubscribes from where each topic is.
   */
  wentOffline() {
    if (this.host.isFollower() || !this.transport) return;
    this.lost({ code: 0, reason: OFFLINE, opened: true });
  }

  /** Back in the foreground or online: check the link at once. */
  checkLiveness() {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    if (this.state.status === 'reconnecting') {
      this.open();
    } else if (this.transport?.bidirectional) {
      this.heartbeat.probe();
    } else if (this.transport) {
      // A one-way stream may have died silently while the tab slept.
      this.reopen();
    }
  }

  /** On a fallback: does the best transport work again? */
  async probe() {
    if (!this.chain.onFallback || !this.transport) return;
    const works = await this.chain.bestOpens(this.session());
    if (works && this.transport) {
      this.telemetry.onTransportChange?.({ from: this.chain.current, to: this.chain.best });
      this.transport.close();
      this.transport = null;
      this.heartbeat.stop();
      this.endDegraded();
      this.chain.backToBest();
      // Through `reconnecting` for a moment: the state machine only
      // connects from there, and the switch is a reconnect.
      const reason = `moving to ${this.chain.best}`;
      this.setState(transition(this.state, { type: 'lost', reason, attempt: 0, retryAt: Date.now() }));
      this.open();
    } else {
      this.chain.scheduleProbe(() => void this.probe());
    }
  }

  /** One-way transports carry a fixed topic set: reopen on a change (batched). */
  reopen() {
    if (this.reopenQueued) return;
    this.reopenQueued = true;
    queueMicrotask(() => {
      this.reopenQueued = false;
      if (!this.transport || this.transport.bidirectional || this.state.status === 'closed') return;
      this.transport.close();
      this.transport = null;
      this.open();
    });
  }

  endDegraded() {
    if (this.degradedSince && this.state.status === 'degraded') {
      this.telemetry.onDegraded?.({ reason: this.state.reason, durationMs: Date.now() - this.degradedSince });
    }
    this.degradedSince = 0;
  }

  clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.chain.cancelProbe();
  }

  /**
   * Lets the transport go, with no retry pending (a close, a change of
   * identity); the state is the caller's to set.
   * @param {string} [why] the close reason the server is told
   */
  release(why) {
    this.clearTimers();
    this.heartbeat.stop();
    const transport = this.transport;
    this.transport = null;
    transport?.close(CloseCode.Normal, why);
  }

  /**
   * Closes for good: no reconnect, no more listening to the browser.
   * @param {string} reason the `closed` state's reason
   */
  close(reason) {
    this.release('normal');
    this.setState(transition(this.state, { type: 'close', reason }));
    if (typeof removeEventListener === 'function') {
      removeEventListener('online', this.onWake);
      removeEventListener('offline', this.onOffline);
      removeEventListener('visibilitychange', this.onWake);
    }
  }
}
