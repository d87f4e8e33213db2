// @ts-check
/**
 * Who is using the pages, and the one SDK client of a page. The demo's
 * login page stores the chosen persona here (sessionStorage: one tab's
 * login, gone when it closes); `getToken` hands the client that persona's
 * token and, when the server asks for a fresh one, fetches a new token for
 * the same persona from `/v1/demo/personas` (none outside the demo: the
 * SDK then says the session expired, and the page offers to sign in
 * again). Without a login, pages run as whoever the server lets in without
 * a token (the demo's development identity). A change of persona tells the
 * page's client at once, so the tab leaves the old person's tab group.
 */

import { TrackwireClient } from '/sdk/index.js';

const KEY = 'trackwire.persona.v1';

/**
 * @typedef {object} Persona
 * @property {string} name
 * @property {string} description
 * @property {string} subject
 * @property {string} role
 * @property {string} tenant
 * @property {string} token
 */

/** @returns {Persona | null} */
export function currentPersona() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** @param {Persona | null} persona */
export function setPersona(persona) {
  if (persona) sessionStorage.setItem(KEY, JSON.stringify(persona));
  else sessionStorage.removeItem(KEY);
  client?.reauthenticate();
}

/** @returns {Promise<Persona[]>} the demo's personas (empty outside the demo) */
export async function listPersonas() {
  const response = await fetch('/v1/demo/personas');
  if (!response.ok) return [];
  return response.json();
}

/**
 * The logged-in persona's token; on `refresh`, a new one for the same
 * persona, or null when there is none to be had (the old one was refused).
 * @param {{ refresh: boolean }} options
 * @returns {Promise<string | null>}
 */
export async function getToken({ refresh }) {
  const persona = currentPersona();
  if (!persona) return null;
  if (!refresh) return persona.token;
  const fresh = (await listPersonas()).find((p) => p.subject === persona.subject);
  if (!fresh) return null;
  sessionStorage.setItem(KEY, JSON.stringify(fresh));
  return fresh.token;
}

/**
 * `fetch` for the REST API with the persona's token.
 * @param {string} path
 * @param {RequestInit} [init]
 */
export async function apiFetch(path, init = {}) {
  const token = await getToken({ refresh: false });
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return fetch(path, { ...init, headers });
}

/** @type {TrackwireClient | null} */
let client = null;

/** The page's one client (created on first use). */
export function sdk() {
  client ??= new TrackwireClient({ getToken });
  return client;
}
