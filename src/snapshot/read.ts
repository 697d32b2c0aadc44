import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { type ReportDocument, ResultKeeper } from '../report/spill.js';
import type { AuditDocument, BlastRadius, DomainResult, Summary } from '../types.js';
import { LaidOutJson, LayoutError, readLinesSync } from './layout.js';
import { domainProblem, summaryProblem } from './validate.js';

/** Snapshots are our own JSON documents; anything else is refused with what is wrong. */
export function parseSnapshot(text: string, source: string): AuditDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not a JSON snapshot (${(err as Error).message})`);
  }
  return checkSnapshot(data, source);
}

/** A parsed snapshot checked for what renderers and diff rely on (InputError naming the field). */
export function checkSnapshot(data: unknown, source: string): AuditDocument {
  const doc = data as Partial<AuditDocument>;
  if (typeof data !== 'object' || data === null || doc.schema === undefined)
    throw new InputError(`${source}: not a singlepath snapshot (no "schema" field)`);
  if (doc.schema !== 1)
    throw new InputError(`${source}: snapshot schema ${String(doc.schema)} is not supported (1 is)`);
  if (!Array.isArray(doc.domains) || typeof doc.summary !== 'object' || doc.summary === null)
    throw new InputError(`${source}: snapshot lacks "domains" or "summary"`);
  const problem = summaryProblem(doc.summary);
  if (problem) throw new InputError(`${source}: ${problem}`);
  // Renderers trust the shape of each domain: check it here, naming the first bad entry.
  for (const [i, d] of doc.domains.entries()) checkDomain(d, i, source);
  radiusCounts(doc.summary as Partial<Summary>, source);
  return doc as AuditDocument;
}

/** Item `i` of a snapshot's domains, checked for the shape renderers rely on. */
function checkDomain(data: unknown, i: number, source: string): DomainResult {
  const problem = domainProblem(data);
  if (problem) throw new InputError(`${source}: domains[${i}]: ${problem}`);
  return data as DomainResult;
}

/**
 * A snapshot whose domains go to `onDomain` one at a time as they are read (checked as
 * checkSnapshot checks them) and are not kept: it is returned with `domains` empty, in its place
 * among the members. Any size in our layout; one laid out otherwise is read whole if it is no
 * larger than `wholeTextBytes`.
 */
export function readSnapshotDomains(
  path: string,
  onDomain: (d: DomainResult) => void,
  wholeTextBytes = WHOLE_TEXT_BYTES,
): AuditDocument {
  let handed = 0;
  const head = (doc: AuditDocument): AuditDocument => {
    doc.domains = [];
    return doc;
  };
  try {
    const reader = new LaidOutJson(path, (member, item) => {
      if (member !== 'domains') return false;
      onDomain(checkDomain(item, handed++, path));
      return true;
    });
    try {
      for (const line of readLinesSync(path)) reader.push(line);
      return head(checkSnapshot(reader.finish(), path));
    } catch (err) {
      if (!(err instanceof LayoutError) || statSync(path).size > wholeTextBytes) throw err;
    }
    const doc = parseSnapshot(readFileSync(path, 'utf8'), path);
    // Those before the layout broke were handed on already.
    for (const d of doc.domains.slice(handed)) onDomain(d);
    return head(doc);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * Blast-radius entries as renderers and diff expect them: lists present, counts present (taken
 * from the lists in snapshots written before lists were capped).
 */
function radiusCounts(summary: Partial<Summary>, source: string): void {
  if (summary.blastRadius === undefined) return;
  if (!Array.isArray(summary.blastRadius))
    throw new InputError(`${source}: summary.blastRadius must be an array`);
  summary.blastRadius.forEach((r: Partial<BlastRadius>, i) => {
    const bad = (what: string) => new InputError(`${source}: summary.blastRadius[${i}]: ${what}`);
    if (typeof r !== 'object' || r === null || typeof r.provider !== 'string') throw bad('no "provider"');
    if (!Array.isArray(r.down) || !Array.isArray(r.degraded))
      throw bad('"down" and "degraded" must be arrays');
    if (r.downIndirect !== undefined && !Array.isArray(r.downIndirect))
      throw bad('"downIndirect" must be an array');
    for (const [list, key] of [
      ['down', 'downCount'],
      ['degraded', 'degradedCount'],
      ['downIndirect', 'downIndirectCount'],
    ] as const) {
      const names = r[list] ?? [];
      if (!names.every((n) => typeof n === 'string')) throw bad(`"${list}" must list domain names`);
      const n = r[key];
      if (n !== undefined && !(Number.isSafeInteger(n) && n >= names.length))
        throw bad(`"${key}" must be a count of at least the ${names.length} names listed`);
    }
    r.downCount ??= r.down.length;
    r.degradedCount ??= r.degraded.length;
    if (r.downIndirect?.length) r.downIndirectCount ??= r.downIndirect.length;
  });
}

/** Files up to this size in another layout than ours are read as one string (layout.ts). */
const WHOLE_TEXT_BYTES = 256 * 1024 * 1024;

/** A snapshot, all of it in memory (read as readSnapshotDomains reads it). */
export function readSnapshot(path: string, wholeTextBytes = WHOLE_TEXT_BYTES): AuditDocument {
  const domains: DomainResult[] = [];
  const doc = readSnapshotDomains(path, (d) => domains.push(d), wholeTextBytes);
  doc.domains = domains;
  return doc;
}

/**
 * The `--baseline` of a scheduled run: null while the file does not exist yet (the first run has
 * nothing to compare with); anything else must be a readable snapshot (InputError otherwise).
 */
export function readBaseline(
  path: string,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): SnapshotReport | null {
  return existsSync(path) ? readSnapshotReport(path, env, warn) : null;
}

/** A snapshot whose results may be kept on disk, and how to let them go. */
export interface SnapshotReport {
  report: ReportDocument;
  /** Removes the results kept on disk (none while they were few). */
  release: () => void;
}

/**
 * A snapshot read a domain at a time into a ResultKeeper: past SINGLEPATH_SPILL_AFTER (2,000)
 * its results are kept in a temporary file, so reports, diffs and baselines of a million domains
 * do not hold them (`warn`: see ResultKeeper).
 */
export function readSnapshotReport(
  path: string,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): SnapshotReport {
  const kept = new ResultKeeper(env, warn);
  try {
    // Assigned in place: the document keeps the order of its members (domains before summary).
    const report: ReportDocument = readSnapshotDomains(path, (d) => kept.add(d));
    report.domains = kept.spilled ?? kept.held;
    return { report, release: () => kept.close() };
  } catch (err) {
    kept.close();
    throw err;
  }
}

/** A file is a snapshot when its first non-blank character opens a JSON object. */
export function looksLikeSnapshot(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** The first 4 KiB of a file as text; '' when it cannot be read (the caller reports that). */
function fileStart(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** looksLikeSnapshot on the start of a file (false when it cannot be read). */
export function fileLooksLikeSnapshot(path: string): boolean {
  return looksLikeSnapshot(fileStart(path));
}

/** A results file of `audit --format ndjson`: its first record is a domain or the summary. */
export function fileLooksLikeNdjson(path: string): boolean {
  return /^\s*\{"type":"(?:domain|summary)"/.test(fileStart(path));
}
