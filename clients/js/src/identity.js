// @ts-check
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
export const ANONYMOUS = Object.freeze({ key: 'anonymous', shareable: true });

/**
 * @param {string | null | undefined} token
 * @returns {Identity}
 */
export function identityOf(token) {
  if (!token) return ANONYMOUS;
  const claims = claimsOf(token);
  if (claims && typeof claims.sub === 'string' && typeof claims.tenant === 'string' && typeof claims.role === 'string') {
    const issuer = typeof claims.iss === 'string' ? claims.iss : '';
    return { key: `jwt:${JSON.stringify([issuer, claims.tenant, claims.sub, claims.role])}`, shareable: true };
  }
  // Opaque: only the very same token is the same identity.
  return { key: `opaque:${fingerprint(token)}`, shareable: false };
}

/**
 * The payload of a JWT (`header.payload.signature`), or null.
 * @param {string} token
 * @returns {Record<string, unknown> | null}
 */
function claimsOf(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/**
 * A short fingerprint of a string (FNV-1a, 32 bits twice): tells tokens
 * apart without keeping them.
 * @param {string} text
 */
function fingerprint(text) {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}
