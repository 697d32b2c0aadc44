import type { WhatIfResult } from '../analyse/whatif.js';
import type { AuditDocument } from '../types.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown, renderWhatIfMarkdown } from './markdown.js';
import { renderNdjson } from './ndjson.js';
import { renderTable, renderWhatIfTable } from './table.js';

// One entry point per report kind; renderers return strings and the CLI writes them (stdout or
// --output), so the library never touches a stream.

export type Format = 'table' | 'json' | 'ndjson' | 'csv' | 'markdown' | 'html';
export const FORMATS: readonly Format[] = ['table', 'json', 'ndjson', 'csv', 'markdown', 'html'];

export type WhatIfFormat = 'table' | 'json' | 'markdown';
export const WHATIF_FORMATS: readonly WhatIfFormat[] = ['table', 'json', 'markdown'];

export interface RenderOptions {
  /** ANSI colour in the table format; the CLI decides from TTY and NO_COLOR. */
  color: boolean;
  /** Evidence behind every dependency (table and markdown). */
  explain?: boolean;
}

export function render(doc: AuditDocument, format: Format, opts: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(doc, opts);
    case 'json':
      return renderJson(doc);
    case 'ndjson':
      return renderNdjson(doc);
    case 'csv':
      return renderCsv(doc);
    case 'markdown':
      return renderMarkdown(doc, opts);
    case 'html':
      return renderHtml(doc);
  }
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
