// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
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
export function canShareTabs(): boolean;
export class TabCoordinator {
    /**
     * @param {string} name one name per server and identity: the lock's and the channel's
     * @param {TabHandlers} handlers
     */
    constructor(name: string, handlers: TabHandlers);
    name: string;
    handlers: TabHandlers;
    tab: string;
    leader: boolean;
    started: boolean;
    /** @type {BroadcastChannel | null} */
    channel: BroadcastChannel | null;
    /** @type {(() => void) | null} */
    release: (() => void) | null;
    onPageHide: () => void;
    /** Joins the tabs; becomes leader now or when the leader leaves. */
    start(): void;
    /** @param {TabMessage} message */
    post(message: TabMessage): void;
    stop(): void;
}
/**
 * Messages between tabs.
 */
export type TabMessage = {
    kind: "leader";
    tab: string;
} | {
    kind: "state";
    tab: string;
    state: any;
} | {
    kind: "frame";
    tab: string;
    frame: any;
} | {
    kind: "watch";
    tab: string;
    topic: string;
} | {
    kind: "unwatch";
    tab: string;
    topic: string;
} | {
    kind: "view";
    tab: string;
    to: string;
    topic: string;
    position: any;
    order: any;
    feed: any;
    messages: any;
    status: string;
} | {
    kind: "mutate";
    tab: string;
    frame: any;
} | {
    kind: "bye";
    tab: string;
};
export type TabHandlers = {
    /**
     * this tab now holds the connection
     */
    onLeader: () => void;
    /**
     * a message from another tab
     */
    onMessage: (message: TabMessage) => void;
};
