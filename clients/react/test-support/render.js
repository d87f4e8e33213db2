// @ts-check
/**
 * Mounting components in the jsdom of dom.js, every step wrapped in act().
 */

import './dom.js';
import { act, createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { TrackwireProvider } from '../src/index.js';

/** @typedef {import('../src/index.js').TrackwireClient} TrackwireClient */

/**
 * A component that calls `hook` and hands each value it renders to `seen`.
 * @template T
 * @param {{ hook: () => T, seen: (value: T) => void }} props
 */
export function Probe({ hook, seen }) {
  seen(hook());
  return null;
}

/**
 * Records what a hook returned, render by render.
 * @template T
 */
export class Recorder {
  constructor() {
    /** @type {T[]} */
    this.values = [];
    this.seen = (/** @type {T} */ value) => {
      this.values.push(value);
    };
  }

  get renders() {
    return this.values.length;
  }

  /** @returns {T} */
  get last() {
    if (this.values.length === 0) throw new Error('Recorder: nothing rendered yet');
    return this.values[this.values.length - 1];
  }
}

/**
 * Renders `hook` under a provider of `client` (none when `client` is null;
 * in StrictMode unless told otherwise) and returns the recorder and the
 * root's controls. An error thrown while rendering is thrown from here
 * (act throws it).
 * @template T
 * @param {any} client a TrackwireClient or a fake one
 * @param {() => T} hook
 * @param {{ strict?: boolean }} [options]
 */
export function renderHook(client, hook, { strict = true } = {}) {
  /** @type {Recorder<T>} */
  const recorder = new Recorder();
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  /** @param {() => T} nextHook */
  const element = (nextHook) => {
    const probe = createElement(/** @type {typeof Probe<T>} */ (Probe), { hook: nextHook, seen: recorder.seen });
    const provided = client === null ? probe : createElement(TrackwireProvider, { client: /** @type {TrackwireClient} */ (client) }, probe);
    return strict ? createElement(StrictMode, null, provided) : provided;
  };
  act(() => root.render(element(hook)));
  return {
    recorder,
    /** Renders again, with another hook call if given (e.g. other arguments). */
    rerender(/** @type {() => T} */ nextHook = hook) {
      act(() => root.render(element(nextHook)));
    },
    unmount() {
      act(() => root.unmount());
      container.remove();
    },
  };
}
