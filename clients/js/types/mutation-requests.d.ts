// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./topic.js').Topic} Topic */
/** @typedef {{state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string}} MutationResult */
/**
 * What mutations need of the client.
 * @typedef {object} MutationLink
 * @property {string} baseUrl
 * @property {typeof globalThis.fetch} [fetch]
 * @property {() => Promise<string | null>} token
 * @property {(frame: object) => boolean} deliver sends over a live
 *   connection; false when there is none (REST then)
 * @property {(name: string) => Topic | undefined} topic a watched topic
 */
export class MutationRequests {
    /**
     * @param {MutationLink} link
     * @param {number} timeoutMs
     */
    constructor(link: MutationLink, timeoutMs: number);
    link: MutationLink;
    timeoutMs: number;
    ledger: MutationLedger;
    /** @type {Map<string, {resolve: (outcome: any) => void, frame: object}>} */
    inflight: Map<string, {
        resolve: (outcome: any) => void;
        frame: object;
    }>;
    /**
     * @param {string} orderId
     * @param {string} action
     * @param {Record<string, unknown>} args
     * @returns {Promise<MutationResult>}
     */
    send(orderId: string, action: string, args: Record<string, unknown>): Promise<MutationResult>;
    /**
     * @param {string} orderId
     * @param {string} action
     * @param {Record<string, unknown>} args
     * @param {string} clientMutationId
     */
    sendOverRest(orderId: string, action: string, args: Record<string, unknown>, clientMutationId: string): Promise<void>;
    /**
     * Sends every unanswered mutation again, on a new connection (same ids:
     * the server applies each once).
     * @param {(frame: object) => void} send
     */
    resend(send: (frame: object) => void): void;
    /**
     * Rolls back every unanswered mutation (the person who made them signed
     * out): none is sent again.
     * @param {string} code
     * @param {string} reason
     */
    abandon(code: string, reason: string): void;
    /**
     * @param {string} clientMutationId
     * @param {MutationResult} outcome
     */
    settle(clientMutationId: string, outcome: MutationResult): void;
}
export type Topic = import("./topic.js").Topic;
export type MutationResult = {
    state: "confirmed" | "rolled_back";
    seq?: number;
    code?: string;
    reason?: string;
};
/**
 * What mutations need of the client.
 */
export type MutationLink = {
    baseUrl: string;
    fetch?: typeof fetch | undefined;
    token: () => Promise<string | null>;
    /**
     * sends over a live
     * connection; false when there is none (REST then)
     */
    deliver: (frame: object) => boolean;
    /**
     * a watched topic
     */
    topic: (name: string) => Topic | undefined;
};
import { MutationLedger } from './mutations.js';
