// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/** @typedef {import('./identity.js').Identity} Identity */
/** @typedef {(options: {refresh: boolean}) => (string | null | Promise<string | null>)} TokenProvider */
/**
 * @typedef {object} TokenHooks
 * @property {(identity: Identity) => void} onIdentity a token of another
 *   identity than the known one came
 * @property {() => void} onExpired a fresh token was due and there is none
 */
export class Tokens {
    /**
     * @param {TokenProvider | undefined} provider
     * @param {TokenHooks} hooks
     */
    constructor(provider: TokenProvider | undefined, hooks: TokenHooks);
    provider: TokenProvider | undefined;
    hooks: TokenHooks;
    /** The next connection's token is to be fresh. */
    refreshDue: boolean;
    /** Tokens refused since the server last accepted one. */
    refusals: number;
    /** @type {Identity | null} whose tokens these are, once known */
    identity: Identity | null;
    /**
     * The token for the connection: a fresh one when due.
     * @returns {Promise<string | null>}
     */
    forConnection(): Promise<string | null>;
    /**
     * The token for a REST call (chat, typing, receipts, mutations): fresh
     * when one is due, but the connection still asks for its own, so a
     * keystroke's typing signal cannot take the refresh the reconnect needs.
     * @returns {Promise<string | null>}
     */
    forRest(): Promise<string | null>;
    /**
     * Asks the provider, and tells when the token is somebody else's.
     * @param {boolean} refresh
     * @returns {Promise<string | null>}
     */
    ask(refresh: boolean): Promise<string | null>;
    /**
     * Whose tab this is, from the provider's current token.
     * @returns {Promise<Identity>}
     */
    current(): Promise<Identity>;
    /**
     * The server refused the connection's token.
     * @returns {boolean} true when a fresh one is worth a try; false when the
     *   session is over (no provider, or a fresh one was refused too)
     */
    refused(): boolean;
    /** The server took the token. */
    accepted(): void;
}
export type Identity = import("./identity.js").Identity;
export type TokenProvider = (options: {
    refresh: boolean;
}) => (string | null | Promise<string | null>);
export type TokenHooks = {
    /**
     * a token of another
     * identity than the known one came
     */
    onIdentity: (identity: Identity) => void;
    /**
     * a fresh token was due and there is none
     */
    onExpired: () => void;
};
