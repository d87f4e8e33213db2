// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ANONYMOUS, identityOf } from '../../src/identity.js';
import { Tokens } from '../../src/tokens.js';

/** @param {Record<string, unknown>} claims an unsigned JWT of these claims */
function jwt(claims) {
  const part = (/** @type {object} */ value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const dana = { sub: 'disp-dana', tenant: 'demo', role: 'dispatcher', exp: 2000000000 };

test('two tokens are one identity when issuer, tenant, subject and role agree', () => {
  const first = identityOf(jwt(dana));
  assert.equal(first.shareable, true);
  assert.equal(identityOf(jwt({ ...dana, exp: 2100000000, iat: 5 })).key, first.key, 'a refreshed token: the same person');
  for (const other of [{ sub: 'cust-ada' }, { tenant: 'acme' }, { role: 'admin' }, { iss: 'https://other.example' }]) {
    assert.notEqual(identityOf(jwt({ ...dana, ...other })).key, first.key, JSON.stringify(other));
  }
});

test('no token is the development identity; a token that cannot be read is never shared', () => {
  assert.equal(identityOf(null), ANONYMOUS);
  assert.equal(identityOf(''), ANONYMOUS);
  const opaque = identityOf('an-opaque-token');
  assert.equal(opaque.shareable, false);
  assert.notEqual(identityOf('another-opaque-token').key, opaque.key);
  assert.equal(identityOf('a.b.c').shareable, false, 'not JSON');
  assert.equal(identityOf(jwt({ sub: 'x' })).shareable, false, 'no tenant or role');
});

test('a refused token is worth one fresh one; none to be had ends the session', async () => {
  /** @type {boolean[]} */
  const asked = [];
  let expired = 0;
  /** @type {string[]} */
  const switched = [];
  let fresh = /** @type {string | null} */ (jwt(dana));
  const tokens = new Tokens(
    ({ refresh }) => {
      asked.push(refresh);
      return refresh ? fresh : jwt(dana);
    },
    { onIdentity: (identity) => switched.push(identity.key), onExpired: () => (expired += 1) },
  );
  tokens.identity = identityOf(jwt(dana));
  assert.equal(tokens.refused(), true, 'the first refusal: try a fresh token');
  assert.ok(await tokens.forConnection());
  assert.deepEqual(asked, [true]);
  assert.equal(tokens.refused(), false, 'the fresh one refused too: the session is over');
  tokens.accepted();
  assert.equal(tokens.refused(), true, 'after an accepted token, a refusal is worth a try again');
  fresh = null;
  assert.equal(await tokens.forConnection(), null);
  assert.equal(expired, 1, 'no fresh token to be had');
  assert.deepEqual(switched, []);
  await tokens.ask(false).then(() => undefined);
  fresh = jwt({ ...dana, sub: 'cust-ada', role: 'customer' });
  await tokens.ask(true);
  assert.equal(switched.length, 1, 'a token of somebody else is noticed');
  assert.equal(new Tokens(undefined, { onIdentity() {}, onExpired() {} }).refused(), false, 'no provider: nothing to try');
});
