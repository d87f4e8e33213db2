// @ts-check
/**
 * The header's "who am I" corner on the landing page and the dashboard:
 * the demo persona's name and role with a "Log out" link (which forgets
 * the persona), or a "Log in" link when nobody is logged in.
 */

import { currentPersona, setPersona } from '/assets/session.js';
import { h, icon } from '/assets/dispatch-format.js';

/** @type {Record<string, string>} */
export const ROLE_LABEL = {
  customer: 'Customer',
  courier: 'Courier',
  dispatcher: 'Dispatcher',
  admin: 'Admin',
  service: 'Service',
};

/**
 * Fills `container` with the session corner.
 * @param {HTMLElement} container
 * @param {{ loginPage?: boolean }} [options] on the login page itself, no "Log in" link
 */
export function mountSession(container, options = {}) {
  const persona = currentPersona();
  if (!persona) {
    if (options.loginPage) return;
    container.replaceChildren(h('a', { class: 'session-link', href: '/login' }, icon('user'), h('span', { text: 'Log in' })));
    return;
  }
  container.replaceChildren(
    h(
      'span',
      { class: 'session-who' },
      icon('user'),
      h('span', { class: 'session-name', text: persona.name }),
      h('span', { class: 'session-role', text: ROLE_LABEL[persona.role] ?? persona.role }),
    ),
    h('a', {
      class: 'session-link',
      href: '/login',
      'data-logout': true,
      text: 'Log out',
      onclick: () => setPersona(null),
    }),
  );
}
