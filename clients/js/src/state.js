// @ts-check
/**
 * The connection state a UI shows ("Live", "Reconnecting in 4 s", …), as a
 * pure state machine: `transition(state, event)` returns the next state, or
 * the very same object when the event does not apply, so callers can tell
 * "nothing happened" by identity (`next === state`).
 *
 *   idle ──connect──▶ connecting ──opened──▶ authenticating ──authenticated──▶ live
 *                        ▲                                                    │ ▲
 *                        │                                              degrade│ │recover
 *                     connect                                                 ▼ │
 *                        │                                                 degraded
 *                   reconnecting ◀──lost── (connecting, authenticating, live, degraded)
 *
 *   any state but closed ──close──▶ closed ──reset──▶ idle
 *
 * `connect` while connecting starts over with another transport or attempt
 * (falling back without a wait). `closed` is terminal: only an explicit
 * `reset` leaves it.
 *
 * @module state
 */

/**
 * How the client is connected. The SDK falls back along this list.
 * @typedef {'websocket' | 'sse' | 'long-poll' | 'polling'} Transport
 */

/** Every transport, in fallback order. */
export const TRANSPORTS = /** @type {const} */ (['websocket', 'sse', 'long-poll', 'polling']);

/**
 * @typedef {{ status: 'idle' }} IdleState
 * @typedef {{ status: 'connecting', transport: Transport, attempt: number }} ConnectingState
 * @typedef {{ status: 'authenticating', transport: Transport }} AuthenticatingState
 * @typedef {{ status: 'live', transport: Transport, since: number }} LiveState
 *   `since`: when it became live (ms)
 * @typedef {{ status: 'degraded', transport: Transport, reason: string, since: number }} DegradedState
 *   connected but not fully trustworthy (a fallback transport, a missed
 *   heartbeat, a topic resyncing …); `since`: when it degraded (ms)
 * @typedef {{ status: 'reconnecting', attempt: number, nextRetryAt: number, reason: string }} ReconnectingState
 *   `nextRetryAt`: when the next attempt starts (ms)
 * @typedef {{ status: 'closed', reason: string }} ClosedState
 */

/**
 * The connection state: a discriminated union on `status`.
 * @typedef {IdleState | ConnectingState | AuthenticatingState | LiveState | DegradedState | ReconnectingState | ClosedState} ConnectionState
 */

/** @typedef {ConnectionState['status']} ConnectionStatus */

/**
 * @typedef {{ type: 'connect', transport: Transport, attempt?: number }} ConnectEvent
 *   an attempt starts (`attempt` 0-based, default 0)
 * @typedef {{ type: 'opened' }} OpenedEvent the transport is open
 * @typedef {{ type: 'authenticated', now: number }} AuthenticatedEvent
 * @typedef {{ type: 'degrade', reason: string, now: number }} DegradeEvent
 * @typedef {{ type: 'recover', now: number }} RecoverEvent
 * @typedef {{ type: 'lost', reason: string, attempt: number, retryAt: number }} LostEvent
 *   the link broke; the next attempt is `attempt`, at `retryAt` (ms)
 * @typedef {{ type: 'close', reason: string }} CloseEvent
 * @typedef {{ type: 'reset' }} ResetEvent
 */

/**
 * @typedef {ConnectEvent | OpenedEvent | AuthenticatedEvent | DegradeEvent | RecoverEvent | LostEvent | CloseEvent | ResetEvent} ConnectionEvent
 */

/** @typedef {ConnectionEvent['type']} ConnectionEventType */

/**
 * Which events each state takes. The target state is fixed by the event:
 * connect → connecting, opened → authenticating, authenticated → live,
 * degrade → degraded, recover → live, lost → reconnecting, close → closed,
 * reset → idle. Every pair not listed leaves the state as it is.
 *
 * @type {Readonly<Record<ConnectionStatus, ReadonlyArray<ConnectionEventType>>>}
 */
export const TRANSITIONS = Object.freeze({
  idle: Object.freeze(/** @type {ConnectionEventType[]} */ (['connect', 'close'])),
  connecting: Object.freeze(/** @type {ConnectionEventType[]} */ (['opened', 'connect', 'lost', 'close'])),
  authenticating: Object.freeze(/** @type {ConnectionEventType[]} */ (['authenticated', 'lost', 'close'])),
  live: Object.freeze(/** @type {ConnectionEventType[]} */ (['degrade', 'lost', 'close'])),
  degraded: Object.freeze(/** @type {ConnectionEventType[]} */ (['degrade', 'recover', 'lost', 'close'])),
  reconnecting: Object.freeze(/** @type {ConnectionEventType[]} */ (['connect', 'close'])),
  closed: Object.freeze(/** @type {ConnectionEventType[]} */ (['reset'])),
});

/**
 * The state each event leads to, when it applies.
 * @type {Readonly<Record<ConnectionEventType, ConnectionStatus>>}
 */
export const TARGETS = Object.freeze({
  connect: 'connecting',
  opened: 'authenticating',
  authenticated: 'live',
  degrade: 'degraded',
  recover: 'live',
  lost: 'reconnecting',
  close: 'closed',
  reset: 'idle',
});

/** @type {IdleState} */
const IDLE = Object.freeze({ status: 'idle' });

/**
 * The state before anything happened.
 * @returns {ConnectionState}
 */
export function initialState() {
  return IDLE;
}

/**
 * True when `event` applies in `state` (per {@link TRANSITIONS}).
 * @param {ConnectionState} state
 * @param {ConnectionEvent} event
 * @returns {boolean}
 */
export function canTransition(state, event) {
  const allowed = TRANSITIONS[state.status];
  return allowed !== undefined && allowed.includes(event.type);
}

/**
 * The next state. An event that does not apply returns `state` itself.
 * So does `degrade` with the reason already shown (nothing changed).
 *
 * @param {ConnectionState} state
 * @param {ConnectionEvent} event
 * @returns {ConnectionState}
 */
export function transition(state, event) {
  if (!canTransition(state, event)) return state;
  switch (event.type) {
    case 'connect':
      return Object.freeze({
        status: 'connecting',
        transport: event.transport,
        attempt: wholeNumber(event.attempt),
      });
    case 'opened':
      if (state.status !== 'connecting') return state;
      return Object.freeze({ status: 'authenticating', transport: state.transport });
    case 'authenticated':
      if (state.status !== 'authenticating') return state;
      return Object.freeze({ status: 'live', transport: state.transport, since: event.now });
    case 'degrade':
      if (state.status === 'degraded') {
        // Still degraded, for another reason: same `since`.
        if (state.reason === event.reason) return state;
        return Object.freeze({ ...state, reason: event.reason });
      }
      if (state.status !== 'live') return state;
      return Object.freeze({
        status: 'degraded',
        transport: state.transport,
        reason: event.reason,
        since: event.now,
      });
    case 'recover':
      if (state.status !== 'degraded') return state;
      return Object.freeze({ status: 'live', transport: state.transport, since: event.now });
    case 'lost':
      return Object.freeze({
        status: 'reconnecting',
        attempt: wholeNumber(event.attempt),
        nextRetryAt: event.retryAt,
        reason: event.reason,
      });
    case 'close':
      return Object.freeze({ status: 'closed', reason: event.reason });
    case 'reset':
      return IDLE;
    default:
      return state;
  }
}

/**
 * True while frames can flow (live or degraded).
 * @param {ConnectionState} state
 * @returns {state is LiveState | DegradedState}
 */
export function isConnected(state) {
  return state.status === 'live' || state.status === 'degraded';
}

/**
 * The transport in use or being tried, if any.
 * @param {ConnectionState} state
 * @returns {Transport | undefined}
 */
export function transportOf(state) {
  return 'transport' in state ? state.transport : undefined;
}

/**
 * @param {number | undefined} n
 * @returns {number}
 */
function wholeNumber(n) {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
