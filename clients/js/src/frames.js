// @ts-check
/**
 * Where each server frame goes: the connection's own (`authenticated`,
 * `auth_expiring`, `reconnect`, a refused token) to the link, a topic's
 * (`snapshot`, `subscribed`, `event`, `presence`, `unsubscribed`, a
 * refused topic) through its pipeline (topic.js) and into the stored
 * views, and mutation answers (`ack`, `reject`) to the ledger. The same
 * router takes the frames of this tab's transport and, in a follower tab,
 * the ones the leader tab shares.
 */

import { scheduleTypingExpiry } from './chat.js';
import { CloseCode } from './codes.js';
import { inFeed } from './feed.js';
import { isTokenError } from './reconnect.js';

/** @typedef {import('./core.js').ClientCore} ClientCore */
/** @typedef {import('./pipeline.js').Envelope} Envelope */

/** Frames about the connection itself, not a topic. */
const CONNECTION_FRAMES = new Set(['authenticated', 'auth_expiring', 'reconnect', 'pong']);

/** Refusals of one topic: do not ask again. */
const TOPIC_REFUSALS = new Set(['forbidden', 'order_not_found', 'unknown_topic', 'not_found']);

/**
 * @param {ClientCore} core
 * @param {any} frame
 */
export function routeFrame(core, frame) {
  // A follower takes the leader's topic frames, not its connection's.
  if (core.isFollower() && CONNECTION_FRAMES.has(frame.type)) return;
  const topic = typeof frame.topic === 'string' ? core.topics.get(frame.topic) : undefined;
  switch (frame.type) {
    case 'authenticated':
      if (core.link.state.status === 'authenticating') core.link.becameLive();
      break;
    case 'snapshot':
      topic?.applySnapshot(frame);
      if (topic) core.reloadStore.persist(topic);
      if (topic?.kind === 'feed') void core.feedCompletion.complete(topic);
      break;
    case 'subscribed':
      if (topic) {
        topic.applySubscribed(frame);
        core.reloadStore.persist(topic);
        core.telemetry.onReplay?.({ topic: topic.name, recovered: Boolean(frame.recovered) });
      }
      break;
    case 'event':
      onEvent(core, frame.event);
      break;
    case 'presence':
      topic?.applyPresence(frame.members);
      break;
    case 'unsubscribed':
      if (topic && frame.reason === 'final') topic.markFinal();
      break;
    case 'ack':
      core.mutations.settle(frame.clientMutationId, { state: 'confirmed', seq: frame.seq });
      break;
    case 'reject':
      core.mutations.settle(frame.clientMutationId, { state: 'rolled_back', code: frame.code, reason: frame.message });
      break;
    case 'auth_expiring':
      void core.refreshInBand();
      break;
    case 'reconnect':
      core.link.outage.serverAfterMs = Number(frame.afterMs) || 0;
      break;
    case 'error':
      onError(core, frame);
      break;
    default:
      break;
  }
}

/**
 * @param {ClientCore} core
 * @param {Envelope} envelope
 */
function onEvent(core, envelope) {
  if (!envelope || typeof envelope.topic !== 'string') {
    core.telemetry.onValidationFailure?.({ topic: '', reason: 'an event without an envelope' });
    return;
  }
  // The feed carries order topics' events and couriers' positions; an
  // order topic its own.
  const targets = [core.topics.get(envelope.topic), inFeed(envelope) ? core.topics.get('orders') : undefined];
  for (const topic of targets) {
    if (!topic) continue;
    if (!topic.applyEvent(envelope)) core.resync(topic);
    if (envelope.type === 'typing') scheduleTypingExpiry(topic);
    else if (envelope.seq !== undefined) core.reloadStore.persist(topic);
    if (topic.kind === 'order' && topic.order) core.mutations.ledger.settle(topic.order);
  }
}

/**
 * @param {ClientCore} core
 * @param {any} frame
 */
function onError(core, frame) {
  const code = String(frame.code ?? '');
  const topic = typeof frame.ref === 'string' ? core.topics.get(frame.ref) : undefined;
  const link = core.link;
  if (topic && TOPIC_REFUSALS.has(code)) {
    topic.markError(code);
  } else if (isTokenError(code)) {
    // Refused in band (a server that lets the connection stay, as the
    // demo does, would otherwise leave it authenticating for ever).
    if (link.transport && link.state.status === 'authenticating') {
      link.lost({ code: CloseCode.Unauthorized, reason: `token refused (${code})`, opened: true });
    } else {
      core.tokens.refreshDue = true;
    }
  } else if (code === 'slow_consumer' && link.transport && !link.transport.bidirectional) {
    link.reopen();
  }
}
