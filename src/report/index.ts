import type { WhatIfResult } from '../analyse/whatif.js';
import { csvChunks } from './csv.js';
import { htmlChunks } from './html/index.js';
import { jsonChunks, renderJson } from './json.js';
import { markdownChunks, renderWhatIfMarkdown } from './markdown.js';
import { ndjsonChunks } from './ndjson.js';
import { prometheusChunks } from './prometheus.js';
import { type ListPlace, sarifChunks } from './sarif.js';
import type { ReportDocument } from './spill.js';
import { renderWhatIfTable, tableChunks } from './table.js';

// One entry point per report kind; renderers return strings, or pieces of one, and the CLI writes
// them (stdout or --output), so the library never touches a stream.

export type Format = 'table' | 'json' | 'ndjson' | 'csv' | 'markdown' | 'html' | 'sarif' | 'prometheus';
export const FORMATS: readonly Format[] = [
  'table',
  'json',
  'ndjson',
  'csv',
  'markdown',
  'html',
  'sarif',
  'prometheus',
];

export type WhatIfFormat = 'table' | 'json' | 'markdown';
export const WHATIF_FORMATS: readonly WhatIfFormat[] = ['table', 'json', 'markdown'];

export interface RenderOptions {
  /** ANSI colour in the table format; the CLI decides from TTY and NO_COLOR. */
  color: boolean;
  /** Evidence behind every dependency (table and markdown); the table then has a column per layer. */
  explain?: boolean;
  /** The domain list read (sarif: the results' artifact), and where each domain stands in it. */
  source?: string;
  places?: ReadonlyMap<string, ListPlace>;
  /** Seconds the audit took (prometheus), when this render ends a run. */
  durationSeconds?: number;
  /** Columns the table may use (the terminal's width). */
  width?: number;
  /** Only this domain's details (table). */
  domain?: string;
}

/**
 * The report in pieces, to be written one after another: no single string grows with the number
 * of domains (a whole JSON or HTML document of ~70k domains would pass V8's 512 MiB string limit).
 */
export function renderChunks(doc: ReportDocument, format: Format, opts: RenderOptions): Iterable<string> {
  switch (format) {
    case 'table':
      return tableChunks(doc, opts);
    case 'json':
      return jsonChunks(doc);
    case 'ndjson':
      return ndjsonChunks(doc);
    case 'csv':
      return csvChunks(doc);
    case 'markdown':
      return markdownChunks(doc, opts);
    case 'html':
      return htmlChunks(doc);
    case 'sarif':
      return sarifChunks(doc, {
        ...(opts.source !== undefined ? { source: opts.source } : {}),
        ...(opts.places ? { places: opts.places } : {}),
      });
    case 'prometheus':
      return prometheusChunks(
        doc,
        opts.durationSeconds !== undefined ? { durationSeconds: opts.durationSeconds } : {},
      );
  }
}

/** The report as one string (for a document of a few tens of thousands of domains at most). */
export function render(doc: ReportDocument, format: Format, opts: RenderOptions): string {
  return [...renderChunks(doc, format, opts)].join('');
}

export function renderWhatIf(result: WhatIfResult, format: WhatIfFormat, opts: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderWhatIfTable(result, opts);
    case 'json':
      return renderJson(result);
    case 'markdown':
      return renderWhatIfMarkdown(result);
  }
}

export { renderNdjsonLine, renderNdjsonSummary } from './ndjson.js';
