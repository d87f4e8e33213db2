// @ts-check
/**
 * Who else is here ("Here now: Max Mustermann (Courier)", above the log)
 * and who is typing ("Max is typing…", below it). Each line is rewritten
 * only when its words change.
 */

import { shortName } from './chat-people.js';
import { h, setAttr } from './dom.js';

/** @typedef {import('/sdk/index.js').Member} Member */
/** @typedef {import('./chat-people.js').Me} Me */
/** @typedef {import('./chat-people.js').Namer} Namer */

/**
 * @param {string} uid the panel's prefix for element ids (the log refers to `${uid}-presence`)
 * @param {Me} me
 */
export function createPresenceLine(uid, me) {
  const element = h('p', { class: 'chat__presence', id: `${uid}-presence` });
  return {
    element,
    /**
     * @param {Member[]} present
     * @param {Namer} who
     */
    render(present, who) {
      /** @type {Map<string, number>} */
      const counts = new Map();
      const seen = new Set();
      for (const member of present) {
        if (member.subject === me.subject || seen.has(member.subject)) continue;
        seen.add(member.subject);
        const person = who(member.subject);
        const label = person.name ? `${person.name} (${person.label})` : person.label;
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
      const names = [...counts].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
      const text = names.length ? `Here now: ${names.join(', ')}` : 'No one else is here right now.';
      if (element.dataset.text === text) return;
      element.dataset.text = text;
      setAttr(element, 'data-others', String(names.length));
      element.replaceChildren(h('span', { class: 'chat__presence-dot', 'aria-hidden': 'true' }), h('span', { text }));
    },
  };
}

/** @param {Me} me */
export function createTypingLine(me) {
  const element = h('p', { class: 'chat__typing' });
  return {
    element,
    /**
     * @param {string[]} typing subjects
     * @param {Namer} who
     */
    render(typing, who) {
      const names = [...new Set(typing.filter((s) => s !== me.subject))].map((s) => shortName(who(s)));
      const text =
        names.length === 0
          ? ''
          : names.length === 1
            ? `${names[0]} is typing…`
            : names.length === 2
              ? `${names[0]} and ${names[1]} are typing…`
              : 'Several people are typing…';
      if (element.dataset.text === text) return;
      element.dataset.text = text;
      element.replaceChildren(...(text ? [typingDots(), h('span', { text })] : []));
    },
  };
}

function typingDots() {
  return h('span', { class: 'chat__dots', 'aria-hidden': 'true' }, h('span'), h('span'), h('span'));
}
