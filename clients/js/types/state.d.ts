// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
/**
 * The state before anything happened.
 * @returns {ConnectionState}
 */
export function initialState(): ConnectionState;
/**
 * True when `event` applies in `state` (per {@link TRANSITIONS}).
 * @param {ConnectionState} state
 * @param {ConnectionEvent} event
 * @returns {boolean}
 */
export function canTransition(state: ConnectionState, event: ConnectionEvent): boolean;
/**
 * The next state. An event that does not apply returns `state` itself.
 * So does `degrade` with the reason already shown (nothing changed).
 *
 * @param {ConnectionState} state
 * @param {ConnectionEvent} event
 * @returns {ConnectionState}
 */
export function transition(state: ConnectionState, event: ConnectionEvent): ConnectionState;
/**
 * True while frames can flow (live or degraded).
 * @param {ConnectionState} state
 * @returns {state is LiveState | DegradedState}
 */
export function isConnected(state: ConnectionState): state is LiveState | DegradedState;
/**
 * The transport in use or being tried, if any.
 * @param {ConnectionState} state
 * @returns {Transport | undefined}
 */
export function transportOf(state: ConnectionState): Transport | undefined;
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
export const TRANSPORTS: readonly ["websocket", "sse", "long-poll", "polling"];
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
export const TRANSITIONS: Readonly<Record<ConnectionStatus, ReadonlyArray<ConnectionEventType>>>;
/**
 * The state each event leads to, when it applies.
 * @type {Readonly<Record<ConnectionEventType, ConnectionStatus>>}
 */
export const TARGETS: Readonly<Record<ConnectionEventType, ConnectionStatus>>;
/**
 * How the client is connected. The SDK falls back along this list.
 */
export type Transport = "websocket" | "sse" | "long-poll" | "polling";
export type IdleState = {
    status: "idle";
};
export type ConnectingState = {
    status: "connecting";
    transport: Transport;
    attempt: number;
};
export type AuthenticatingState = {
    status: "authenticating";
    transport: Transport;
};
/**
 * `since`: when it became live (ms)
 */
export type LiveState = {
    status: "live";
    transport: Transport;
    since: number;
};
/**
 * connected but not fully trustworthy (a fallback transport, a missed
 * heartbeat, a topic resyncing …); `since`: when it degraded (ms)
 */
export type DegradedState = {
    status: "degraded";
    transport: Transport;
    reason: string;
    since: number;
};
/**
 * `nextRetryAt`: when the next attempt starts (ms)
 */
export type ReconnectingState = {
    status: "reconnecting";
    attempt: number;
    nextRetryAt: number;
    reason: string;
};
export type ClosedState = {
    status: "closed";
    reason: string;
};
/**
 * The connection state: a discriminated union on `status`.
 */
export type ConnectionState = IdleState | ConnectingState | AuthenticatingState | LiveState | DegradedState | ReconnectingState | ClosedState;
export type ConnectionStatus = ConnectionState["status"];
/**
 * an attempt starts (`attempt` 0-based, default 0)
 */
export type ConnectEvent = {
    type: "connect";
    transport: Transport;
    attempt?: number;
};
/**
 * the transport is open
 */
export type OpenedEvent = {
    type: "opened";
};
export type AuthenticatedEvent = {
    type: "authenticated";
    now: number;
};
export type DegradeEvent = {
    type: "degrade";
    reason: string;
    now: number;
};
export type RecoverEvent = {
    type: "recover";
    now: number;
};
/**
 * the link broke; the next attempt is `attempt`, at `retryAt` (ms)
 */
export type LostEvent = {
    type: "lost";
    reason: string;
    attempt: number;
    retryAt: number;
};
export type CloseEvent = {
    type: "close";
    reason: string;
};
export type ResetEvent = {
    type: "reset";
};
export type ConnectionEvent = ConnectEvent | OpenedEvent | AuthenticatedEvent | DegradeEvent | RecoverEvent | LostEvent | CloseEvent | ResetEvent;
export type ConnectionEventType = ConnectionEvent["type"];
