import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { DomainSet } from '../input/dedupe.js';
import type { DomainResult } from '../types.js';
import { domainProblem } from './validate.js';

// A run's results, one NDJSON line per finished domain, so that SIGINT, SIGKILL or a crash loses
// nothing already audited: `--resume` reads the journal and audits only the domains missing from
// it. Each line is written with one synchronous write (a killed process leaves whole lines in the
// kernel); fsync every `syncEvery` lines or `syncIntervalMs`, and on close, bounds what a power
// loss can take. The reader forgives what a crash leaves: a torn last line, duplicates.

export interface JournalHeader {
  type: 'journal';
  schema: 1;
  startedAt: string;
  options: Record<string, unknown>;
  /** The list the run read (its path, `stdin`), so that a resume can say it changed. */
  list?: string;
}

export interface JournalMeta {
  options: Record<string, unknown>;
  startedAt: string;
  list?: string;
}

export interface JournalOptions {
  /** fsync after this many lines (default 100). */
  syncEvery?: number;
  /** ... or when this long has passed since the last fsync, checked at each append (default 1000). */
  syncIntervalMs?: number;
  /** Monotonic milliseconds; tests pass a fake. */
  clock?: () => number;
}

export interface JournalContents {
  header: JournalHeader;
  /** One result per domain (the last line for a domain wins), in order of first appearance. */
  results: DomainResult[];
  /** Domains with a result, failed ones included: a resumed run skips them all. */
  done: Set<string>;
  /** 1-based numbers of unreadable lines that were skipped (their domains are simply not done). */
  skipped: number[];
  /** The last line was cut short by a crash and ignored. */
  torn: boolean;
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dirname(path), 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory; the file's own fsync still holds.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function parseHeader(text: string, path: string): JournalHeader {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError(`${path}: not a singlepath journal (first line is not JSON)`);
  }
  const h = data as Partial<JournalHeader> | null;
  if (typeof h !== 'object' || h === null || Array.isArray(h) || h.type !== 'journal')
    throw new InputError(`${path}: not a singlepath journal (first line is not a journal header)`);
  if (h.schema !== 1)
    throw new InputError(`${path}: journal schema ${String(h.schema)} is not supported (1 is)`);
  if (typeof h.options !== 'object' || h.options === null)
    throw new InputError(`${path}: journal header lacks "options"`);
  const header: JournalHeader = {
    type: 'journal',
    schema: 1,
    startedAt: String(h.startedAt ?? ''),
    options: h.options,
  };
  if (typeof h.list === 'string') header.list = h.list;
  return header;
}

/** A journal line renderers can trust (snapshot/validate.ts); anything else is an unreadable line. */
function isDomainResult(v: unknown): v is DomainResult {
  return domainProblem(v) === undefined;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A journal line longer than this is not one of ours (a result is a few KB): skipped unread. */
export const MAX_JOURNAL_LINE = 8 * 1024 * 1024;
/** The header holds the run's options: a first line past this is no journal header. */
export const MAX_HEADER_LINE = 64 * 1024;

interface FileLine {
  text: string;
  terminated: boolean;
  /** Past the bound: `text` is empty, and the rest of the line is skipped as it is read. */
  tooLong?: true;
}

/**
 * Lines of a file of any size (a journal of a million domains outgrows one string), never holding
 * more than one bounded line: a longer one is reported once as soon as it passes its bound
 * (`maxFirst` for the first line, `max` after) and the rest of it skipped, so /dev/zero or a
 * 300 MB line costs one chunk of memory (issue 21).
 */
function* fileLines(fd: number, max = MAX_JOURNAL_LINE, maxFirst = MAX_HEADER_LINE): Generator<FileLine> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  let first = true;
  const bound = () => (first ? maxFirst : max);
  for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) {
    let start = 0;
    for (;;) {
      const i = buf.subarray(0, n).indexOf(NEWLINE, start);
      const end = i === -1 ? n : i;
      if (!skipping) {
        if (held + end - start > bound()) {
          skipping = true;
          parts = [];
          held = 0;
          yield { text: '', terminated: i !== -1, tooLong: true };
          first = false;
        } else if (end > start) {
          // Copied only when the line goes on past this chunk (the buffer is read into again).
          parts.push(i === -1 ? Buffer.from(buf.subarray(start, end)) : buf.subarray(start, end));
          held += end - start;
        }
      }
      if (i === -1) break;
      if (!skipping) {
        // A line inside one chunk (nearly all of them) is decoded from it without a copy.
        const text =
          parts.length === 1 && held === end - start
            ? buf.toString('utf8', start, end)
            : Buffer.concat(parts, held).toString('utf8');
        yield { text, terminated: true };
        first = false;
      }
      parts = [];
      held = 0;
      skipping = false;
      start = i + 1;
    }
  }
  if (held && !skipping) yield { text: Buffer.concat(parts, held).toString('utf8'), terminated: false };
}

function openForRead(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read journal ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * A journal read without holding its results: the domains done as a compact hash set, and the
 * results read again from the file when asked for, so resuming a million-domain run stays flat.
 */
export interface JournalScan {
  header: JournalHeader;
  /** Domains with a result, failed ones included: a resumed run skips them all. */
  done: { has(domain: string): boolean; readonly size: number };
  /** One result per domain (the last line for a domain wins), in order of first appearance. */
  results(): Generator<DomainResult>;
  /** 1-based numbers of unreadable lines that were skipped (their domains are simply not done). */
  skipped: number[];
  /** The last line was cut short by a crash and ignored. */
  torn: boolean;
}

type JournalLine =
  | { kind: 'result'; result: DomainResult }
  | { kind: 'header'; text: string }
  | { kind: 'torn' | 'skipped' | 'blank' };

/** Each line of a journal, classified the same way on every read. */
function* journalLines(path: string): Generator<JournalLine> {
  const fd = openForRead(path);
  try {
    let first = true;
    for (const line of fileLines(fd)) {
      if (first) {
        first = false;
        if (line.tooLong)
          throw new InputError(
            `${path}: not a singlepath journal (first line longer than ${MAX_HEADER_LINE} bytes)`,
          );
        yield { kind: 'header', text: line.text };
        continue;
      }
      if (line.tooLong) {
        yield { kind: 'skipped' };
        continue;
      }
      if (line.text.trim() === '') {
        yield { kind: 'blank' };
        continue;
      }
      const value = tryParse(line.text);
      if (value === undefined && !line.terminated) yield { kind: 'torn' };
      // A domain a worker process failed on was not audited: a resumed run audits it again.
      else if (isDomainResult(value) && value.error?.code === 'WORKER_FAILED') yield { kind: 'blank' };
      else if (isDomainResult(value)) yield { kind: 'result', result: value };
      else if ((value as Partial<JournalHeader> | null)?.type !== 'journal') yield { kind: 'skipped' };
      else yield { kind: 'blank' };
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a journal left by a finished, interrupted or crashed run (see JournalScan). */
export function scanJournal(path: string): JournalScan {
  let header: JournalHeader | undefined;
  const done = new DomainSet();
  // A domain on several lines (rare: a crash between a write and its fsync, then a resume) keeps
  // its last result; only those are held here.
  const latest = new Map<string, DomainResult>();
  const skipped: number[] = [];
  let torn = false;
  let lineNo = 0;
  for (const line of journalLines(path)) {
    lineNo++;
    if (line.kind === 'header') header = parseHeader(line.text, path);
    else if (line.kind === 'torn') torn = true;
    else if (line.kind === 'skipped') skipped.push(lineNo);
    else if (line.kind === 'result' && !done.add(line.result.domain))
      latest.set(line.result.domain, line.result);
  }
  if (!header) throw new InputError(`${path}: empty, not a singlepath journal`);
  // A resumed run appends to this same file; its results are read again only up to here (a torn
  // last line is cut off before the appends start), never the lines this run adds.
  const scanned = torn ? lineNo - 1 : lineNo;
  return {
    header,
    done,
    skipped,
    torn,
    *results() {
      const emitted = new Set<string>();
      let n = 0;
      for (const line of journalLines(path)) {
        if (++n > scanned) break;
        if (line.kind !== 'result') continue;
        const domain = line.result.domain;
        const last = latest.get(domain);
        if (!last) yield line.result;
        else if (!emitted.has(domain)) {
          emitted.add(domain);
          yield last;
        }
      }
    },
  };
}

/** scanJournal with the results in memory (small journals, tests). */
export function readJournal(path: string): JournalContents {
  const scan = scanJournal(path);
  const results = [...scan.results()];
  return {
    header: scan.header,
    results,
    done: new Set(results.map((r) => r.domain)),
    skipped: scan.skipped,
    torn: scan.torn,
  };
}

/** The first line of an existing journal, read without loading the rest. */
function firstLine(fd: number, path: string): string | undefined {
  for (const line of fileLines(fd)) {
    if (line.tooLong)
      throw new InputError(
        `${path}: not a singlepath journal (first line longer than ${MAX_HEADER_LINE} bytes)`,
      );
    return line.text;
  }
  return undefined;
}

/** Offset just after the last newline (0 when there is none), scanning back from the end. */
function endOfLastLine(fd: number, size: number): number {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - buf.length);
    const n = readSync(fd, buf, 0, end - start, start);
    const i = buf.subarray(0, n).lastIndexOf(NEWLINE);
    if (i !== -1) return start + i + 1;
    end = start;
  }
  return 0;
}

/**
 * A run that crashed mid-write may leave a last line without its newline. A complete line gets its
 * newline back; a torn one is cut off, so the next line does not glue onto it.
 */
function repairTail(fd: number): void {
  const size = fstatSync(fd).size;
  const end = endOfLastLine(fd, size);
  if (end === size) return;
  const tail = Buffer.allocUnsafe(size - end);
  readSync(fd, tail, 0, tail.length, end);
  // With no newline at all the tail is the header, which the caller has already validated.
  if (end === 0 || isDomainResult(tryParse(tail.toString('utf8')))) writeSync(fd, '\n', size);
  else ftruncateSync(fd, end);
}

const header = (meta: JournalMeta): JournalHeader => ({
  type: 'journal',
  schema: 1,
  startedAt: meta.startedAt,
  options: meta.options,
  ...(meta.list === undefined ? {} : { list: meta.list }),
});

export class Journal {
  private fd: number | undefined;
  private unsynced = 0;
  private lastSync: number;
  private lines = 0;
  private syncCount = 0;
  private readonly syncEvery: number;
  private readonly syncIntervalMs: number;
  private readonly clock: () => number;

  private constructor(
    readonly path: string,
    fd: number,
    opts: JournalOptions,
  ) {
    this.fd = fd;
    this.syncEvery = opts.syncEvery ?? 100;
    this.syncIntervalMs = opts.syncIntervalMs ?? 1000;
    this.clock = opts.clock ?? (() => performance.now());
    this.lastSync = this.clock();
  }

  /**
   * Creates the journal with its header line, or reopens an existing one to append (resume): its
   * header is kept, and refused with InputError when the file is not a journal.
   */
  static open(path: string, meta: JournalMeta, opts: JournalOptions = {}): Journal {
    if (!Journal.create(path, meta)) Journal.prepareExisting(path, meta);
    try {
      return new Journal(path, openSync(path, 'a'), opts);
    } catch (err) {
      throw new InputError(`cannot open journal ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }

  /** Creates the file with its header; false when it already exists. */
  private static create(path: string, meta: JournalMeta): boolean {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      throw new InputError(`cannot create journal ${path}: ${code ?? 'error'}`);
    }
    try {
      writeAll(fd, Buffer.from(`${JSON.stringify(header(meta))}\n`));
      fsyncSync(fd);
    } catch (err) {
      throw new InputError(`cannot write journal ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    } finally {
      closeSync(fd);
    }
    syncDir(path);
    return true;
  }

  private static prepareExisting(path: string, meta: JournalMeta): void {
    let fd: number;
    try {
      fd = openSync(path, 'r+');
    } catch (err) {
      throw new InputError(`cannot open journal ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      const first = firstLine(fd, path);
      if (first === undefined) {
        // Created but the header never made it (crash at once): start it again.
        writeAll(fd, Buffer.from(`${JSON.stringify(header(meta))}\n`));
      } else {
        parseHeader(first, path);
        repairTail(fd);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** One line for one finished domain; the object is written exactly as given. */
  append(result: DomainResult): void {
    if (this.fd === undefined) throw new Error(`journal ${this.path} is closed`);
    writeAll(this.fd, Buffer.from(`${JSON.stringify(result)}\n`));
    this.lines++;
    this.unsynced++;
    if (this.unsynced >= this.syncEvery || this.clock() - this.lastSync >= this.syncIntervalMs) this.sync();
  }

  /** Flushes what was appended to disk now (also done at intervals and on close). */
  sync(): void {
    if (this.fd === undefined || this.unsynced === 0) return;
    fsyncSync(this.fd);
    this.unsynced = 0;
    this.lastSync = this.clock();
    this.syncCount++;
  }

  /** Syncs and closes; safe to call twice (a signal handler and a finally block). */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    try {
      this.sync();
    } finally {
      this.fd = undefined;
      closeSync(fd);
    }
  }

  /** Lines appended by this instance. */
  get appended(): number {
    return this.lines;
  }

  /** fsyncs done by this instance (tests check the cadence by count, never by time). */
  get syncs(): number {
    return this.syncCount;
  }
}
