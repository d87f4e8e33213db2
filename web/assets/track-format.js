// @ts-check
/**
 * The tracking page's own words: the sentence under a status's headline,
 * and what a refused action means for the customer. The words every page
 * shares are in labels.js, times in format.js.
 */

/**
 * The sentence under the headline.
 * @param {string} status
 * @param {{ courierName?: string | null }} [context]
 */
export function statusDescription(status, { courierName } = {}) {
  switch (status) {
    case 'placed':
      return 'We have your order and are passing it to the shop.';
    case 'confirmed':
      return 'The shop has confirmed your order.';
    case 'preparing':
      return 'The shop is getting your order ready.';
    case 'shipped':
      return 'Your order has left the shop.';
    case 'out_for_delivery':
      return courierName ? `${courierName} is on the way to you.` : 'Your order is on the way to you.';
    case 'delivered':
      return 'Your order has been delivered. Enjoy!';
    case 'cancelled':
      return 'This order was cancelled.';
    case 'returned':
      return 'This order is being returned to the shop.';
    default:
      return '';
  }
}

/**
 * Why an action was rolled back, in the customer's words.
 * @param {string} action `cancel` or `change_instructions`
 * @param {string | undefined} code the server's code (or `timeout`)
 * @param {string | undefined} message the server's message
 */
export function refusalText(action, code, message) {
  switch (code) {
    case 'invalid_transition':
      return action === 'cancel'
        ? 'It has already shipped, so it can no longer be cancelled.'
        : 'The order has moved on, so this can no longer be changed.';
    case 'order_final':
      return 'This order is complete, so it can no longer be changed.';
    case 'not_allowed_in_status':
      return 'That is not possible at this stage of the order.';
    case 'forbidden':
      return 'Your account is not allowed to change this order.';
    case 'order_not_found':
      return 'We could not find this order.';
    case 'timeout':
      return 'The server did not answer in time. Nothing was changed; please try again.';
    case 'validation_failed':
      return message ? `The server did not accept it: ${message}` : 'The server did not accept it.';
    case 'rate_limited':
      return 'Too many attempts; please wait a moment and try again.';
    default:
      return message || (code ? `The server refused it (${code}).` : 'The server refused it.');
  }
}
