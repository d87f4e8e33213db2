// @ts-check
/**
 * The customer's two actions, optimistic through `client.mutate`: cancel
 * (while the order has not shipped) and edit the delivery instructions.
 * Each shows pending at once, then confirmed, or rolled back with the
 * reason.
 *
 * Focus: it moves only when the customer acts (opening the editor focuses
 * the text box, closing it returns to the Edit button). An update never
 * moves it: a control that is no longer useful but holds the focus is
 * marked unavailable and disappears once the focus leaves it; an open
 * editor or confirmation stays open while the order moves on (the server
 * then says whether it is still possible).
 */

import { byId, hasFocus, setAttr, setText, show } from './dom.js';
import { icon, setIcon } from './icons.js';
import { refusalText } from './track-format.js';

/** @typedef {import('/sdk/index.js').OrderView} OrderView */
/** @typedef {import('/sdk/index.js').TrackwireClient} TrackwireClient */
/**
 * What became of the customer's last action of a kind; `seq` is the event
 * that stored a confirmed one.
 * @typedef {{ state: 'idle' | 'pending' | 'confirmed' | 'rolled_back', text: string, detail?: string, seq?: number }} Feedback
 */

const CANCELLABLE = new Set(['placed', 'confirmed', 'preparing']);

/**
 * Hides `button` unless it holds the focus; then it stays, marked
 * unavailable, until the focus leaves.
 * @param {HTMLButtonElement} button
 * @param {boolean} wanted
 */
function keepOrRetire(button, wanted) {
  if (wanted) {
    setAttr(button, 'aria-disabled', null);
    show(button, true);
    return;
  }
  if (hasFocus(button)) {
    setAttr(button, 'aria-disabled', 'true');
    button.addEventListener('blur', () => button.getAttribute('aria-disabled') === 'true' && show(button, false), {
      once: true,
    });
    return;
  }
  show(button, false);
}

/**
 * @param {HTMLElement} node a `role="status"` paragraph
 * @param {Feedback} feedback
 */
function renderFeedback(node, feedback) {
  setAttr(node, 'data-state', feedback.state);
  const iconName = feedback.state === 'pending' ? 'spinner' : feedback.state === 'confirmed' ? 'check' : 'alert';
  if (!node.querySelector('.feedback__text')) {
    const body = Object.assign(document.createElement('span'), { className: 'feedback__body' });
    body.append(
      Object.assign(document.createElement('span'), { className: 'feedback__text' }),
      Object.assign(document.createElement('span'), { className: 'feedback__detail' }),
    );
    node.replaceChildren(icon(iconName, 'icon'), body);
    node.firstElementChild?.setAttribute('data-icon', iconName);
  }
  setIcon(node, iconName, `icon${feedback.state === 'pending' ? ' icon--spin' : ''}`);
  setText(node.querySelector('.feedback__text'), feedback.text);
  setText(node.querySelector('.feedback__detail'), feedback.detail ?? '');
}

/**
 * A confirmed outcome (the server acked it) whose event the view has not
 * applied yet is still shown as pending, so the page never says "saved"
 * above data that does not have it yet.
 * @param {Feedback} feedback
 * @param {OrderView} server
 * @param {string} text
 * @returns {Feedback}
 */
function settled(feedback, server, text) {
  const waiting = feedback.state === 'confirmed' && (feedback.seq ?? 0) > server.seq;
  return waiting ? { state: 'pending', text } : feedback;
}

/**
 * @param {{ client: TrackwireClient, orderId: string, rerender: () => void }} options
 */
export function createActions({ client, orderId, rerender }) {
  const editButton = /** @type {HTMLButtonElement} */ (byId('instructions-edit'));
  const form = /** @type {HTMLFormElement} */ (byId('instructions-form'));
  const input = /** @type {HTMLTextAreaElement} */ (byId('instructions-input'));
  const count = byId('instructions-count');
  const discard = byId('instructions-discard');
  const formNote = byId('instructions-form-note');
  const instructionsFeedback = byId('instructions-feedback');

  const cancelCard = byId('cancel-card');
  const cancelHint = byId('cancel-hint');
  const cancelButton = /** @type {HTMLButtonElement} */ (byId('cancel-open'));
  const confirm = byId('cancel-confirm');
  const confirmNote = byId('cancel-confirm-note');
  const yes = byId('cancel-yes');
  const no = byId('cancel-no');
  const cancelFeedback = byId('cancel-feedback');

  /** @type {Feedback} */
  let instructionsState = { state: 'idle', text: '' };
  /** @type {Feedback} */
  let cancelState = { state: 'idle', text: '' };
  let editing = false;
  let confirming = false;
  /** @type {OrderView | null} */
  let server = null;

  // --- instructions -------------------------------------------------------

  editButton.addEventListener('click', () => {
    if (editButton.getAttribute('aria-disabled') === 'true') return;
    editing = true;
    const shown = client.getOrder(orderId);
    input.value = shown?.instructions ?? '';
    updateCount();
    rerender();
    input.focus();
  });
  input.addEventListener('input', updateCount);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeEditor();
  });
  discard.addEventListener('click', closeEditor);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    closeEditor();
    instructionsState = { state: 'pending', text: 'Saving your instructions…' };
    rerender();
    void client.mutate(orderId, 'change_instructions', { text }).then((outcome) => {
      if (outcome.state === 'confirmed') {
        instructionsState = {
          state: 'confirmed',
          text: text ? 'Instructions saved.' : 'Instructions removed.',
          seq: outcome.seq,
        };
      } else {
        instructionsState = {
          state: 'rolled_back',
          text: `Not saved. ${refusalText('change_instructions', outcome.code, outcome.reason)}`,
          detail: ' Your previous instructions are shown again.',
        };
      }
      rerender();
    });
  });

  function updateCount() {
    setText(count, `${input.value.length} / ${input.maxLength}`);
  }

  function closeEditor() {
    editing = false;
    rerender();
    // The customer closed it: back to where they opened it.
    if (!editButton.hidden) editButton.focus();
  }

  // --- cancel -------------------------------------------------------------

  cancelButton.addEventListener('click', () => {
    if (cancelButton.getAttribute('aria-disabled') === 'true') return;
    confirming = true;
    rerender();
    no.focus();
  });
  no.addEventListener('click', () => {
    confirming = false;
    rerender();
    if (!cancelButton.hidden) cancelButton.focus();
  });
  confirm.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') no.click();
  });
  yes.addEventListener('click', () => {
    confirming = false;
    cancelState = { state: 'pending', text: 'Cancelling your order…' };
    rerender();
    cancelFeedback.focus();
    void client.mutate(orderId, 'cancel', { reason: 'Cancelled by the customer' }).then((outcome) => {
      cancelState =
        outcome.state === 'confirmed'
          ? { state: 'confirmed', text: 'Your order is cancelled. You will not be charged for it.', seq: outcome.seq }
          : { state: 'rolled_back', text: `Your order was not cancelled. ${refusalText('cancel', outcome.code, outcome.reason)}` };
      rerender();
    });
  });

  return {
    /**
     * @param {OrderView & { pending?: { status?: boolean, instructions?: boolean } }} shown the view with pending changes
     * @param {OrderView} serverView the server's view
     */
    render(shown, serverView) {
      server = serverView;
      const final = server.final;

      // Instructions.
      const instructions = shown.instructions ?? '';
      setText(
        byId('instructions-text'),
        instructions || (final ? 'None' : 'None yet. Add a gate code, a floor, or where to leave it.'),
      );
      byId('instructions-text').classList.toggle('is-empty', instructions === '');
      const instructionsShown = settled(instructionsState, server, 'Saving your instructions…');
      // Saving: this page's change is on its way (the SDK's pending flag
      // can outlive the confirmation, so the page's own state decides).
      show(byId('instructions-pending'), instructionsShown.state === 'pending');
      setText(editButton.querySelector('.btn__label'), instructions ? 'Edit' : 'Add');
      setAttr(editButton, 'aria-label', instructions ? 'Edit delivery instructions' : 'Add delivery instructions');
      show(form, editing);
      if (editing) keepOrRetire(editButton, false);
      else keepOrRetire(editButton, !final);
      show(formNote, editing && final);
      renderFeedback(instructionsFeedback, instructionsShown);

      // Cancel.
      const cancellable = CANCELLABLE.has(server.status) && !shown.pending?.status;
      show(confirm, confirming);
      show(confirmNote, confirming && !CANCELLABLE.has(server.status));
      if (confirming) keepOrRetire(cancelButton, false);
      else keepOrRetire(cancelButton, cancellable);
      renderFeedback(cancelFeedback, settled(cancelState, server, 'Cancelling your order…'));
      show(cancelHint, cancellable);
      show(cancelCard, cancellable || confirming || cancelState.state !== 'idle' || !cancelButton.hidden);
    },
  };
}
