// @ts-check
/**
 * Waits for a condition the test cannot await directly (a client's state
 * moving), polling briefly, with a deadline that fails the test.
 * @param {() => boolean | undefined} condition
 * @param {string} what
 * @param {number} [timeoutMs]
 */
export async function until(condition, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
