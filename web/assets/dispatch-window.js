// @ts-check
/**
 * Which of the dashboard's rows are in the DOM: those in the viewport, a
 * margin above and below so a scroll shows rows at once, and the pinned
 * ones (the selected row, the row with the keyboard focus) wherever they
 * are. Between them, spacers of the missing rows' height keep the page as
 * long as the whole list, so the scroll bar and positions stay true. Pure:
 * the table (dispatch-table.js) measures and builds the DOM.
 */

/** Rows kept in the DOM above and below the viewport. */
export const OVERSCAN = 8;

/**
 * @typedef {object} Geometry
 * @property {number} count rows in the list
 * @property {number} rowHeight px (an estimate: rows are about the same)
 * @property {number} above px of the list above the viewport's top (0 when
 *   the list starts below it)
 * @property {number} viewport px of the viewport's height
 * @property {number[]} [pinned] indices that stay in the DOM
 */

/**
 * The pieces of the list in DOM order: a row's index, or a spacer standing
 * for `rows` rows that are not there.
 * @typedef {{ kind: 'row', index: number } | { kind: 'spacer', rows: number }} Piece
 */

/**
 * @param {Geometry} geometry
 * @returns {Piece[]}
 */
export function windowRows({ count, rowHeight, above, viewport, pinned = [] }) {
  if (count <= 0) return [];
  const height = Math.max(1, rowHeight);
  const first = Math.max(0, Math.floor(Math.max(0, above) / height) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil((Math.max(0, above) + viewport) / height) + OVERSCAN);
  const indices = new Set();
  for (let i = first; i <= last; i += 1) indices.add(i);
  for (const i of pinned) if (i >= 0 && i < count) indices.add(i);
  /** @type {Piece[]} */
  const pieces = [];
  let next = 0;
  for (const index of [...indices].sort((a, b) => a - b)) {
    if (index > next) pieces.push({ kind: 'spacer', rows: index - next });
    pieces.push({ kind: 'row', index });
    next = index + 1;
  }
  if (next < count) pieces.push({ kind: 'spacer', rows: count - next });
  return pieces;
}
