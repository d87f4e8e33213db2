// @ts-check
/**
 * What survives a reload: each topic's position (cursors.js) and an order
 * topic's view, so a reloaded page resumes by `since` instead of starting
 * blind.
 */

import { CursorStore } from './cursors.js';

/** @typedef {import('./topic.js').Topic} Topic */

const VIEWS_KEY = 'trackwire.views.v1';

/** Most order views kept across reloads. */
const MAX_VIEWS = 50;

export class ReloadStore {
  /** @param {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null} storage */
  constructor(storage) {
    this.storage = storage;
    this.cursors = new CursorStore(storage);
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
