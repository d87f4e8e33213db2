// @ts-check
/**
 * What a screen reader hears of the connection, through a page's polite
 * live region: that it was lost, once per outage (not at every retry), and
 * that it is back, once. Nothing on the first connect, nor while the page
 * connects for the first time.
 */

/** @typedef {import('./badge.js').Badge} Badge */

/**
 * @param {(text: string) => void} say writes into the live region
 * @param {{ lost: string, back: string }} words
 */
export function createConnectionAnnouncer(say, words) {
  let wasLive = false;
  let away = false;
  return {
    /** @param {Badge['tone']} tone the badge's tone now */
    observe(tone) {
      if (tone === 'live' || tone === 'degraded') {
        if (away) say(words.back);
        away = false;
        wasLive = true;
      } else if (tone === 'offline' && wasLive && !away) {
        away = true;
        say(words.lost);
      }
    },
  };
}
