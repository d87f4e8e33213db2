// @ts-check
/**
 * What a client says to the same person's other tabs of the app; tabs.js
 * holds the lock and the channel. The leader shares its state and frames and serves the
 * followers' watches and mutations; a follower mirrors the leader's state,
 * applies its frames through its own topics, and takes a topic's current
 * view from the leader at once.
 */

import { inFeed } from './feed.js';
import { TabCoordinator } from './tabs.js';

/**
 * The tab group of one identity on one server: the name of its lock and
 * its channel. Tabs of other people, or of another issuer's token for the
 * same subject, are in other groups and never share a frame.
 * @param {string} baseUrl
 * @param {string} identityKey identity.js's key
 */
export function tabGroupName(baseUrl, identityKey) {
  return `trackwire:${baseUrl}:${identityKey}`;
}

/** @typedef {import('./tabs.js').TabMessage} TabMessage */
/** @typedef {import('./topic.js').Topic} Topic */
/** @typedef {import('./state.js').ConnectionState} ConnectionState */

/**
 * What tab sharing needs of the client.
 * @typedef {object} TabHost
 * @property {Map<string, Topic>} topics the topics this tab watches
 * @property {() => ConnectionState} getState
 * @property {(state: ConnectionState) => void} setState in a follower: the leader's state
 * @property {(frame: any) => void} onFrame in a follower: a frame the leader received
 * @property {(name: string) => void} watchForTab starts a topic another tab asked for
 * @property {(topic: Topic) => void} drop
 * @property {(frame: object) => boolean} sendLive sends over a live two-way
 *   transport; false when there is none
 * @property {() => void} onLeader this tab now holds the connection
 */

export class TabSharing {
  /**
   * @param {string} name one name per server and identity (tabGroupName)
   * @param {TabHost} host
   */
  constructor(name, host) {
    this.host = host;
    this.coordinator = new TabCoordinator(name, {
      onLeader: () => host.onLeader(),
      onMessage: (message) => this.onMessage(message),
    });
    /** @type {Map<string, Set<string>>} topics other tabs watch through this one */
    this.remote = new Map();
  }

  get leader() {
    return this.coordinator.leader;
  }

  /** This tab's id among the tabs. */
  get tab() {
    return this.coordinator.tab;
  }

  start() {
    this.coordinator.start();
  }

  stop() {
    this.coordinator.stop();
  }

  /**
   * True while another tab watches the topic through this one.
   * @param {string} name
   */
  watchedElsewhere(name) {
    return Boolean(this.remote.get(name)?.size);
  }

  /** @param {ConnectionState} state */
  shareState(state) {
    this.coordinator.post({ kind: 'state', tab: this.tab, state });
  }

  /**
   * A frame for the tabs that watch what it is about (every frame of a
   * busy feed, cloned for tabs that do not want it, costs the leader's main
   * thread).
   * @param {any} frame
   */
  shareFrame(frame) {
    if (this.wantedElsewhere(frame)) this.coordinator.post({ kind: 'frame', tab: this.tab, frame });
  }

  /**
   * Whether another tab watches the topic of `frame`; a frame of no topic
   * (an ack of a forwarded mutation) goes wherever there is another tab.
   * @param {any} frame
   */
  wantedElsewhere(frame) {
    const event = frame?.type === 'event' ? frame.event : null;
    const topic = event?.topic ?? frame?.topic ?? frame?.ref;
    if (typeof topic !== 'string') return this.remote.size > 0;
    return this.watchedElsewhere(topic) || Boolean(event && inFeed(event) && this.watchedElsewhere('orders'));
  }

  /** @param {string} topic */
  announceWatch(topic) {
    this.coordinator.post({ kind: 'watch', tab: this.tab, topic });
  }

  /** @param {string} topic */
  announceUnwatch(topic) {
    this.coordinator.post({ kind: 'unwatch', tab: this.tab, topic });
  }

  /**
   * A follower's mutation, for the leader's WebSocket.
   * @param {object} frame
   */
  forwardMutation(frame) {
    this.coordinator.post({ kind: 'mutate', tab: this.tab, frame });
  }

  /** @param {TabMessage} message */
  onMessage(message) {
    const host = this.host;
    if (this.leader) {
      this.onFollowerMessage(message);
      return;
    }
    switch (message.kind) {
      case 'state':
        host.setState(message.state);
        break;
      case 'frame':
        host.onFrame(message.frame);
        break;
      case 'view': {
        const topic = host.topics.get(message.topic);
        if (message.to === this.tab && topic && message.position && !topic.positioned) {
          topic.restore(message.position, message.order, message.feed, message.messages);
          if (message.status === 'live' || message.status === 'final') topic.status = message.status;
          topic.changed();
        }
        break;
      }
      case 'leader':
        // A new leader: tell it what this tab watches.
        for (const name of host.topics.keys()) this.announceWatch(name);
        break;
      default:
        break;
    }
  }

  /** The leader's side: other tabs' watches and mutations. */
  /** @param {TabMessage} message */
  onFollowerMessage(message) {
    const host = this.host;
    switch (message.kind) {
      case 'watch': {
        const watchers = this.remote.get(message.topic) ?? new Set();
        watchers.add(message.tab);
        this.remote.set(message.topic, watchers);
        this.shareState(host.getState());
        const topic = host.topics.get(message.topic);
        if (!topic) {
          host.watchForTab(message.topic);
        } else if (topic.positioned) {
          this.coordinator.post({
            kind: 'view',
            tab: this.tab,
            to: message.tab,
            topic: topic.name,
            position: topic.position(),
            order: topic.order,
            feed: topic.feed,
            messages: topic.messages,
            status: topic.status,
          });
        }
        break;
      }
      case 'unwatch':
      case 'bye': {
        const names = message.kind === 'unwatch' ? [message.topic] : [...this.remote.keys()];
        for (const name of names) {
          const watchers = this.remote.get(name);
          watchers?.delete(message.tab);
          if (watchers && watchers.size === 0) this.remote.delete(name);
          const topic = host.topics.get(name);
          if (topic && topic.watchers.size === 0 && !this.remote.has(name)) host.drop(topic);
        }
        break;
      }
      case 'mutate':
        host.sendLive(message.frame);
        break;
      default:
        break;
    }
  }
}

