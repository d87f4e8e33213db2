// @ts-check
/**
 * The SDK's codes are the server's: every close code and token error code
 * in src/codes.js is in the server's catalogue (docs/codes.json, generated
 * from the Rust code and kept current by its own test), with the same
 * number and reason.
 */

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { CloseCode, TOKEN_ERROR_CODES } from '../../src/codes.js';

/** @type {{ codes: string[], close: { code: number, reason: string }[] }} */
const catalogue = JSON.parse(readFileSync(new URL('../../../../docs/codes.json', import.meta.url), 'utf8'));

/**
 * `SlowConsumer` → `slow_consumer`.
 * @param {string} name
 */
function snake(name) {
  return name.replace(/[A-Z]/g, (c, /** @type {number} */ i) => (i ? '_' : '') + c.toLowerCase());
}

test('every close code the SDK names is the server\'s, with its reason', () => {
  const server = new Map(catalogue.close.map((c) => [c.code, c.reason]));
  for (const [name, code] of Object.entries(CloseCode)) {
    assert.equal(server.get(code), snake(name), `${name} = ${code}`);
  }
  assert.equal(Object.keys(CloseCode).length, catalogue.close.length, 'and the SDK names every one');
});

test('every token error code the SDK knows is a server code, and none is missing', () => {
  for (const code of TOKEN_ERROR_CODES) {
    assert.ok(catalogue.codes.includes(code), code);
  }
  const serverTokenCodes = catalogue.codes.filter((c) => c.startsWith('token_') || c === 'unauthorized');
  assert.deepEqual([...serverTokenCodes].sort(), [...TOKEN_ERROR_CODES].sort());
});
