// @ts-check
/**
 * The chat's message box and its Send button. Enter sends, Shift+Enter
 * starts a new line, the box grows with its text, a count appears near the
 * limit, and the others are told while you type.
 */

import { h, setAttr, setText } from './dom.js';
import { icon } from './icons.js';

/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */

/** The server's limit for one message. */
export const MAX_LENGTH = 2000;

/** From this many characters on, the box shows how many are left. */
const COUNT_FROM = 1800;

/**
 * @param {object} options
 * @param {string} options.uid the panel's prefix for element ids
 * @param {TrackwireClient} options.client
 * @param {string} options.orderId
 * @param {() => boolean} options.canSend false once the chat has refused us
 * @param {(text: string) => void} options.onSend a message to send: trimmed, not empty, within the limit
 */
export function createComposer({ uid, client, orderId, canSend, onSend }) {
  const input = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: `${uid}-input`,
      class: 'field__input chat__input',
      rows: '1',
      maxlength: String(MAX_LENGTH),
      placeholder: 'Write a message…',
      autocomplete: 'off',
      'aria-describedby': `${uid}-hint ${uid}-count`,
    })
  );
  const send = /** @type {HTMLButtonElement} */ (
    h(
      'button',
      { type: 'submit', class: 'btn btn--primary chat__send', disabled: true },
      icon('send', 'icon chat__send-icon'),
      h('span', { class: 'chat__send-label', text: 'Send' }),
    )
  );
  const count = h('span', { id: `${uid}-count`, class: 'field__count chat__count' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'chat__form', novalidate: true },
      h('label', { for: `${uid}-input`, class: 'visually-hidden', text: 'Message' }),
      h('div', { class: 'chat__compose' }, input, send),
      h('p', { class: 'chat__hint' }, h('span', { id: `${uid}-hint`, text: 'Enter to send, Shift+Enter for a new line.' }), count),
    )
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    autosize();
    updateCompose();
    if (input.value.trim() === '') client.stopTyping(orderId);
    else client.typing(orderId);
  });
  input.addEventListener('blur', () => {
    if (input.value.trim() === '') client.stopTyping(orderId);
  });

  function submit() {
    const text = input.value.trim();
    if (!canSend() || text === '' || text.length > MAX_LENGTH) return;
    const buttonHadFocus = document.activeElement === send;
    input.value = '';
    autosize();
    updateCompose();
    if (buttonHadFocus) input.focus({ preventScroll: true });
    onSend(text);
  }

  function updateCompose() {
    const length = input.value.length;
    send.disabled = input.value.trim() === '';
    setText(count, length >= COUNT_FROM ? `${length.toLocaleString('en')} / ${MAX_LENGTH.toLocaleString('en')}` : '');
    setAttr(count, 'data-full', length >= MAX_LENGTH ? 'true' : null);
  }

  /** Grows the box with its text, up to its CSS max-height. */
  function autosize() {
    input.style.height = 'auto';
    if (input.value !== '') input.style.height = `${input.scrollHeight + 2}px`;
    else input.style.height = '';
  }

  return {
    form,
    /** Puts the keyboard in the box, scrolling nothing. */
    focus() {
      input.focus({ preventScroll: true });
    },
  };
}
