import type { DomainResult, ResolverUse, Summary } from '../types.js';
import { batched } from './chunks.js';
import { escapeJsonText } from './escape.js';
import type { ReportDocument } from './spill.js';

// One JSON object per line, so a streamed audit can emit each domain as soon as it is done and the
// portfolio summary last. JSON.stringify escapes \n inside strings, so a line is always one record.

export function renderNdjsonLine(result: DomainResult): string {
  // The same text as stringifying { type: 'domain', ...result }, without copying the result.
  return `{"type":"domain",${escapeJsonText(JSON.stringify(result)).slice(1)}\n`;
}

/** The last line: the portfolio summary, and the resolvers asked when the run knows them. */
export function renderNdjsonSummary(summary: Summary, resolvers?: readonly ResolverUse[]): string {
  const line = resolvers ? { type: 'summary', ...summary, resolvers } : { type: 'summary', ...summary };
  return `${escapeJsonText(JSON.stringify(line))}\n`;
}

function* lines(domains: Iterable<DomainResult>): Generator<string> {
  for (const d of domains) yield renderNdjsonLine(d);
}

export function* ndjsonChunks(doc: ReportDocument): Generator<string> {
  yield* batched(lines(doc.domains));
  yield renderNdjsonSummary(doc.summary, doc.resolvers);
}
