// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * @param {string | null | undefined} token
 * @returns {Identity}
 */
export function identityOf(token: string | null | undefined): Identity;
/**
 * Whose tab this is: the claims of the bearer token that decide what the
 * server lets a connection see (issuer, tenant, subject, role). Tabs share
 * a connection, and a reloaded page its stored views, only within one
 * identity (docs/security.md, "Tabs").
 *
 * The claims are read from the JWT's payload without checking its
 * signature: the server checks every token; the client only uses them to
 * keep different people's tabs apart, and a token it cannot read is never
 * shared.
 *
 * @module identity
 */
/**
 * @typedef {object} Identity
 * @property {string} key the same for two tokens of one identity, and only then
 * @property {boolean} shareable whether tabs of this identity may share a
 *   connection (false for a token whose claims cannot be read)
 */
/** No token: the server's development identity, the same for every tab. */
export const ANONYMOUS: Readonly<{
    key: "anonymous";
    shareable: true;
}>;
export type Identity = {
    /**
     * the same for two tokens of one identity, and only then
     */
    key: string;
    /**
     * whether tabs of this identity may share a
     * connection (false for a token whose claims cannot be read)
     */
    shareable: boolean;
};
