// @ts-check
/**
 * Several tabs, one connection. The tab that holds a Web Lock is the
 * leader: it alone connects, and shares every server frame and state
 * change with the other tabs over a BroadcastChannel. The lock and the
 * channel are named per server and per identity (tab-sharing.js), so only
 * tabs of one person ever meet; each message also carries the group's
 * name, and a message of another group is dropped. Followers ask the
 * leader to watch their topics, get the leader's current view of a topic
 * at once, and apply the shared frames through their own pipelines. When
 * the leader's tab closes, the browser releases its lock, the next tab
 * takes it, connects, and the followers announce their topics again.
 */

/**
 * Messages between tabs.
 * @typedef {{kind: 'leader', tab: string}
 *   | {kind: 'state', tab: string, state: any}
 *   | {kind: 'frame', tab: string, frame: any}
 *   | {kind: 'watch', tab: string, topic: string}
 *   | {kind: 'unwatch', tab: string, topic: string}
 *   | {kind: 'view', tab: string, to: string, topic: string, position: any, order: any, feed: any, messages: any, status: string}
 *   | {kind: 'mutate', tab: string, frame: any}
 *   | {kind: 'bye', tab: string}} TabMessage
 */

/**
 * @typedef {object} TabHandlers
 * @property {() => void} onLeader this tab now holds the connection
 * @property {(message: TabMessage) => void} onMessage a message from another tab
 */

/** True where tabs can share a connection (Web Locks and BroadcastChannel). */
export function canShareTabs() {
  return (
    typeof navigator !== 'undefined' &&
    typeof navigator.locks?.request === 'function' &&
    typeof BroadcastChannel === 'function'
  );
}

export class TabCoordinator {
  /**
   * @param {string} name one name per server and identity: the lock's and the channel's
   * @param {TabHandlers} handlers
   */
  constructor(name, handlers) {
    this.name = name;
    this.handlers = handlers;
    this.tab = Math.random().toString(36).slice(2, 10);
    this.leader = false;
    this.started = false;
    /** @type {BroadcastChannel | null} */
    this.channel = null;
    /** @type {(() => void) | null} */
    this.release = null;
    this.onPageHide = () => this.post({ kind: 'bye', tab: this.tab });
  }

  /** Joins the tabs; becomes leader now or when the leader leaves. */
  start() {
    if (this.started) return;
    this.started = true;
    this.channel = new BroadcastChannel(this.name);
    this.channel.onmessage = (event) => {
      const data = event.data;
      if (!data || data.group !== this.name || data.message?.tab === this.tab) return;
      this.handlers.onMessage(/** @type {TabMessage} */ (data.message));
    };
    addEventListener('pagehide', this.onPageHide);
    void navigator.locks.request(this.name, () => {
      if (!this.started) return undefined;
      this.leader = true;
      this.post({ kind: 'leader', tab: this.tab });
      this.handlers.onLeader();
      // Held until this tab goes away (or stop()).
      return new Promise((resolve) => {
        this.release = () => resolve(undefined);
      });
    });
  }

  /** @param {TabMessage} message */
  post(message) {
    try {
      this.channel?.postMessage({ group: this.name, message });
    } catch {
      // A message that cannot be cloned: the other tabs resync on their own.
    }
  }

  stop() {
    if (!this.started) return;
    this.post({ kind: 'bye', tab: this.tab });
    this.started = false;
    this.leader = false;
    removeEventListener('pagehide', this.onPageHide);
    this.release?.();
    this.release = null;
    this.channel?.close();
    this.channel = null;
  }
}
