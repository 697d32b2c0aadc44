import type { AuditDocument, DomainResult, Summary } from '../types.js';
import { escapeJsonText } from './escape.js';

// One JSON object per line, so a streamed audit can emit each domain as soon as it is done and the
// portfolio summary last. JSON.stringify escapes \n inside strings, so a line is always one record.

export function renderNdjsonLine(result: DomainResult): string {
  // The same text as stringifying { type: 'domain', ...result }, without copying the result.
  return `{"type":"domain",${escapeJsonText(JSON.stringify(result)).slice(1)}\n`;
}

export function renderNdjsonSummary(summary: Summary): string {
  return `${escapeJsonText(JSON.stringify({ type: 'summary', ...summary }))}\n`;
}

export function renderNdjson(doc: AuditDocument): string {
  return doc.domains.map(renderNdjsonLine).join('') + renderNdjsonSummary(doc.summary);
}
