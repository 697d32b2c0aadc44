import type { SnapshotDiff } from '../../snapshot/diff.js';
import { diffJsonChunks } from './json.js';
import { renderDiffMarkdown } from './markdown.js';
import { renderDiffTable } from './table.js';

// One entry point for the drift report; like the other renderers it returns a string, or pieces.

export type DiffFormat = 'table' | 'json' | 'markdown';
export const DIFF_FORMATS: readonly DiffFormat[] = ['table', 'json', 'markdown'];

export interface DiffRenderOptions {
  /** ANSI colour in the table format; the CLI decides from TTY and NO_COLOR. */
  color: boolean;
  /** Markdown rows per section (default 100). */
  maxRows?: number;
}

/** The drift report in pieces (json item by item; table and markdown are one piece). */
export function renderDiffChunks(
  diff: SnapshotDiff,
  format: DiffFormat,
  opts: DiffRenderOptions,
): Iterable<string> {
  switch (format) {
    case 'table':
      return [renderDiffTable(diff, opts)];
    case 'json':
      return diffJsonChunks(diff);
    case 'markdown':
      return [renderDiffMarkdown(diff, { maxRows: opts.maxRows })];
  }
}

export function renderDiff(diff: SnapshotDiff, format: DiffFormat, opts: DiffRenderOptions): string {
  return [...renderDiffChunks(diff, format, opts)].join('');
}
