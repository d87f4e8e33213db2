// @ts-check
/**
 * The app's token provider (`getToken`) as the client uses it: the
 * connection's token is fresh after the server refused one; a REST call
 * gets a fresh one too without taking the refresh the connection is owed;
 * every token handed out says whose it is (identity.js), so a change of
 * person is noticed at the next token.
 *
 * A refused token is worth one fresh one: if the server refuses that too,
 * or the provider has none (`null` when asked to refresh), the session is
 * over and the client says so (`closed {reason: 'session_expired'}`)
 * instead of retrying for ever.
 */

import { identityOf } from './identity.js';

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
  constructor(provider, hooks) {
    this.provider = provider;
    this.hooks = hooks;
    /** The next connection's token is to be fresh. */
    this.refreshDue = false;
    /** Tokens refused since the server last accepted one. */
    this.refusals = 0;
    /** @type {Identity | null} whose tokens these are, once known */
    this.identity = null;
  }

  /**
   * The token for the connection: a fresh one when due.
   * @returns {Promise<string | null>}
   */
  async forConnection() {
    if (!this.provider) return null;
    const refresh = this.refreshDue;
    const token = await this.ask(refresh);
    if (refresh) {
      this.refreshDue = false;
      if (!token) this.hooks.onExpired();
    }
    return token;
  }

  /**
   * The token for a REST call (chat, typing, receipts, mutations): fresh
   * when one is due, but the connection still asks for its own, so a
   * keystroke's typing signal cannot take the refresh the reconnect needs.
   * @returns {Promise<string | null>}
   */
  async forRest() {
    return this.provider ? this.ask(this.refreshDue) : null;
  }

  /**
   * Asks the provider, and tells when the token is somebody else's.
   * @param {boolean} refresh
   * @returns {Promise<string | null>}
   */
  async ask(refresh) {
    if (!this.provider) return null;
    const token = (await this.provider({ refresh })) ?? null;
    // No fresh token is the session's end (forConnection), not a sign-out.
    if (refresh && !token) return null;
    const identity = identityOf(token);
    if (this.identity && identity.key !== this.identity.key) this.hooks.onIdentity(identity);
    return token;
  }

  /**
   * Whose tab this is, from the provider's current token.
   * @returns {Promise<Identity>}
   */
  async current() {
    return identityOf(await this.ask(false));
  }

  /**
   * The server refused the connection's token.
   * @returns {boolean} true when a fresh one is worth a try; false when the
   *   session is over (no provider, or a fresh one was refused too)
   */
  refused() {
    this.refusals += 1;
    this.refreshDue = true;
    return Boolean(this.provider) && this.refusals <= 1;
  }

  /** The server took the token. */
  accepted() {
    this.refusals = 0;
  }
}
