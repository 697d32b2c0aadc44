import { closeSync, constants, createReadStream, openSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { DomainSet } from './dedupe.js';
import { type InputFormat, lineReader } from './formats.js';
import { type InputProblem, MAX_LINE_LENGTH, parseDomainLine, preview } from './parse.js';

export interface StreamStats {
  lines: number;
  domains: number;
  duplicates: number;
  problems: number;
}

/**
 * Lines of a stream, never holding more than one bounded line: a line longer than `max` is
 * cut there and the rest of it skipped (it is reported, not parsed), so binary junk or a
 * missing newline cannot grow memory.
 */
export async function* boundedLines(
  stream: AsyncIterable<Buffer | string>,
  max = MAX_LINE_LENGTH,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let overflow = false;
  for await (const chunk of stream) {
    // Checked per chunk, not per line: /dev/zero has no newline and would be read for ever.
    if (signal?.aborted) return;
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (!overflow) {
        buf += nl < 0 ? text.slice(start) : text.slice(start, nl);
        // Keep one character past the bound: enough for the parser to report the line as too long.
        if (buf.length > max) {
          overflow = true;
          buf = buf.slice(0, max + 1);
        }
      }
      if (nl < 0) break;
      yield buf;
      buf = '';
      overflow = false;
      start = nl + 1;
    }
  }
  if (buf) yield buf;
}

/**
 * The list as a stream. A FIFO is read through the event loop (as Node reads a piped stdin), not
 * by fs reads in the thread pool: a read blocked on an idle producer cannot be cancelled, and it
 * kept a stopped run (SIGTERM) from ever exiting (issue 21). It is opened blocking (waiting for a
 * writer, as `cat` does), then again non-blocking for the reads.
 */
export function openInput(path: string): Readable {
  if (path === '-') return process.stdin;
  let fifo = false;
  try {
    fifo = statSync(path).isFIFO();
  } catch {
    // the read stream reports it
  }
  if (!fifo) return createReadStream(path);
  const out = new PassThrough();
  let socket: Socket | undefined;
  out.on('close', () => {
    socket?.destroy();
    if (!socket) unblockOpen(path);
  });
  open(path, 'r').then(
    (waiting) => {
      if (out.destroyed) return void waiting.close();
      try {
        socket = new Socket({
          fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
          readable: true,
          writable: false,
        });
      } catch (err) {
        out.destroy(err as Error);
        return void waiting.close();
      }
      void waiting.close();
      socket.on('error', (err) => out.destroy(err));
      socket.pipe(out);
    },
    (err: Error) => out.destroy(err),
  );
  return out;
}

/** An open of a FIFO still waiting for a writer is released by being one for an instant. */
function unblockOpen(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no open waiting (ENXIO) or not ours to open
  }
}

export interface ReadDomainsOptions {
  onProblem: (p: InputProblem) => void;
  /** Keep only the domains this predicate accepts (sharding). */
  filter?: (domain: string) => boolean;
  /** Stop early (SIGINT): no further line is read. */
  stopped?: () => boolean;
  /** Aborted on SIGINT/SIGTERM: reading ends at once, even while waiting for input. */
  signal?: AbortSignal;
  /** What the lines are (default `list`: one domain a line). */
  format?: InputFormat;
  /** `csv`: the header of the column holding the domains (default "domain"). */
  column?: string;
}

/** Normalised, de-duplicated domains of a list, read as a stream. */
export async function* readDomains(
  stream: AsyncIterable<Buffer | string>,
  source: string,
  stats: StreamStats,
  opts: ReadDomainsOptions,
): AsyncGenerator<string> {
  const seen = new DomainSet();
  const reader = lineReader(opts.format ?? 'list', opts.column);
  const lines = boundedLines(stream, MAX_LINE_LENGTH, opts.signal)[Symbol.asyncIterator]();
  const aborted = opts.signal ? new AbortRace(opts.signal) : undefined;
  try {
    for (;;) {
      const next = aborted ? await aborted.next(lines.next()) : await lines.next();
      if (next === ABORTED || next.done) {
        const open = next === ABORTED ? undefined : reader.end();
        if (open) {
          stats.problems++;
          opts.onProblem({ line: stats.lines, text: '', reason: open });
        }
        return;
      }
      const raw = next.value;
      if (opts.stopped?.()) return;
      stats.lines++;
      const found = reader.push(raw.replace(/\r$/, ''));
      if ('problem' in found) {
        stats.problems++;
        opts.onProblem({ line: stats.lines, text: preview(raw), reason: found.problem });
        continue;
      }
      for (const name of found.names) {
        const r = parseDomainLine(name);
        if ('skip' in r) continue;
        if ('problem' in r) {
          stats.problems++;
          opts.onProblem({ line: stats.lines, ...r.problem });
          continue;
        }
        // The filter first: a duplicate is in the same shard as its original, and a shard's set
        // then holds only its own part of the input.
        if (opts.filter && !opts.filter(r.domain)) continue;
        if (!seen.add(r.domain)) {
          stats.duplicates++;
          continue;
        }
        stats.domains++;
        yield r.domain;
      }
    }
  } catch (err) {
    // The stream destroyed under a pending read (the stop) is no read error.
    if (opts.signal?.aborted) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`cannot read ${source}: ${code}`);
    throw err;
  }
}

const ABORTED = Symbol('aborted');

/**
 * Each read against the abort signal, with one listener for the whole run that settles only the
 * read in progress. (A race of every read with one run-wide promise left a reaction on that
 * promise per line, ~400 bytes each, kept until the end of the run: the RSS grew with the list.)
 */
class AbortRace {
  #aborted = false;
  #wake: ((v: typeof ABORTED) => void) | null = null;

  constructor(signal: AbortSignal) {
    if (signal.aborted) this.#aborted = true;
    else
      signal.addEventListener(
        'abort',
        () => {
          this.#aborted = true;
          this.#wake?.(ABORTED);
        },
        { once: true },
      );
  }

  next<T>(read: Promise<T>): Promise<T | typeof ABORTED> {
    if (this.#aborted) return Promise.resolve(ABORTED);
    return new Promise((resolve, reject) => {
      this.#wake = resolve;
      read.then(resolve, reject);
    });
  }
}
