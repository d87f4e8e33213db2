// @ts-check
/**
 * A DOM for react-dom under `node --test`: import this module first, before
 * react-dom (ES modules run in import order), in every test file.
 */

import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
const g = /** @type {any} */ (globalThis);
g.window = dom.window;
g.document = dom.window.document;
// Node 20 has no navigator of its own (21 and later do); react-dom reads it.
if (typeof g.navigator === 'undefined') g.navigator = dom.window.navigator;
// Tells React that updates are wrapped in act() here.
g.IS_REACT_ACT_ENVIRONMENT = true;

export { dom };
