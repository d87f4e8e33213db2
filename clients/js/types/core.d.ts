// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./client.js').ClientOptions} ClientOptions */
/** @typedef {import('./client.js').Telemetry} Telemetry */
/** @typedef {import('./client.js').Watch} Watch */
/** @typedef {import('./identity.js').Identity} Identity */
export class ClientCore {
    /** @param {ClientOptions} options */
    constructor(options: ClientOptions);
    baseUrl: string;
    options: import("./client.js").ClientOptions;
    /** @type {FreshnessReporter | null} this client's freshness, reported (freshness.js) */
    freshness: FreshnessReporter | null;
    /** @type {Telemetry} the app's hooks, with the freshness report's */
    telemetry: Telemetry;
    reloadStore: ReloadStore;
    /** @type {Map<string, Topic>} */
    topics: Map<string, Topic>;
    tokens: Tokens;
    link: Link;
    mutations: MutationRequests;
    chat: ChatSender;
    feedCompletion: FeedCompletion;
    shareTabs: boolean;
    /** @type {TabSharing | null} this identity's tabs, once known */
    tabs: TabSharing | null;
    /** Learning whose tab this is, before connecting. */
    starting: boolean;
    /**
     * @param {string} name
     * @param {() => void} listener
     * @returns {Watch}
     */
    watch(name: string, listener: () => void): Watch;
    connect(): void;
    /** Learns whose tab this is, then joins that identity's tabs or connects. */
    start(): Promise<void>;
    /**
     * From now on this tab is `identity`: its stored views, its tab group.
     * @param {Identity} identity
     */
    adopt(identity: Identity): void;
    /** @returns {import('./tab-sharing.js').TabHost} */
    tabHost(): import("./tab-sharing.js").TabHost;
    /** The app's user signed in or out, or as somebody else (client.js). */
    reauthenticate(): void;
    /**
     * A token of another identity came: leave the old identity's tabs at
     * once, forget what it saw, and connect as the new one.
     * @param {Identity} identity
     */
    switchIdentity(identity: Identity): void;
    /** True in a tab that shares another tab's connection. */
    isFollower(): boolean;
    becameLeader(): void;
    /** Closes for good: no reconnect. */
    close(reason?: string): void;
    /** @param {string} name */
    newTopic(name: string): Topic;
    /** @param {Topic} topic */
    subscribeOnWire(topic: Topic): void;
    /** @param {Topic} topic */
    drop(topic: Topic): void;
    /**
     * A gap: ask for the topic again from the last applied position.
     * @param {Topic} topic
     */
    resync(topic: Topic): void;
    /**
     * A mutation's way over a live connection: this tab's two-way transport,
     * or the leader tab's WebSocket.
     * @param {object} frame
     * @returns {boolean} false when there is neither (REST then)
     */
    deliverMutation(frame: object): boolean;
    /** The server says the token lapses soon: a fresh one, in band. */
    refreshInBand(): Promise<void>;
}
export type ClientOptions = import("./client.js").ClientOptions;
export type Telemetry = import("./client.js").Telemetry;
export type Watch = import("./client.js").Watch;
export type Identity = import("./identity.js").Identity;
import { FreshnessReporter } from './freshness.js';
import { ReloadStore } from './reload-store.js';
import { Topic } from './topic.js';
import { Tokens } from './tokens.js';
import { Link } from './link.js';
import { MutationRequests } from './mutation-requests.js';
import { ChatSender } from './chat.js';
import { FeedCompletion } from './feed.js';
import { TabSharing } from './tab-sharing.js';
