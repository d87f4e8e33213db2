// Generated from src/ by `npm run types` (tsc over the JSDoc): do not edit.
export class ReloadStore {
    /** @param {Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null} storage */
    constructor(storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null);
    storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
    cursors: CursorStore;
    /**
     * Whose tab this is now: what the storage holds of anybody else is
     * dropped, never shown.
     * @param {string} key
     */
    setIdentity(key: string): void;
    /** @param {Topic} topic */
    restore(topic: Topic): void;
    /** @param {Topic} topic */
    persist(topic: Topic): void;
}
export type Topic = import("./topic.js").Topic;
import { CursorStore } from './cursors.js';
