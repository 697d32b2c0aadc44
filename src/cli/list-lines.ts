import { statSync } from 'node:fs';
import { parseDomainLine } from '../input/parse.js';
import { boundedLines, openInput } from '../input/stream.js';
import type { ListPlace } from '../report/sarif.js';

// Where each domain stands in the list file, for formats that point at it (SARIF: a code-scanning
// alert on the line of the domain). Read again after the audit, one bounded line at a time.

/** Domains placed at most (a bigger list gets lines for the first ones only). */
const MAX_PLACED = 1_000_000;

export async function listPlaces(path: string): Promise<Map<string, ListPlace>> {
  const places = new Map<string, ListPlace>();
  // A pipe or FIFO was read once already; reading it again would wait for ever.
  try {
    if (!statSync(path).isFile()) return places;
  } catch {
    return places;
  }
  let line = 0;
  for await (const raw of boundedLines(openInput(path))) {
    line++;
    const parsed = parseDomainLine(raw);
    if (!('domain' in parsed) || places.has(parsed.domain)) continue;
    const text = raw.replace(/\r$/, '');
    const start = text.search(/\S/);
    const end = text.replace(/\s+(#.*)?$/, '').length;
    places.set(parsed.domain, { line, startColumn: start + 1, endColumn: Math.max(start + 1, end) + 1 });
    if (places.size >= MAX_PLACED) break;
  }
  return places;
}
