import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { DomainSet } from './dedupe.js';
import { type InputProblem, MAX_LINE_LENGTH, parseDomainLine } from './parse.js';

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
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  let overflow = false;
  for await (const chunk of stream) {
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

export function openInput(path: string): Readable {
  if (path === '-') return process.stdin;
  const stream = createReadStream(path);
  return stream;
}

export interface ReadDomainsOptions {
  onProblem: (p: InputProblem) => void;
  /** Keep only the domains this predicate accepts (sharding). */
  filter?: (domain: string) => boolean;
  /** Stop early (SIGINT): no further line is read. */
  stopped?: () => boolean;
}

/** Normalised, de-duplicated domains of a list, read as a stream. */
export async function* readDomains(
  stream: AsyncIterable<Buffer | string>,
  source: string,
  stats: StreamStats,
  opts: ReadDomainsOptions,
): AsyncGenerator<string> {
  const seen = new DomainSet();
  try {
    for await (const raw of boundedLines(stream)) {
      if (opts.stopped?.()) return;
      stats.lines++;
      const r = parseDomainLine(raw.replace(/\r$/, ''));
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
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`cannot read ${source}: ${code}`);
    throw err;
  }
}
