// @ts-check
/**
 * React bindings of Trackwire's browser SDK: a provider that hands one
 * `TrackwireClient` to a tree, and hooks that read it through
 * `useSyncExternalStore`, so every render sees one consistent snapshot and
 * concurrent rendering never tears.
 *
 * The app creates the client once and passes it in; these hooks only call
 * methods on that object. Each hook watches its topic in the store's
 * subscribe function and stops watching in its cleanup, so StrictMode's
 * double mount, a remount or an unmount leaves no watcher behind (the
 * client's last watcher of a topic unsubscribes it on the wire).
 *
 * Plain ES module, no JSX, no build step. index.js exports this module;
 * its types are hand-kept in index.d.ts (test-support/types.js checks that
 * they match the JSDoc here).
 */

import {
  createContext,
  createElement,
  useCallback,
  useContext,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';

// The one runtime import from the client package (a peer dependency):
// `timelineSteps`, a pure function of an order view. The client itself is
// only ever the object the app hands to the provider.
import { timelineSteps } from '@trackwire/client';

/** @typedef {import('@trackwire/client').TrackwireClient} TrackwireClient */
/** @typedef {import('@trackwire/client').ConnectionState} ConnectionState */
/** @typedef {import('@trackwire/client').TopicSnapshot} TopicSnapshot */
/** @typedef {import('@trackwire/client').TopicStatus} TopicStatus */
/** @typedef {import('@trackwire/client').OverlaidView} OverlaidView */
/** @typedef {import('@trackwire/client').TimelineStep} TimelineStep */
/** @typedef {{ topic: string, snapshot: () => TopicSnapshot, unsubscribe: () => void }} WatchHandle */

/**
 * What `useOrder` returns.
 * @typedef {object} OrderState
 * @property {OverlaidView | null} order the order with pending optimistic
 *   changes laid over it; null until something is known of it
 * @property {TimelineStep[]} timeline `timelineSteps(order)`, or [] without an order
 * @property {TopicStatus} status the topic's status
 * @property {string | null} error the server's code when `status` is `error`
 * @property {ConnectionState} connection
 * @property {number} lastUpdated ms since 1970 of the last applied change (0: none yet)
 */

/**
 * A mutation's answer, as `client.mutate` resolves it.
 * @typedef {{ state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string }} MutationResult
 */

/**
 * What `useMutation` returns.
 * @typedef {object} MutationState
 * @property {(action: string, args?: Record<string, unknown>) => Promise<MutationResult>} mutate
 * @property {boolean} pending true while a mutation this hook sent has no answer
 * @property {MutationResult | null} lastOutcome the latest answer (null: none yet)
 */

/** @type {import('react').Context<TrackwireClient | null>} */
const TrackwireContext = createContext(/** @type {TrackwireClient | null} */ (null));
TrackwireContext.displayName = 'TrackwireContext';

/** The steps of no order (frozen: shared by every `useOrder`). */
const NO_STEPS = /** @type {TimelineStep[]} */ (/** @type {unknown} */ (Object.freeze([])));

/**
 * Hands `client` to the hooks below it. The app creates the client once
 * (outside the component, or in a ref) and closes it itself: the provider
 * never does.
 * @param {{ client: TrackwireClient, children?: import('react').ReactNode }} props
 */
export function TrackwireProvider({ client, children }) {
  if (!client || typeof client.watch !== 'function') {
    throw new TypeError('TrackwireProvider: the `client` prop must be a TrackwireClient');
  }
  return createElement(TrackwireContext.Provider, { value: client }, children);
}

/**
 * The provider's client.
 * @returns {TrackwireClient}
 */
export function useTrackwire() {
  const client = useContext(TrackwireContext);
  if (client === null) {
    throw new Error(
      'useTrackwire: no TrackwireClient here. Wrap the tree in <TrackwireProvider client={client}> ' +
        '(React.createElement(TrackwireProvider, { client }, ...)).',
    );
  }
  return client;
}

/**
 * The connection state (`status`: idle, connecting, authenticating, live,
 * degraded, reconnecting, closed); re-renders on every change.
 * @returns {ConnectionState}
 */
export function useConnectionStatus() {
  const client = useTrackwire();
  const subscribe = useCallback((/** @type {() => void} */ onChange) => client.onStateChange(onChange), [client]);
  const getState = useCallback(() => client.getState(), [client]);
  return useSyncExternalStore(subscribe, getState, getState);
}

/**
 * A topic (`orders`, `chat:{id}`, `order:{id}`) as the client sees it.
 * Watches it while mounted. Null or undefined watches nothing (a snapshot
 * that stays `loading`), for an id not known yet.
 * @param {string | null | undefined} topic
 * @returns {TopicSnapshot}
 */
export function useTopic(topic) {
  const client = useTrackwire();
  const store = useMemo(
    () => topicStore(client, topic ?? null, (listener) => client.watch(/** @type {string} */ (topic), listener)),
    [client, topic],
  );
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}

/**
 * One order, ready to show: the view with pending optimistic changes laid
 * over it, its timeline steps, the topic's status and the connection's.
 * Watches `order:{id}` while mounted; null or undefined watches nothing.
 * @param {string | null | undefined} id
 * @returns {OrderState}
 */
export function useOrder(id) {
  const client = useTrackwire();
  const store = useMemo(() => orderStore(client, id ?? null), [client, id]);
  const view = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const connection = useConnectionStatus();
  return useMemo(() => ({ ...view, connection }), [view, connection]);
}

/**
 * Sends customer actions on one order (`cancel`, `change_instructions`):
 * the change shows at once through `useOrder`, then is confirmed or rolled
 * back. `pending` is true while one sent from here waits for its answer;
 * `lastOutcome` is the latest answer. Both start over when `orderId` changes.
 * @param {string} orderId
 * @returns {MutationState}
 */
export function useMutation(orderId) {
  const client = useTrackwire();
  const [state, setState] = useState(() => ({
    orderId,
    inflight: 0,
    /** @type {MutationResult | null} */
    lastOutcome: null,
  }));
  const mutate = useCallback(
    /**
     * @param {string} action
     * @param {Record<string, unknown>} [args]
     * @returns {Promise<MutationResult>}
     */
    async (action, args) => {
      // After an unmount React drops these updates (nothing re-renders).
      /** @param {(s: typeof state) => typeof state} change */
      const update = (change) => {
        setState((s) => change(s.orderId === orderId ? s : { orderId, inflight: 0, lastOutcome: null }));
      };
      update((s) => ({ ...s, inflight: s.inflight + 1 }));
      try {
        const outcome = await client.mutate(orderId, action, args);
        update((s) => ({ ...s, inflight: Math.max(0, s.inflight - 1), lastOutcome: outcome }));
        return outcome;
      } catch (error) {
        update((s) => ({ ...s, inflight: Math.max(0, s.inflight - 1) }));
        throw error;
      }
    },
    [client, orderId],
  );

  const current = state.orderId === orderId;
  const pending = current && state.inflight > 0;
  const lastOutcome = current ? state.lastOutcome : null;
  return useMemo(() => ({ mutate, pending, lastOutcome }), [mutate, pending, lastOutcome]);
}

// --- stores ----------------------------------------------------------------

/**
 * What a topic looks like before anything is known: `loading`, an empty
 * view of its kind.
 * @param {string} topic
 * @returns {TopicSnapshot}
 */
function loadingSnapshot(topic) {
  return Object.freeze({
    topic,
    status: /** @type {TopicStatus} */ ('loading'),
    error: null,
    order: null,
    feed: topic === 'orders' ? { orders: new Map(), offset: 0 } : null,
    messages: topic.startsWith('chat:') ? [] : null,
    nodes: topic === 'ops' ? [] : null,
    present: [],
    typing: [],
    reads: {},
    lastUpdated: 0,
  });
}

/**
 * A `useSyncExternalStore` store of one topic of one client. Creating it
 * has no effect: the topic is watched only in `subscribe`, and each
 * subscription is a watch of its own, ended by its cleanup.
 *
 * Before the first subscription (the first render) it shows the client's
 * snapshot of the topic if another component already watches it, else a
 * loading one; `useSyncExternalStore` reads it again once subscribed.
 *
 * @param {TrackwireClient} client
 * @param {string | null} topic null: an idle store
 * @param {(listener: () => void) => WatchHandle} watch
 */
function topicStore(client, topic, watch) {
  /** @type {WatchHandle[]} */
  const handles = [];
  const placeholder = loadingSnapshot(topic ?? '');
  return {
    /** @param {() => void} onChange */
    subscribe(onChange) {
      if (topic === null) return () => {};
      const handle = watch(onChange);
      handles.push(handle);
      return () => {
        const i = handles.indexOf(handle);
        if (i >= 0) handles.splice(i, 1);
        handle.unsubscribe();
      };
    },
    /** @returns {TopicSnapshot} */
    getSnapshot() {
      if (topic === null) return placeholder;
      const handle = handles[handles.length - 1];
      if (handle) return handle.snapshot();
      return (typeof client.get === 'function' ? client.get(topic) : undefined) ?? placeholder;
    },
  };
}

/**
 * A store of one order as `useOrder` shows it. Its snapshot is derived from
 * the topic's snapshot and the order's pending mutations, and cached on
 * both, so it keeps its identity until one of them changes (the overlay
 * makes a new object on every call).
 *
 * @param {TrackwireClient} client
 * @param {string | null} id null: an idle store
 */
function orderStore(client, id) {
  const topics = topicStore(client, id === null ? null : `order:${id}`, (listener) =>
    client.watchOrder(/** @type {string} */ (id), listener),
  );
  /** @type {{ snapshot: TopicSnapshot, key: string, value: Omit<OrderState, 'connection'> } | null} */
  let cache = null;
  return {
    subscribe: topics.subscribe,
    /** @returns {Omit<OrderState, 'connection'>} */
    getSnapshot() {
      const snapshot = topics.getSnapshot();
      const key = id === null ? '' : pendingKey(client, id);
      if (cache !== null && cache.snapshot === snapshot && cache.key === key) return cache.value;
      /** @type {OverlaidView | null} */
      let order = null;
      if (id !== null && snapshot.order && isKnown(snapshot)) {
        order = client.getOrder(id) ?? snapshot.order;
      }
      const value = {
        order,
        timeline: order ? timelineSteps(order) : NO_STEPS,
        status: snapshot.status,
        error: snapshot.error,
        lastUpdated: snapshot.lastUpdated,
      };
      cache = { snapshot, key, value };
      return value;
    },
  };
}

/**
 * Something is known of the order: the server's snapshot or events, or a
 * view restored from storage (the client's blank view of an order it has
 * heard nothing of is not shown).
 * @param {TopicSnapshot} snapshot
 */
function isKnown(snapshot) {
  const order = snapshot.order;
  return order !== null && (order.seq > 0 || order.createdAt !== null || snapshot.lastUpdated > 0);
}

/**
 * The order's mutations still shown over it: what its overlay depends on
 * besides the view.
 * @param {TrackwireClient} client
 * @param {string} id
 */
function pendingKey(client, id) {
  let key = '';
  for (const outcome of client.mutationOutcomes()) {
    if (outcome.orderId === id && outcome.state === 'pending') key += `${outcome.clientMutationId};`;
  }
  return key;
}

/**
 * Who is watching a topic now (`order:{id}` or `chat:{id}`): presence
 * from the server's snapshot and its join and leave events.
 * @param {string | null | undefined} topic
 */
export function usePresence(topic) {
  return useTopic(topic).present ?? [];
}

/**
 * An order's chat: its messages, who is typing (a lost stop expires on its
 * own), who is here, read receipts, and what a chat box needs: `send`,
 * `onType` (call on every keystroke; debounced), `markRead`.
 * @param {string | null | undefined} orderId
 */
export function useChat(orderId) {
  const client = useTrackwire();
  const snapshot = useTopic(orderId ? `chat:${orderId}` : null);
  const send = useCallback(
    (/** @type {string} */ text) => (orderId ? client.sendMessage(orderId, text) : Promise.reject(new Error('no order'))),
    [client, orderId],
  );
  const onType = useCallback(() => {
    if (orderId) client.typing(orderId);
  }, [client, orderId]);
  const markRead = useCallback(
    (/** @type {number} */ seq) => {
      if (orderId) client.markRead(orderId, seq);
    },
    [client, orderId],
  );
  return useMemo(
    () => ({
      messages: snapshot.messages ?? [],
      typing: snapshot.typing ?? [],
      present: snapshot.present ?? [],
      reads: snapshot.reads ?? {},
      status: snapshot.status,
      send,
      onType,
      markRead,
    }),
    [snapshot, send, onType, markRead],
  );
}

/**
 * Who is typing in an order's chat, and the keystroke handler.
 * @param {string | null | undefined} orderId
 */
export function useTyping(orderId) {
  const chat = useChat(orderId);
  return useMemo(() => ({ typing: chat.typing, onType: chat.onType }), [chat.typing, chat.onType]);
}
