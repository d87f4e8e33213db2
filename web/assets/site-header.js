// @ts-check
/**
 * The pages' one header, rendered into the page's empty
 * `<header class="site-header">` (the pages are static files, so the
 * markup lives here, not in four copies): the brand; the page links (not
 * on the customer's tracking page); the "who am I" corner, the demo
 * persona's name and role with "Log out" (which forgets the persona), or
 * "Log in" when nobody is; and, on a page with a live connection, its
 * badge `#connection`, which badge.js's `showBadge` keeps up to date.
 */

import { h } from './dom.js';
import { icon } from './icons.js';
import { roleName } from './labels.js';
import { currentPersona, setPersona } from './session.js';

/** @typedef {'orders' | 'login' | 'track' | 'dispatch' | 'ops'} Page */

/** The page links: where, the words, and the page they are (Ops only for the operator, and on itself). */
const LINKS = /** @type {const} */ ([
  ['/', 'Demo orders', 'orders'],
  ['/dispatch', 'Dispatch', 'dispatch'],
  ['/ops', 'Ops', 'ops'],
]);

/**
 * Renders the header.
 * @param {Page} page the page it is on
 * @param {{ badge?: boolean }} [options] `badge`: the page shows its connection
 */
export function mountHeader(page, { badge = false } = {}) {
  const header = document.querySelector('header.site-header');
  if (!header) throw new Error(`${location.pathname}: no <header class="site-header">`);
  const nav =
    page === 'track'
      ? null
      : h(
          'nav',
          { class: 'site-nav', 'aria-label': 'Pages' },
          ...LINKS.filter(([, , name]) => name !== 'ops' || page === 'ops' || currentPersona()?.role === 'operator').map(([href, text, name]) =>
            h('a', { href, text, 'aria-current': name === page ? 'page' : null }),
          ),
        );
  header.replaceChildren(
    h(
      'div',
      { class: 'container site-header__inner' },
      h('a', { class: 'brand', href: '/' }, h('img', { class: 'brand__mark', src: '/assets/icon.svg', alt: '' }), h('span', { class: 'brand__name', text: 'Trackwire' })),
      nav,
      h('div', { class: 'site-header__meta' }, session(page === 'login'), badge ? connectionBadge() : null),
    ),
  );
}

/**
 * The "who am I" corner, `#session`.
 * @param {boolean} loginPage on the login page itself, no "Log in" link
 */
function session(loginPage) {
  const corner = h('div', { class: 'session', id: 'session' });
  const persona = currentPersona();
  if (!persona) {
    if (!loginPage) corner.append(h('a', { class: 'session-link', href: '/login' }, icon('user'), h('span', { text: 'Log in' })));
    return corner;
  }
  corner.append(
    h(
      'span',
      { class: 'session-who' },
      icon('user'),
      h('span', { class: 'visually-hidden', text: 'Signed in as ' }),
      h('span', { class: 'session-name', text: persona.name || persona.subject }),
      h('span', { class: 'session-role', text: roleName(persona.role) }),
    ),
    h('a', { class: 'session-link', href: '/login', 'data-logout': true, text: 'Log out', onclick: () => setPersona(null) }),
  );
  return corner;
}

/** The connection badge, connecting until the page says otherwise. */
function connectionBadge() {
  return h(
    'p',
    { id: 'connection', class: 'badge badge--connecting', 'data-tone': 'connecting' },
    icon('spinner', 'icon badge__icon icon--spin'),
    h('span', { class: 'visually-hidden', text: 'Connection: ' }),
    h('span', { class: 'badge__text', text: 'Connecting…' }),
  );
}
