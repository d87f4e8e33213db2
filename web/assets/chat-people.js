// @ts-check
/**
 * Who the people in an order's chat are, as the panel names them: the
 * order's customer and courier by name, everyone else by role.
 */

/** @typedef {import('/sdk/index.js').OrderView} OrderView */

/**
 * Who is using the panel (a persona of session.js fits).
 * @typedef {object} Me
 * @property {string} subject
 * @property {string} role customer, courier, dispatcher, admin or service
 * @property {string} [name]
 */

/**
 * One person as the panel names them.
 * @typedef {object} Person
 * @property {string} role
 * @property {string} label "Customer", "Courier", "Support"
 * @property {string} [name] their name, when the order has it
 */

/** @typedef {(subject: string | undefined) => Person} Namer */

/** @type {Record<string, string>} */
const ROLE_LABELS = {
  customer: 'Customer',
  courier: 'Courier',
  dispatcher: 'Support',
  admin: 'Support',
  service: 'Shop',
};

/**
 * "Customer", "Courier", "Support" (dispatchers and admins), "Shop".
 * @param {string} role
 */
export function roleLabel(role) {
  return ROLE_LABELS[role] ?? 'Support';
}

/**
 * Names subjects for one render, from the order and what presence said.
 * @param {OrderView | null} order
 * @param {Map<string, string>} roles subject → role
 * @param {boolean} staffViewer the panel's user is staff
 * @returns {Namer}
 */
export function personNamer(order, roles, staffViewer) {
  /**
   * Staff see which colleague it was (their subject); customers and
   * couriers see "Support".
   * @param {string | undefined} subject
   */
  return (subject) => {
    const person = personOf(subject, order, roles);
    if (staffViewer && subject && !person.name && person.role !== 'customer' && person.role !== 'courier') {
      person.name = subject;
    }
    return person;
  };
}

/**
 * Who `subject` is: the order's customer or courier (with their name), or
 * staff. Only they may write or type in an order's chat.
 * @param {string | undefined} subject
 * @param {OrderView | null} order
 * @param {Map<string, string>} roles what presence said
 * @returns {Person}
 */
function personOf(subject, order, roles) {
  if (subject && order?.customer?.id === subject) {
    return { role: 'customer', label: 'Customer', name: order.customer.name || undefined };
  }
  if (subject && order?.courier?.id === subject) {
    return { role: 'courier', label: 'Courier', name: order.courier.name || undefined };
  }
  const role = (subject && roles.get(subject)) || 'dispatcher';
  return { role, label: roleLabel(role) };
}

/**
 * "Ada" (a first name), else "Support", "The courier", "The customer".
 * @param {Person} person
 */
export function shortName(person) {
  if (person.name) return person.name.trim().split(/\s+/)[0] ?? person.name;
  if (person.role === 'courier') return 'The courier';
  if (person.role === 'customer') return 'The customer';
  return person.label;
}
