// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CursorStore, STORAGE_KEY, decodeStreamCursor, encodeStreamCursor } from '../../src/cursors.js';

/** A Storage stand-in over a Map; `fail` makes every call throw. */
class FakeStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.data = new Map();
    this.fail = false;
    this.writes = 0;
  }

  /** @param {string} key */
  getItem(key) {
    if (this.fail) throw new Error('SecurityError');
    return this.data.get(key) ?? null;
  }

  /** @param {string} key @param {string} value */
  setItem(key, value) {
    if (this.fail) throw new Error('QuotaExceededError');
    this.writes += 1;
    this.data.set(key, value);
  }

  /** @param {string} key */
  removeItem(key) {
    if (this.fail) throw new Error('SecurityError');
    this.data.delete(key);
  }
}

test('a memory-only store gets, sets and deletes positions', () => {
  const store = new CursorStore(null);
  assert.equal(store.get('order:A'), undefined);
  assert.equal(store.set('order:A', { seq: 3, epoch: 'E' }), true);
  assert.equal(store.set('orders', { offset: 17 }), true);
  assert.deepEqual(store.get('order:A'), { seq: 3, epoch: 'E' });
  assert.deepEqual(store.get('orders'), { offset: 17 });
  const copy = store.get('order:A');
  if (copy && 'seq' in copy) copy.seq = 99;
  assert.deepEqual(store.get('order:A'), { seq: 3, epoch: 'E' }, 'get hands out copies');
  assert.equal(store.delete('order:A'), true);
  assert.equal(store.delete('order:A'), false);
  assert.equal(store.get('order:A'), undefined);
  assert.equal(store.size, 1);
});

test('positions persist under one JSON key and come back in a new store', () => {
  const storage = new FakeStorage();
  const store = new CursorStore(storage);
  store.set('order:A', { seq: 3, epoch: 'E' });
  store.set('chat:A', { seq: 1, epoch: 'F' });
  store.set('orders', { offset: 40 });
  assert.deepEqual([...storage.data.keys()], [STORAGE_KEY]);
  assert.equal(STORAGE_KEY, 'trackwire.cursors.v1');
  const raw = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
  assert.deepEqual(raw, {
    topics: [
      ['order:A', { seq: 3, epoch: 'E' }],
      ['chat:A', { seq: 1, epoch: 'F' }],
      ['orders', { offset: 40 }],
    ],
  });
  const reloaded = new CursorStore(storage);
  assert.deepEqual(reloaded.get('order:A'), { seq: 3, epoch: 'E' });
  assert.deepEqual(reloaded.get('chat:A'), { seq: 1, epoch: 'F' });
  assert.deepEqual(reloaded.get('orders'), { offset: 40 });
  reloaded.delete('chat:A');
  assert.equal(new CursorStore(storage).get('chat:A'), undefined, 'a delete persists');
  reloaded.clear();
  assert.equal(storage.getItem(STORAGE_KEY), null);
  assert.equal(new CursorStore(storage).size, 0);
});

test('setting the same position again writes nothing', () => {
  const storage = new FakeStorage();
  const store = new CursorStore(storage);
  store.set('order:A', { seq: 3, epoch: 'E' });
  store.set('order:A', { seq: 3, epoch: 'E' });
  assert.equal(storage.writes, 1);
  store.set('order:A', { seq: 4, epoch: 'E' });
  assert.equal(storage.writes, 2);
});

test('corrupt stored data is ignored, then overwritten', () => {
  for (const corrupt of ['{not json', 'null', '42', '"x"', '[]', '{"topics": 5}', '{"topics": {"order:A": {"seq": 1}}}']) {
    const storage = new FakeStorage();
    storage.data.set(STORAGE_KEY, corrupt);
    const store = new CursorStore(storage);
    assert.equal(store.size, 0, corrupt);
    store.set('order:A', { seq: 1, epoch: 'E' });
    assert.deepEqual(new CursorStore(storage).get('order:A'), { seq: 1, epoch: 'E' });
  }
  // Bad entries are skipped, good ones kept.
  const storage = new FakeStorage();
  storage.data.set(
    STORAGE_KEY,
    JSON.stringify({
      topics: [
        ['order:A', { seq: 2, epoch: 'E' }],
        ['order:B', { seq: -1, epoch: 'E' }],
        ['order:C', { seq: 2 }],
        ['orders', { offset: 'x' }],
        [5, { offset: 1 }],
        'junk',
        ['chat:A', { seq: 0, epoch: 'F' }],
      ],
    }),
  );
  const store = new CursorStore(storage);
  assert.deepEqual(store.entries(), [
    ['order:A', { seq: 2, epoch: 'E' }],
    ['chat:A', { seq: 0, epoch: 'F' }],
  ]);
});

test('storage that throws leaves a working memory store', () => {
  const storage = new FakeStorage();
  storage.fail = true;
  const store = new CursorStore(storage);
  assert.equal(store.set('order:A', { seq: 1, epoch: 'E' }), true);
  assert.deepEqual(store.get('order:A'), { seq: 1, epoch: 'E' });
  store.clear();
  assert.equal(store.size, 0);
});

test('invalid positions are not kept', () => {
  const store = new CursorStore(null);
  store.set('order:A', { seq: 2, epoch: 'E' });
  assert.equal(store.set('order:A', { seq: 3, epoch: null }), false, 'no epoch known: nothing to resume from');
  assert.equal(store.get('order:A'), undefined, 'and the stale one is dropped');
  // @ts-expect-error not a position
  assert.equal(store.set('order:B', { seq: 'x', epoch: 'E' }), false);
  assert.equal(store.set('', { offset: 1 }), false);
  assert.equal(store.size, 0);
});

test('at most 200 topics are kept; the least recently set go first', () => {
  const storage = new FakeStorage();
  const store = new CursorStore(storage);
  for (let i = 0; i < 200; i += 1) store.set(`order:${i}`, { seq: i, epoch: 'E' });
  assert.equal(store.size, 200);
  store.set('order:0', { seq: 1000, epoch: 'E' }); // now the newest
  store.set('order:new', { seq: 1, epoch: 'E' });
  assert.equal(store.size, 200);
  assert.equal(store.get('order:1'), undefined, 'the oldest is dropped');
  assert.deepEqual(store.get('order:0'), { seq: 1000, epoch: 'E' });
  assert.deepEqual(store.get('order:new'), { seq: 1, epoch: 'E' });
  const reloaded = new CursorStore(storage);
  assert.equal(reloaded.size, 200);
  assert.equal(reloaded.get('order:1'), undefined);
  const small = new CursorStore(storage, { maxTopics: 3 });
  assert.equal(small.size, 3, 'a smaller bound trims on load');
  assert.deepEqual(small.entries().map(([t]) => t), ['order:199', 'order:0', 'order:new']);
});

test('encodeStreamCursor matches the server format (base64url JSON, no padding)', () => {
  const expected = Buffer.from('{"order:ZX-1":{"e":"E","p":3}}').toString('base64url');
  assert.equal(encodeStreamCursor({ 'order:ZX-1': { seq: 3, epoch: 'E' } }), expected);
  assert.ok(!expected.includes('='));
  // The example of docs/protocol.md.
  assert.equal(
    encodeStreamCursor({ 'order:ZX-1001': { seq: 1, epoch: '93oL81FY' } }),
    'eyJvcmRlcjpaWC0xMDAxIjp7ImUiOiI5M29MODFGWSIsInAiOjF9fQ',
  );
  assert.equal(encodeStreamCursor({ orders: { offset: 17 } }), Buffer.from('{"orders":{"p":17}}').toString('base64url'));
});

test('encodeStreamCursor sorts topics like the server and takes a Map', () => {
  const positions = new Map([
    ['orders', { offset: 9 }],
    ['order:B', { seq: 2, epoch: 'y' }],
    ['chat:B', { seq: 5, epoch: 'x' }],
  ]);
  const json = '{"chat:B":{"e":"x","p":5},"order:B":{"e":"y","p":2},"orders":{"p":9}}';
  assert.equal(encodeStreamCursor(positions), Buffer.from(json).toString('base64url'));
  assert.equal(encodeStreamCursor({}), '', 'no position: no cursor');
  assert.equal(encodeStreamCursor({ 'order:X': undefined }), '');
  assert.equal(
    encodeStreamCursor({ 'chat:A': { seq: 0, epoch: null }, 'order:X': undefined }),
    Buffer.from('{"chat:A":{"p":0}}').toString('base64url'),
    'an unknown epoch is left out; an undefined position skipped',
  );
});

test('encodeStreamCursor encodes UTF-8 and padding-free base64url', () => {
  const topic = 'order:Zürich-✓';
  const json = JSON.stringify({ [topic]: { e: 'é+/?', p: 12345678 } });
  const encoded = encodeStreamCursor({ [topic]: { seq: 12345678, epoch: 'é+/?' } });
  assert.equal(encoded, Buffer.from(json, 'utf8').toString('base64url'));
  assert.match(encoded, /^[A-Za-z0-9_-]+$/);
});

test('decodeStreamCursor reads a cursor back and refuses others', () => {
  const cursor = encodeStreamCursor({ 'order:A': { seq: 4, epoch: 'E' }, orders: { offset: 3 } });
  assert.deepEqual(decodeStreamCursor(cursor), { 'order:A': { seq: 4, epoch: 'E' }, orders: { offset: 3 } });
  assert.equal(decodeStreamCursor('not-base64!'), undefined);
  assert.equal(decodeStreamCursor(Buffer.from('[1]').toString('base64url')), undefined);
  assert.equal(decodeStreamCursor(Buffer.from('{"a":{"p":-1}}').toString('base64url')), undefined);
});
