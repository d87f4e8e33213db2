// @ts-check
/**
 * What survives a reload: each topic's position (cursors.js) and an order
 * topic's view, so a reloaded page resumes by `since` instead of starting
 * blind.
 */

import { CursorStore } from './cursors.js';

/** @typedef {import('./topic.js').Topic} Topic */

const VIEWS_KEY = 'trackwire.views.v1';
/** Whose positions and views the storage holds (identity.js's key). */
const IDENTITY_KEY = 'trackwire.identity.v1';

/** Most order views kept across reloads. */
const MAX_VIEWS = 50;

export class ReloadStore {
  /** @param {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null} storage */
  constructor(storage) {
    this.storage = storage;
    this.cursors = new CursorStore(storage);
  }

  /**
   * Whose tab this is now: what the storage holds of anybody else is
   * dropped, never shown.
   * @param {string} key
   */
  setIdentity(key) {
    const storage = this.storage;
    if (!storage) return;
    try {
      if (storage.getItem(IDENTITY_KEY) === key) return;
      storage.removeItem(VIEWS_KEY);
      this.cursors.clear();
      storage.setItem(IDENTITY_KEY, key);
    } catch {
      // Storage unavailable: nothing is kept either.
    }
  }

  /** @param {Topic} topic */
  restore(topic) {
    // Only an order's view is kept across reloads; a feed or a chat
    // resumed from a position without its view would show a fragment.
    if (topic.kind !== 'order') return;
    const position = this.cursors.get(topic.name);
    if (!position) return;
    const order = readView(this.storage, topic.name);
    if (!order) return;
    topic.restore(/** @type {any} */ (position), order);
  }

  /** @param {Topic} topic */
  persist(topic) {
    // Only an order's view and position come back after a reload (restore).
    if (topic.kind !== 'order') return;
    const position = topic.position();
    if (!position) return;
    this.cursors.set(topic.name, /** @type {any} */ (position));
    if (topic.kind === 'order') writeView(this.storage, topic.name, topic.order);
  }
}

/**
 * @param {Pick<Storage, 'getItem'> | null} storage
 * @param {string} topic
 */
function readView(storage, topic) {
  try {
    const views = JSON.parse(storage?.getItem(VIEWS_KEY) ?? '{}');
    return views[topic] ?? null;
  } catch {
    return null;
  }
}

/**
 * @param {Pick<Storage, 'getItem' | 'setItem'> | null} storage
 * @param {string} topic
 * @param {unknown} view
 */
function writeView(storage, topic, view) {
  if (!storage) return;
  try {
    const views = JSON.parse(storage.getItem(VIEWS_KEY) ?? '{}');
    delete views[topic];
    views[topic] = view;
    const names = Object.keys(views);
    for (const name of names.slice(0, Math.max(0, names.length - MAX_VIEWS))) delete views[name];
    storage.setItem(VIEWS_KEY, JSON.stringify(views));
  } catch {
    // Storage full or unavailable: the next load starts from a snapshot.
  }
}
