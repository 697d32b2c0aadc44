// Reads what the CLI wrote (NDJSON, one domain per line, a summary line) as a stream, so a
// million-line result is checked in constant memory: domains seen, lost, duplicated, failed.
// Whole-document formats (--formats) are checked the same way, as far as they tell.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LaidOutJson, readLinesSync } from '../../src/snapshot/layout.js';
import type { DomainResult } from '../../src/types.js';

export interface OutputCount {
  lines: number;
  domains: number;
  /** Input domains with no line in the output. */
  lost: number;
  duplicates: number;
  /** Lines for names the bench never asked about. */
  unexpected: number;
  /** Domains whose result carries an error, by code. */
  errors: Record<string, number>;
  errorTotal: number;
  /** Occurrences of a TIMEOUT status anywhere in a domain's result. */
  timeouts: number;
  summary: boolean;
  /** Lines that were not JSON. */
  garbage: number;
}

const NAME = /^d(\d{1,9})\./;

function emptyCount(n: number): OutputCount {
  return {
    lines: 0,
    domains: 0,
    lost: n,
    duplicates: 0,
    unexpected: 0,
    errors: {},
    errorTotal: 0,
    timeouts: 0,
    summary: false,
    garbage: 0,
  };
}

/** One domain's record: seen, lost, duplicated or unexpected; its error and TIMEOUTs (in `text`). */
function tally(
  c: OutputCount,
  seen: Uint8Array,
  domain: string,
  error: { code?: string } | undefined,
  text: string,
): void {
  c.domains++;
  c.timeouts += text.split('"TIMEOUT"').length - 1;
  if (error) {
    const code = error.code ?? 'ERROR';
    c.errors[code] = (c.errors[code] ?? 0) + 1;
    c.errorTotal++;
  }
  const i = Number(NAME.exec(domain)?.[1] ?? -1);
  if (!(i >= 0 && i < seen.length)) c.unexpected++;
  else if (seen[i]) c.duplicates++;
  else {
    seen[i] = 1;
    c.lost--;
  }
}

export async function countOutput(path: string, n: number): Promise<OutputCount> {
  const c = emptyCount(n);
  if (!existsSync(path)) return c;
  const seen = new Uint8Array(n);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.trim()) continue;
    c.lines++;
    let rec: { type?: string; domain?: string; error?: { code?: string } };
    try {
      rec = JSON.parse(line);
    } catch {
      c.garbage++;
      continue;
    }
    if (rec.type === 'summary') {
      c.summary = true;
      continue;
    }
    if (typeof rec.domain === 'string') tally(c, seen, rec.domain, rec.error, line);
  }
  return c;
}

/**
 * The same count for a whole-document format: `json` read back a line at a time, as singlepath
 * reads large snapshots, `table` by the domain name starting each of its lines.
 */
export async function countDocument(path: string, format: 'json' | 'table', n: number): Promise<OutputCount> {
  const c = emptyCount(n);
  if (!existsSync(path)) return c;
  const seen = new Uint8Array(n);
  if (format === 'json') {
    // Each domain counted as it is read (a million would not fit in memory at once).
    const reader = new LaidOutJson(path, (member, item) => {
      if (member !== 'domains') return false;
      const d = item as DomainResult;
      tally(c, seen, d.domain, d.error, JSON.stringify(d));
      return true;
    });
    for (const line of readLinesSync(path)) reader.push(line);
    c.summary = typeof reader.finish().summary === 'object';
    return c;
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    c.lines++;
    // A line per domain (the default), or the first column of --explain's full table.
    const name = /^(?:│ )?(d\d+\.z\d+\.bench) /.exec(line)?.[1];
    if (name) tally(c, seen, name, undefined, '');
    else if (line.startsWith('Domains: ')) c.summary = true;
  }
  return c;
}

/** Numbers from the CLI's final stats line, whatever its exact wording ("queries=12", "12 queries"). */
export function parseStats(stderr: string): { line: string; values: Record<string, number> } | null {
  const lines = stderr.split('\n').filter((l) => /quer|domains\/s|timeout/i.test(l));
  const line = lines.at(-1)?.trim();
  if (!line) return null;
  const values: Record<string, number> = {};
  const keyFirst = /([a-z][a-z/ _-]*?)\s*[=:]\s*([\d][\d,._]*)/gi;
  const numFirst = /([\d][\d,._]*)\s+([a-z][a-z/_-]*)/gi;
  for (const m of line.matchAll(numFirst)) values[m[2]!.toLowerCase()] = Number(m[1]!.replace(/[,_]/g, ''));
  for (const m of line.matchAll(keyFirst))
    values[m[1]!.trim().toLowerCase()] = Number(m[2]!.replace(/[,_]/g, ''));
  // "N domains in X s": the CLI's own clock, which leaves out process start-up.
  const own = /(\d+) domains in ([\d.]+) s/.exec(line);
  if (own) values.ownRate = Math.round(Number(own[1]) / Number(own[2]));
  return { line: line.slice(0, 400), values };
}
