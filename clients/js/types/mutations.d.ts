// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./order-state.js').OrderView} OrderView */
/**
 * What a mutation shows before the server answers.
 * @typedef {object} PatchFields
 * @property {'cancelled'} [status] cancel
 * @property {string | null} [instructions] change_instructions (null: cleared)
 */
/**
 * @typedef {object} Patch
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action `cancel`, `change_instructions`, or one the server knows
 * @property {PatchFields} fields
 */
/** @typedef {'pending' | 'confirmed' | 'rolled_back'} MutationState */
/**
 * What became of a mutation, for the UI.
 * @typedef {object} MutationOutcome
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action
 * @property {MutationState} state
 * @property {string} [reason] rolled back: the server's code, or `timeout`
 * @property {string} [message] rolled back: the server's message
 * @property {number} [seq] acked: the seq of the event that stored it
 */
/**
 * The WebSocket frame that sends a mutation (docs/protocol.md).
 * @typedef {object} MutateFrame
 * @property {'mutate'} type
 * @property {string} clientMutationId
 * @property {string} topic `order:{orderId}`
 * @property {string} action
 * @property {Record<string, unknown>} args
 */
/**
 * @typedef {object} PendingFields
 * @property {boolean} [status]
 * @property {boolean} [instructions]
 */
/**
 * A view with the pending mutations shown on it.
 * @typedef {OrderView & { pending?: PendingFields, pendingMutations?: string[] }} OverlaidView
 */
/**
 * @typedef {object} LedgerOptions
 * @property {number} [timeoutMs] how long a mutation waits for its answer (default 10 000)
 * @property {() => string} newId makes a fresh clientMutationId (e.g. `() => crypto.randomUUID()`)
 * @property {number} [keepSettled] how many confirmed or rolled-back outcomes are kept (default 100)
 */
/**
 * @typedef {object} Entry
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action
 * @property {Record<string, unknown>} args
 * @property {Patch} patch
 * @property {'pending' | 'acked' | 'confirmed' | 'rolled_back'} state
 * @property {number} sentAt when it was (last) sent, ms
 * @property {number} [seq]
 * @property {string} [reason]
 * @property {string} [message]
 */
/**
 * The local change an action makes.
 * @param {string} action
 * @param {Record<string, unknown>} args
 * @returns {PatchFields}
 */
export function patchFields(action: string, args: Record<string, unknown>): PatchFields;
export class MutationLedger {
    /**
     * @param {LedgerOptions} options
     */
    constructor({ timeoutMs, newId, keepSettled }: LedgerOptions);
    /** @readonly */
    readonly timeoutMs: number;
    /** @private */
    private newId;
    /** @private */
    private keepSettled;
    /**
     * Every mutation still shown, and the latest settled ones, in begin order.
     * @private @type {Map<string, Entry>}
     */
    private entries;
    /**
     * Starts a mutation: the patch to show, and the frame to send.
     *
     * @param {string} orderId
     * @param {string} action `cancel` or `change_instructions`
     * @param {Record<string, unknown> | undefined} args
     * @param {number} now ms
     * @returns {{ clientMutationId: string, patch: Patch, frame: MutateFrame }}
     */
    begin(orderId: string, action: string, args: Record<string, unknown> | undefined, now: number): {
        clientMutationId: string;
        patch: Patch;
        frame: MutateFrame;
    };
    /**
     * The frame to send again for a mutation still waiting for its answer
     * (after a reconnect), with the same clientMutationId; its timeout starts
     * over. Undefined when it is not waiting.
     *
     * @param {string} clientMutationId
     * @param {number} now ms
     * @returns {MutateFrame | undefined}
     */
    retry(clientMutationId: string, now: number): MutateFrame | undefined;
    /**
     * The clientMutationIds waiting for an answer (to resend after a reconnect).
     * @param {string} [orderId] only this order's
     * @returns {string[]}
     */
    unanswered(orderId?: string): string[];
    /**
     * `view` with every pending mutation of its order shown, each changed
     * field marked in `pending` and the mutations listed in
     * `pendingMutations`; `view` itself when none applies. A patch the order
     * can no longer take (cancel once shipped, anything once final) is not
     * shown. `final` is left as the server says until confirmed.
     *
     * @param {OrderView} view
     * @returns {OverlaidView}
     */
    overlay(view: OrderView): OverlaidView;
    /**
     * The server stored the mutation as event `seq`. It stays shown until
     * `settle` sees a view at or past `seq`.
     *
     * @param {string} clientMutationId
     * @param {number} seq
     * @returns {MutationOutcome | undefined} undefined for an unknown id
     */
    ack(clientMutationId: string, seq: number): MutationOutcome | undefined;
    /**
     * The server refused the mutation: it is rolled back with the reason.
     *
     * @param {string} clientMutationId
     * @param {string} code e.g. `order_final`, `invalid_transition`
     * @param {string} [message]
     * @returns {MutationOutcome | undefined} undefined for an unknown id
     */
    reject(clientMutationId: string, code: string, message?: string): MutationOutcome | undefined;
    /**
     * Confirms the acked mutations of `view`'s order whose event the view
     * reflects (`seq ≤ view.seq`); their patches are no longer shown.
     *
     * @param {{ id: string, seq: number }} view
     * @returns {MutationOutcome[]} the mutations confirmed now
     */
    settle(view: {
        id: string;
        seq: number;
    }): MutationOutcome[];
    /**
     * Rolls back, with reason `timeout`, the mutations that waited for an
     * answer `timeoutMs` or longer. Acked ones never time out: the event is
     * stored and will come (or a snapshot with it).
     *
     * @param {number} now ms
     * @returns {MutationOutcome[]} the mutations rolled back now
     */
    expire(now: number): MutationOutcome[];
    /**
     * When the next mutation would time out (ms), or undefined when none waits:
     * a caller schedules its one timer for then.
     * @returns {number | undefined}
     */
    nextDeadline(): number | undefined;
    /**
     * One mutation's outcome.
     * @param {string} clientMutationId
     * @returns {MutationOutcome | undefined}
     */
    get(clientMutationId: string): MutationOutcome | undefined;
    /**
     * Every known mutation's outcome, oldest first (an acked one not yet
     * applied is still `pending`).
     * @returns {MutationOutcome[]}
     */
    get outcomes(): MutationOutcome[];
    /**
     * Forgets a settled mutation (the UI showed its outcome).
     * @param {string} clientMutationId
     * @returns {boolean} whether it was forgotten
     */
    dismiss(clientMutationId: string): boolean;
    /**
     * Keeps at most `keepSettled` settled outcomes, dropping the oldest.
     * @private
     * @returns {void}
     */
    private trim;
    /**
     * The entries, oldest first, as an array (safe to change the map meanwhile).
     * @private
     * @returns {Entry[]}
     */
    private list;
}
export type OrderView = import("./order-state.js").OrderView;
/**
 * What a mutation shows before the server answers.
 */
export type PatchFields = {
    /**
     * cancel
     */
    status?: "cancelled" | undefined;
    /**
     * change_instructions (null: cleared)
     */
    instructions?: string | null | undefined;
};
export type Patch = {
    clientMutationId: string;
    orderId: string;
    /**
     * `cancel`, `change_instructions`, or one the server knows
     */
    action: string;
    fields: PatchFields;
};
export type MutationState = "pending" | "confirmed" | "rolled_back";
/**
 * What became of a mutation, for the UI.
 */
export type MutationOutcome = {
    clientMutationId: string;
    orderId: string;
    action: string;
    state: MutationState;
    /**
     * rolled back: the server's code, or `timeout`
     */
    reason?: string | undefined;
    /**
     * rolled back: the server's message
     */
    message?: string | undefined;
    /**
     * acked: the seq of the event that stored it
     */
    seq?: number | undefined;
};
/**
 * The WebSocket frame that sends a mutation (docs/protocol.md).
 */
export type MutateFrame = {
    type: "mutate";
    clientMutationId: string;
    /**
     * `order:{orderId}`
     */
    topic: string;
    action: string;
    args: Record<string, unknown>;
};
export type PendingFields = {
    status?: boolean | undefined;
    instructions?: boolean | undefined;
};
/**
 * A view with the pending mutations shown on it.
 */
export type OverlaidView = OrderView & {
    pending?: PendingFields;
    pendingMutations?: string[];
};
export type LedgerOptions = {
    /**
     * how long a mutation waits for its answer (default 10 000)
     */
    timeoutMs?: number | undefined;
    /**
     * makes a fresh clientMutationId (e.g. `() => crypto.randomUUID()`)
     */
    newId: () => string;
    /**
     * how many confirmed or rolled-back outcomes are kept (default 100)
     */
    keepSettled?: number | undefined;
};
export type Entry = {
    clientMutationId: string;
    orderId: string;
    action: string;
    args: Record<string, unknown>;
    patch: Patch;
    state: "pending" | "acked" | "confirmed" | "rolled_back";
    /**
     * when it was (last) sent, ms
     */
    sentAt: number;
    seq?: number | undefined;
    reason?: string | undefined;
    message?: string | undefined;
};
