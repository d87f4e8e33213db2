// @ts-check
/**
 * A fake TrackwireClient for the hooks' unit tests: the methods the hooks
 * call, with counters, and levers for the test to pull (state changes,
 * topic changes, mutation answers). The real client is tested in clients/js.
 */

/** @typedef {import('@trackwire/client').ConnectionState} ConnectionState */
/** @typedef {import('@trackwire/client').TopicSnapshot} TopicSnapshot */
/** @typedef {import('@trackwire/client').OrderView} OrderView */
/** @typedef {{ state: 'confirmed' | 'rolled_back', seq?: number, code?: string, reason?: string }} MutationResult */

/**
 * @typedef {object} FakeMutation
 * @property {string} clientMutationId
 * @property {string} orderId
 * @property {string} action
 * @property {Record<string, unknown>} args
 * @property {'pending' | 'confirmed' | 'rolled_back'} state
 * @property {(outcome: MutationResult) => void} resolve
 */

export class FakeClient {
  /**
   * @param {{ withGet?: boolean }} [options] `withGet`: also has the real
   *   client's `get(topic)` (the hooks use it, when there, for the first render)
   */
  /** @type {Array<[string, string, unknown]> | undefined} */
  _chatCalls;

  constructor({ withGet = false } = {}) {
    /** @type {ConnectionState} */
    this.state = Object.freeze({ status: 'idle' });
    /** @type {Set<() => void>} */
    this.stateListeners = new Set();
    /** The topics' current snapshots (kept while nobody watches, unlike the real client). */
    /** @type {Map<string, TopicSnapshot>} */
    this.data = new Map();
    /** @type {Map<string, Set<() => void>>} */
    this.watchers = new Map();
    /** Topics subscribed on the "wire": watched by at least one watcher. */
    /** @type {Set<string>} */
    this.wire = new Set();
    this.calls = { watch: 0, unsubscribe: 0, wireSubscribe: 0, wireUnsubscribe: 0, getOrder: 0, mutate: 0, get: 0 };
    /** @type {FakeMutation[]} */
    this.mutations = [];
    // Without it, the hooks must do with the watch handles alone.
    if (!withGet) Object.defineProperty(this, 'get', { value: undefined });
  }

  // --- the client's API ------------------------------------------------------

  getState() {
    return this.state;
  }

  /** @param {() => void} listener */
  onStateChange(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /**
   * @param {string} name
   * @param {() => void} [listener]
   */
  watch(name, listener = () => {}) {
    this.calls.watch += 1;
    let set = this.watchers.get(name);
    if (!set) {
      set = new Set();
      this.watchers.set(name, set);
    }
    const watcher = () => listener();
    set.add(watcher);
    if (!this.wire.has(name)) {
      this.wire.add(name);
      this.calls.wireSubscribe += 1;
    }
    const owned = set;
    let active = true;
    return {
      topic: name,
      snapshot: () => this.snapshotOf(name),
      unsubscribe: () => {
        if (!active) return;
        active = false;
        this.calls.unsubscribe += 1;
        owned.delete(watcher);
        if (owned.size === 0) {
          this.watchers.delete(name);
          this.wire.delete(name);
          this.calls.wireUnsubscribe += 1;
        }
      },
    };
  }

  /**
   * @param {string} id
   * @param {() => void} [listener]
   */
  watchOrder(id, listener) {
    return this.watch(`order:${id}`, listener);
  }

  /**
   * Only with `withGet`.
   * @param {string} name
   * @returns {TopicSnapshot | undefined}
   */
  get(name) {
    this.calls.get += 1;
    return this.wire.has(name) ? this.snapshotOf(name) : undefined;
  }

  /**
   * The order with the pending mutations laid over it: a new object on each
   * call while any is pending, like the real client's.
   * @param {string} id
   */
  getOrder(id) {
    this.calls.getOrder += 1;
    const order = this.snapshotOf(`order:${id}`).order;
    if (!order) return undefined;
    const pending = this.mutations.filter((m) => m.orderId === id && m.state === 'pending');
    if (pending.length === 0) return order;
    /** @type {OrderView & { pending: { status?: boolean, instructions?: boolean }, pendingMutations: string[] }} */
    const shown = { ...order, pending: {}, pendingMutations: [] };
    for (const m of pending) {
      if (m.action === 'cancel') {
        shown.status = 'cancelled';
        shown.pending.status = true;
      } else if (m.action === 'change_instructions') {
        shown.instructions = String(m.args.text ?? '');
        shown.pending.instructions = true;
      }
      shown.pendingMutations.push(m.clientMutationId);
    }
    return shown;
  }

  /**
   * @param {string} orderId
   * @param {string} action
   * @param {Record<string, unknown>} [args]
   * @returns {Promise<MutationResult>}
   */
  mutate(orderId, action, args = {}) {
    this.calls.mutate += 1;
    return new Promise((resolve) => {
      this.mutations.push({ clientMutationId: `m${this.mutations.length + 1}`, orderId, action, args, state: 'pending', resolve });
      // Like the real client: the order's watchers hear of it (here without
      // a new snapshot, so the hooks must notice the pending change itself).
      this.notify(`order:${orderId}`);
    });
  }

  /** A new array on each call, like the real client's. */
  /** @type {Array<[string, string, unknown]>} chat calls: [method, orderId, argument] */
  get chatCalls() {
    return (this._chatCalls ??= []);
  }

  /** @param {string} orderId @param {string} text */
  sendMessage(orderId, text) {
    this.chatCalls.push(['sendMessage', orderId, text]);
    return Promise.resolve({ clientMessageId: `m${this.chatCalls.length}` });
  }

  /** @param {string} orderId */
  typing(orderId) {
    this.chatCalls.push(['typing', orderId, null]);
  }

  /** @param {string} orderId */
  stopTyping(orderId) {
    this.chatCalls.push(['stopTyping', orderId, null]);
  }

  /** @param {string} orderId @param {number} seq */
  markRead(orderId, seq) {
    this.chatCalls.push(['markRead', orderId, seq]);
  }

  mutationOutcomes() {
    return this.mutations.map(({ clientMutationId, orderId, action, state }) => ({ clientMutationId, orderId, action, state }));
  }

  close() {
    this.setState({ status: 'closed', reason: 'closed by the app' });
  }

  // --- levers -------------------------------------------------------------

  /** @param {ConnectionState} next */
  setState(next) {
    this.state = Object.freeze({ ...next });
    for (const listener of [...this.stateListeners]) listener();
  }

  /**
   * A change of a topic: a new snapshot (new identity), watchers told.
   * @param {string} name
   * @param {Partial<TopicSnapshot>} changes
   */
  emit(name, changes) {
    this.data.set(name, Object.freeze({ ...this.snapshotOf(name), ...changes }));
    this.notify(name);
  }

  /**
   * Answers the `index`-th mutation (0-based) and tells its order's watchers.
   * @param {number} index
   * @param {MutationResult} outcome
   */
  answer(index, outcome) {
    const mutation = this.mutations[index];
    mutation.state = outcome.state;
    this.notify(`order:${mutation.orderId}`);
    mutation.resolve(outcome);
  }

  /** @param {string} name */
  notify(name) {
    for (const watcher of [...(this.watchers.get(name) ?? [])]) watcher();
  }

  /** How many watchers `name` has now. */
  /** @param {string} name */
  watcherCount(name) {
    return this.watchers.get(name)?.size ?? 0;
  }

  /** Every watcher of every topic, and every state listener. */
  listenerCount() {
    let n = this.stateListeners.size;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  /**
   * @param {string} name
   * @returns {TopicSnapshot}
   */
  snapshotOf(name) {
    let snapshot = this.data.get(name);
    if (!snapshot) {
      snapshot = Object.freeze({
        topic: name,
        status: /** @type {const} */ ('loading'),
        error: null,
        order: null,
        feed: null,
        messages: name.startsWith('chat:') ? [] : null,
        nodes: name === 'ops' ? [] : null,
        present: [],
    typing: [],
    reads: {},
    lastUpdated: 0,
      });
      this.data.set(name, snapshot);
    }
    return snapshot;
  }
}
