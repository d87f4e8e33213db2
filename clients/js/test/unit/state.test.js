// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  TARGETS,
  TRANSITIONS,
  canTransition,
  initialState,
  isConnected,
  transition,
  transportOf,
} from '../../src/state.js';

/** @typedef {import('../../src/state.js').ConnectionState} ConnectionState */
/** @typedef {import('../../src/state.js').ConnectionStatus} ConnectionStatus */
/** @typedef {import('../../src/state.js').ConnectionEvent} ConnectionEvent */
/** @typedef {import('../../src/state.js').ConnectionEventType} ConnectionEventType */

/** One state of each kind. @type {Record<ConnectionStatus, ConnectionState>} */
const STATES = {
  idle: { status: 'idle' },
  connecting: { status: 'connecting', transport: 'websocket', attempt: 2 },
  authenticating: { status: 'authenticating', transport: 'sse' },
  live: { status: 'live', transport: 'websocket', since: 1000 },
  degraded: { status: 'degraded', transport: 'long-poll', reason: 'fallback', since: 2000 },
  reconnecting: { status: 'reconnecting', attempt: 3, nextRetryAt: 9000, reason: 'network' },
  closed: { status: 'closed', reason: 'final' },
};

/** One event of each kind. @type {Record<ConnectionEventType, ConnectionEvent>} */
const EVENTS = {
  connect: { type: 'connect', transport: 'sse', attempt: 4 },
  opened: { type: 'opened' },
  authenticated: { type: 'authenticated', now: 5000 },
  degrade: { type: 'degrade', reason: 'heartbeat missed', now: 6000 },
  recover: { type: 'recover', now: 7000 },
  lost: { type: 'lost', reason: 'heartbeat_timeout', attempt: 1, retryAt: 8000 },
  close: { type: 'close', reason: 'user' },
  reset: { type: 'reset' },
};

/** The allowed pairs, written out independently of the module's table. */
const ALLOWED = [
  'idle+connect',
  'idle+close',
  'connecting+opened',
  'connecting+connect',
  'connecting+lost',
  'connecting+close',
  'authenticating+authenticated',
  'authenticating+lost',
  'authenticating+close',
  'live+degrade',
  'live+lost',
  'live+close',
  'degraded+degrade',
  'degraded+recover',
  'degraded+lost',
  'degraded+close',
  'reconnecting+connect',
  'reconnecting+close',
  'closed+reset',
];

const STATUSES = /** @type {ConnectionStatus[]} */ (Object.keys(STATES));
const TYPES = /** @type {ConnectionEventType[]} */ (Object.keys(EVENTS));

test('the initial state is idle', () => {
  assert.deepEqual(initialState(), { status: 'idle' });
  assert.equal(transition(initialState(), EVENTS.reset), initialState());
});

test('the TRANSITIONS table lists exactly the allowed pairs', () => {
  const listed = [];
  for (const status of STATUSES) for (const type of TRANSITIONS[status]) listed.push(`${status}+${type}`);
  assert.deepEqual(listed.sort(), [...ALLOWED].sort());
});

test('every allowed transition moves to its target state; every other pair returns the same object', () => {
  let allowed = 0;
  let refused = 0;
  for (const status of STATUSES) {
    for (const type of TYPES) {
      const state = STATES[status];
      const next = transition(state, EVENTS[type]);
      if (ALLOWED.includes(`${status}+${type}`)) {
        allowed += 1;
        assert.ok(canTransition(state, EVENTS[type]));
        assert.notEqual(next, state, `${status} + ${type} changes the state`);
        assert.equal(next.status, TARGETS[type], `${status} + ${type} → ${TARGETS[type]}`);
      } else {
        refused += 1;
        assert.equal(canTransition(state, EVENTS[type]), false);
        assert.equal(next, state, `${status} + ${type} is ignored (same object)`);
      }
    }
  }
  assert.equal(allowed, 19);
  assert.equal(refused, STATUSES.length * TYPES.length - 19);
});

test('connect starts an attempt with its transport (attempt defaults to 0)', () => {
  assert.deepEqual(transition(STATES.idle, EVENTS.connect), { status: 'connecting', transport: 'sse', attempt: 4 });
  assert.deepEqual(transition(STATES.connecting, { type: 'connect', transport: 'long-poll', attempt: 2 }), {
    status: 'connecting',
    transport: 'long-poll',
    attempt: 2,
  }, 'a fallback to another transport without a wait');
  assert.deepEqual(transition(STATES.reconnecting, { type: 'connect', transport: 'websocket' }), {
    status: 'connecting',
    transport: 'websocket',
    attempt: 0,
  });
});

test('opened and authenticated carry the transport through to live', () => {
  const auth = transition(STATES.connecting, EVENTS.opened);
  assert.deepEqual(auth, { status: 'authenticating', transport: 'websocket' });
  assert.deepEqual(transition(auth, EVENTS.authenticated), { status: 'live', transport: 'websocket', since: 5000 });
  assert.equal(transportOf(auth), 'websocket');
  assert.equal(transportOf(STATES.reconnecting), undefined);
});

test('degrade and recover', () => {
  const degraded = transition(STATES.live, EVENTS.degrade);
  assert.deepEqual(degraded, { status: 'degraded', transport: 'websocket', reason: 'heartbeat missed', since: 6000 });
  assert.equal(transition(degraded, { type: 'degrade', reason: 'heartbeat missed', now: 6500 }), degraded, 'same reason: nothing changes');
  assert.deepEqual(transition(degraded, { type: 'degrade', reason: 'resyncing', now: 6600 }), {
    status: 'degraded',
    transport: 'websocket',
    reason: 'resyncing',
    since: 6000,
  }, 'another reason keeps since');
  assert.deepEqual(transition(degraded, EVENTS.recover), { status: 'live', transport: 'websocket', since: 7000 });
  assert.ok(isConnected(STATES.live) && isConnected(degraded));
  assert.ok(!isConnected(STATES.connecting) && !isConnected(STATES.reconnecting));
});

test('lost goes to reconnecting with the next attempt and its time', () => {
  for (const status of /** @type {ConnectionStatus[]} */ (['connecting', 'authenticating', 'live', 'degraded'])) {
    assert.deepEqual(transition(STATES[status], EVENTS.lost), {
      status: 'reconnecting',
      attempt: 1,
      nextRetryAt: 8000,
      reason: 'heartbeat_timeout',
    });
  }
});

test('closed is terminal until an explicit reset', () => {
  for (const status of STATUSES) {
    if (status === 'closed') continue;
    assert.deepEqual(transition(STATES[status], EVENTS.close), { status: 'closed', reason: 'user' });
  }
  const closed = transition(STATES.live, EVENTS.close);
  for (const type of TYPES) {
    if (type !== 'reset') assert.equal(transition(closed, EVENTS[type]), closed, `${type} does not leave closed`);
  }
  assert.deepEqual(transition(closed, EVENTS.reset), { status: 'idle' });
});

test('a whole session: connect, live, drop, reconnect, live, close', () => {
  /** @type {ConnectionEvent[]} */
  const events = [
    { type: 'connect', transport: 'websocket', attempt: 0 },
    { type: 'opened' },
    { type: 'authenticated', now: 10 },
    { type: 'lost', reason: 'network', attempt: 0, retryAt: 400 },
    { type: 'connect', transport: 'websocket', attempt: 0 },
    { type: 'lost', reason: 'upgrade refused', attempt: 1, retryAt: 1200 },
    { type: 'connect', transport: 'sse', attempt: 1 },
    { type: 'opened' },
    { type: 'authenticated', now: 1300 },
    { type: 'close', reason: 'order final' },
  ];
  const seen = [];
  let state = /** @type {ConnectionState} */ (initialState());
  for (const event of events) {
    state = transition(state, event);
    seen.push(state.status);
  }
  assert.deepEqual(seen, [
    'connecting',
    'authenticating',
    'live',
    'reconnecting',
    'connecting',
    'reconnecting',
    'connecting',
    'authenticating',
    'live',
    'closed',
  ]);
});
