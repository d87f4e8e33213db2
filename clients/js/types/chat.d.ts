// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * Clears typing states whose stop was lost, when they are due.
 * @param {Topic} topic
 */
export function scheduleTypingExpiry(topic: Topic): void;
/** @typedef {import('./topic.js').Topic} Topic */
/**
 * What the chat needs of the client.
 * @typedef {object} ChatLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 * @property {(frame: object) => boolean} sendLive sends over a live two-way
 *   transport; false when there is none
 */
export class ChatSender {
    /** @param {ChatLink} link */
    constructor(link: ChatLink);
    link: ChatLink;
    /** @type {Map<string, {sentAt: number, stop: ReturnType<typeof setTimeout> | null}>} */
    typists: Map<string, {
        sentAt: number;
        stop: ReturnType<typeof setTimeout> | null;
    }>;
    /**
     * Posts a message, retried with the same id; resolves once the server
     * stored it.
     * @param {string} orderId
     * @param {string} text
     * @returns {Promise<{clientMessageId: string}>}
     */
    sendMessage(orderId: string, text: string): Promise<{
        clientMessageId: string;
    }>;
    /** @param {string} orderId */
    typing(orderId: string): void;
    /** @param {string} orderId */
    stopTyping(orderId: string): void;
    /** @param {string} orderId @param {boolean} active */
    sendTyping(orderId: string, active: boolean): void;
    /**
     * @param {string} orderId
     * @param {number} seq
     */
    markRead(orderId: string, seq: number): void;
    /**
     * POSTs a signal that is not worth a retry: a lost one is superseded by
     * the next (typing) or repeated on the next read (receipts).
     * @param {string} orderId @param {string} path @param {object} body
     */
    postQuietly(orderId: string, path: string, body: object): void;
}
export type Topic = import("./topic.js").Topic;
/**
 * What the chat needs of the client.
 */
export type ChatLink = {
    baseUrl: string;
    fetch?: typeof fetch | undefined;
    token: () => Promise<string | null>;
    /**
     * sends over a live two-way
     * transport; false when there is none
     */
    sendLive: (frame: object) => boolean;
};
