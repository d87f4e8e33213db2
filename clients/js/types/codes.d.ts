// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * The server's stable codes the SDK acts on: WebSocket close codes, and
 * the `error` codes that refuse a token. They are the server's catalogue
 * (`docs/codes.json`, generated from `trackwire_domain::Code`); a unit test
 * checks every one here against it, so the two cannot drift.
 *
 * @module codes
 */
/** WebSocket close codes (docs/protocol.md, "Close codes"). */
export const CloseCode: Readonly<{
    Normal: 1000;
    InvalidUtf8: 1007;
    TooLarge: 1009;
    Internal: 1011;
    Draining: 1012;
    Malformed: 4000;
    Unauthorized: 4001;
    Forbidden: 4003;
    TokenExpired: 4004;
    RateLimited: 4008;
    SlowConsumer: 4009;
    HeartbeatTimeout: 4010;
}>;
/** `error` codes that refuse the token: the next attempt fetches a new one. */
export const TOKEN_ERROR_CODES: readonly string[];
