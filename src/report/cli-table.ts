// cli-table3, with its two slow paths worked around; the drawn output is unchanged.
//
// 1. Every cell it draws, line by line, first shortens the cell's whole content to 10 columns for
// a debug message that is thrown away unless its debug level is raised (we never raise it). For
// content of several lines that shortening drops one character at a time, measuring every line
// again after each: ~4,500 width measurements per row of our domain table, 5 ms a row (upstream
// issue #68; fix proposed in pull request #362, not released as of 0.6.5). Only that debug call
// passes multi-line text to `truncate` (a drawn line never holds a newline), so text with a
// newline goes back unchanged. And while tableBlocks draws, every column is at least as wide as
// its widest line (cli-table3's own widths, or the same widths computed here), so nothing drawn
// needs shortening and `truncate` returns its text at once. cell.js reads `utils.truncate` at each
// call, hence the wrapper on the module object. A cli-table3 whose utils differ is left alone.
//
// 2. Its layout is quadratic: placing each cell scans every row above it (to honour row spans),
// so a table of n rows costs n² (~1 s at 6,000 rows, hours at 1M). Long tables are drawn in
// blocks of rows that share the whole table's column widths, stitched into what one table would
// have drawn, and handed out block by block, so no single string grows with the list.

import { createRequire } from 'node:module';
import Table from 'cli-table3';

type Truncate = ((str: string, desiredLength: number, truncateChar?: string) => string) & {
  [PATCHED]?: true;
};
interface Utils {
  truncate?: Truncate;
  strlen?: (str: string) => number;
}

const require = createRequire(import.meta.url);
const PATCHED = Symbol.for('singlepath.cli-table3.truncate');
/** Set while tableBlocks draws a table whose columns fit every line in them. */
let fitted = false;

function drawFitted(table: InstanceType<typeof Table>): string {
  fitted = true;
  try {
    return table.toString();
  } finally {
    fitted = false;
  }
}

function loadUtils(): Utils | null {
  try {
    return require('cli-table3/src/utils.js') as Utils;
  } catch {
    return null;
  }
}

/** True when the wrapper is in place (tests). */
export function patchTruncate(): boolean {
  const utils = loadUtils();
  const original = utils?.truncate;
  if (!utils || typeof original !== 'function' || original.length !== 3) return false;
  if (original[PATCHED]) return true;
  const truncate: Truncate = (str, desiredLength, truncateChar) =>
    fitted || (typeof str === 'string' && str.includes('\n'))
      ? str
      : original(str, desiredLength, truncateChar);
  truncate[PATCHED] = true;
  utils.truncate = truncate;
  return true;
}

patchTruncate();

export default Table;

/** Rows per block: small enough that the quadratic layout stays cheap. */
export const BLOCK_ROWS = 200;

export interface TableSpec {
  head: string[];
  /** Read twice when long (widths, then blocks): an array, or an object that makes them again. */
  rows: Iterable<string[]>;
  style: { head: string[]; border: string[] };
}

/** A top border made the separator drawn between rows (cli-table3's default box characters). */
const AS_SEPARATOR: Record<string, string> = { '┌': '├', '┬': '┼', '┐': '┤' };

/**
 * The table cli-table3 would draw for `spec` (no trailing newline), in pieces of at most
 * `blockRows` rows. Each column is as wide as cli-table3 makes it: its widest cell (the widest
 * line in it, measured by cli-table3 itself) plus one space of padding on either side.
 */
export function* tableBlocks(spec: TableSpec, blockRows = BLOCK_ROWS): Generator<string> {
  const { head, rows, style } = spec;
  if (!Array.isArray(rows) && (rows[Symbol.iterator]() as unknown) === rows)
    throw new TypeError('tableBlocks reads its rows twice: give an array or an object that makes them again');
  const measure = loadUtils()?.strlen;
  // First pass: the widths, and the rows themselves while they fit in one block.
  const widths = head.map((h) => (measure ? measure(h) + 2 : 0));
  let first: string[][] | null = [];
  for (const row of rows) {
    if (first) {
      first.push(row);
      if (first.length > blockRows && measure) first = null;
    }
    if (measure)
      for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, measure(cell) + 2);
  }
  if (first) {
    const table = new Table({ head, style });
    for (const row of first) table.push(row);
    yield drawFitted(table);
    return;
  }
  let block: string[][] = [];
  let drawn = 0;
  const draw = (last: boolean): string => {
    // cli-table3 writes the computed widths back into colWidths and its style: a copy each.
    const table = new Table({
      head: drawn === 0 ? head : [],
      colWidths: [...widths],
      style: { head: [...style.head], border: [...style.border] },
    });
    for (const row of block) table.push(row);
    const lines = drawFitted(table).split('\n');
    if (drawn > 0) lines[0] = lines[0]!.replace(/[┌┬┐]/g, (c) => AS_SEPARATOR[c]!);
    if (!last) lines.pop();
    const text = `${drawn === 0 ? '' : '\n'}${lines.join('\n')}`;
    drawn += block.length;
    block = [];
    return text;
  };
  // Second pass: a block is drawn once the next row shows it is not the last.
  for (const row of rows) {
    if (block.length === blockRows) yield draw(false);
    block.push(row);
  }
  yield draw(true);
}
