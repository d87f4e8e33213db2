// @ts-check
/**
 * Type-checked only (tsc, never run): the hand-kept index.d.ts matches what
 * src/hooks.js, which index.js exports, really is.
 */

import * as hooks from '../src/hooks.js';

// `../src/index.js` resolves to index.d.ts for the type checker.
/** @type {typeof import('../src/index.js')} */
export const declared = hooks;

/** @type {import('../src/index.js').OrderState} */
let orderState = /** @type {ReturnType<typeof hooks.useOrder>} */ (/** @type {any} */ (null));
/** @type {ReturnType<typeof hooks.useOrder>} */
let orderStateBack = /** @type {import('../src/index.js').OrderState} */ (/** @type {any} */ (null));
/** @type {import('../src/index.js').MutationState} */
let mutationState = /** @type {ReturnType<typeof hooks.useMutation>} */ (/** @type {any} */ (null));
/** @type {ReturnType<typeof hooks.useMutation>} */
let mutationStateBack = /** @type {import('../src/index.js').MutationState} */ (/** @type {any} */ (null));
void [orderState, orderStateBack, mutationState, mutationStateBack];
