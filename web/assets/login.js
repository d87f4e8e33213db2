// @ts-check
/**
 * /login: the demo's people (`GET /v1/demo/personas`) as cards. Choosing
 * one keeps it for this tab (`setPersona`) and goes where that person
 * starts:
 * - staff (dispatcher, admin, service): the dashboard, /dispatch;
 * - the operator: the ops console, /ops;
 * - a customer or a courier: the tracking page of their first order. That
 *   is found with their own token: `GET /v1/orders` lists only the orders a
 *   customer placed or a courier is assigned (newest first, paged by
 *   `next`), and the oldest of them is their first (ZX-1001 for Ada,
 *   ZX-1002 for Grace). A courier not yet assigned anything gets the order
 *   their description names ("courier of ZX-1001").
 * Outside the demo the list is empty and the page says personas are a
 * demo feature.
 */

import { byId, h } from '/assets/dom.js';
import { initials } from '/assets/format.js';
import { icon } from '/assets/icons.js';
import { STAFF, roleName } from '/assets/labels.js';
import { apiFetch, currentPersona, listPersonas, setPersona } from '/assets/session.js';
import { mountHeader } from '/assets/site-header.js';

/** @typedef {import('/assets/session.js').Persona} Persona */

/** At most this many pages of a person's orders are read to find the first. */
const MAX_PAGES = 20;

const list = byId('personas');
const status = byId('login-status');

mountHeader('login');

/**
 * Where `persona` starts (they are already stored as the current persona,
 * so `apiFetch` calls as them).
 * @param {Persona} persona
 * @returns {Promise<string>}
 */
async function destinationFor(persona) {
  if (STAFF.has(persona.role)) return '/dispatch';
  if (persona.role === 'operator') return '/ops';
  const id = (await firstOrder()) ?? orderNamedIn(persona.description);
  return id ? `/track/${encodeURIComponent(id)}` : '/';
}

/**
 * The oldest order the current persona may read, or null.
 * @returns {Promise<string | null>}
 */
async function firstOrder() {
  /** @type {{ id: string, at: number } | null} */
  let oldest = null;
  /** @type {string | undefined} */
  let cursor;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const response = await apiFetch(`/v1/orders?${query}`);
    if (!response.ok) break;
    /** @type {{ items: { id: string, createdAt?: string }[], next?: string }} */
    const body = await response.json();
    for (const order of body.items) {
      const at = Date.parse(order.createdAt ?? '');
      const when = Number.isFinite(at) ? at : Infinity;
      if (!oldest || when < oldest.at) oldest = { id: order.id, at: when };
    }
    if (!body.next) break;
    cursor = body.next;
  }
  return oldest?.id ?? null;
}

/**
 * "customer of ZX-1001" → "ZX-1001".
 * @param {string} text
 */
function orderNamedIn(text) {
  return /\b[A-Z]{1,8}-\d+\b/.exec(text ?? '')?.[0] ?? null;
}

/**
 * @param {Persona} persona
 */
function whereTo(persona) {
  if (STAFF.has(persona.role)) return 'Opens the dispatcher dashboard.';
  return persona.role === 'courier' ? 'Opens the order they deliver.' : 'Opens their order’s tracking page.';
}

/** @type {HTMLButtonElement[]} */
const buttons = [];

/**
 * @param {Persona} persona
 * @param {HTMLButtonElement} button
 */
async function choose(persona, button) {
  for (const b of buttons) b.disabled = true;
  button.setAttribute('aria-busy', 'true');
  status.removeAttribute('data-tone');
  status.textContent = `Logging in as ${persona.name}…`;
  setPersona(persona);
  try {
    location.assign(await destinationFor(persona));
  } catch {
    status.dataset.tone = 'error';
    status.textContent = `Logged in as ${persona.name}, but their page could not be found. The server may be gone.`;
    for (const b of buttons) b.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

async function start() {
  /** @type {Persona[]} */
  let personas = [];
  try {
    personas = await listPersonas();
  } catch {
    personas = [];
  }
  list.setAttribute('aria-busy', 'false');
  if (!Array.isArray(personas) || personas.length === 0) {
    list.hidden = true;
    byId('not-demo').hidden = false;
    return;
  }
  byId('demo-note').hidden = false;
  const current = currentPersona();
  list.replaceChildren(
    ...personas.map((persona) => {
      const isCurrent = current?.subject === persona.subject;
      const role = roleName(persona.role);
      const titleId = `persona-${persona.subject}`;
      const button = /** @type {HTMLButtonElement} */ (
        h(
          'button',
          { type: 'button', class: 'btn btn--primary', 'aria-describedby': `${titleId}-desc` },
          h('span', { text: `Continue as ${persona.name.split(' ')[0]}` }),
          h('span', { class: 'visually-hidden', text: ` (${persona.name})` }),
          icon('arrow'),
        )
      );
      button.addEventListener('click', () => choose(persona, button));
      buttons.push(button);
      return h(
        'li',
        {
          class: 'card persona-card',
          dataset: { subject: persona.subject, role: persona.role },
          'data-current': isCurrent,
          'aria-labelledby': titleId,
        },
        h(
          'div',
          { class: 'persona-top' },
          h('span', { class: 'persona-avatar', dataset: { role: persona.role }, 'aria-hidden': 'true', text: initials(persona.name) }),
          h('div', {}, h('h2', { id: titleId, text: persona.name }), h('span', { class: 'persona-role', text: role })),
        ),
        h('p', { class: 'persona-desc', id: `${titleId}-desc` }, capitalize(persona.description), '. ', whereTo(persona)),
        h(
          'div',
          { class: 'persona-foot' },
          button,
          isCurrent ? h('span', { class: 'persona-current' }, icon('check-circle'), 'Logged in now') : '',
        ),
      );
    }),
  );
}

/** @param {string} text */
function capitalize(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : '';
}

start();
