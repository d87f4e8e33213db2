// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * The tab group of one identity on one server: the name of its lock and
 * its channel. Tabs of other people, or of another issuer's token for the
 * same subject, are in other groups and never share a frame.
 * @param {string} baseUrl
 * @param {string} identityKey identity.js's key
 */
export function tabGroupName(baseUrl: string, identityKey: string): string;
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
    constructor(name: string, host: TabHost);
    host: TabHost;
    coordinator: TabCoordinator;
    /** @type {Map<string, Set<string>>} topics other tabs watch through this one */
    remote: Map<string, Set<string>>;
    get leader(): boolean;
    /** This tab's id among the tabs. */
    get tab(): string;
    start(): void;
    stop(): void;
    /**
     * True while another tab watches the topic through this one.
     * @param {string} name
     */
    watchedElsewhere(name: string): boolean;
    /** @param {ConnectionState} state */
    shareState(state: ConnectionState): void;
    /**
     * A frame for the tabs that watch what it is about (every frame of a
     * busy feed, cloned for tabs that do not want it, costs the leader's main
     * thread).
     * @param {any} frame
     */
    shareFrame(frame: any): void;
    /**
     * Whether another tab watches the topic of `frame`; a frame of no topic
     * (an ack of a forwarded mutation) goes wherever there is another tab.
     * @param {any} frame
     */
    wantedElsewhere(frame: any): boolean;
    /** @param {string} topic */
    announceWatch(topic: string): void;
    /** @param {string} topic */
    announceUnwatch(topic: string): void;
    /**
     * A follower's mutation, for the leader's WebSocket.
     * @param {object} frame
     */
    forwardMutation(frame: object): void;
    /** @param {TabMessage} message */
    onMessage(message: TabMessage): void;
    /** The leader's side: other tabs' watches and mutations. */
    /** @param {TabMessage} message */
    onFollowerMessage(message: TabMessage): void;
}
export type TabMessage = import("./tabs.js").TabMessage;
export type Topic = import("./topic.js").Topic;
export type ConnectionState = import("./state.js").ConnectionState;
/**
 * What tab sharing needs of the client.
 */
export type TabHost = {
    /**
     * the topics this tab watches
     */
    topics: Map<string, Topic>;
    getState: () => ConnectionState;
    /**
     * in a follower: the leader's state
     */
    setState: (state: ConnectionState) => void;
    /**
     * in a follower: a frame the leader received
     */
    onFrame: (frame: any) => void;
    /**
     * starts a topic another tab asked for
     */
    watchForTab: (name: string) => void;
    drop: (topic: Topic) => void;
    /**
     * sends over a live two-way
     * transport; false when there is none
     */
    sendLive: (frame: object) => boolean;
    /**
     * this tab now holds the connection
     */
    onLeader: () => void;
};
import { TabCoordinator } from './tabs.js';
