import { type Command, Option } from 'commander';
import { SummaryBuilder } from '../analyse/portfolio.js';
import { buildDocument, documentHead, parentsOf } from '../audit.js';
import { loadCatalogue } from '../catalogue/load.js';
import { InputError } from '../errors.js';
import { DomainSet } from '../input/dedupe.js';
import { boundedLines, openInput } from '../input/stream.js';
import { escapeTerminal } from '../report/escape.js';
import { FORMATS, type Format, renderChunks } from '../report/index.js';
import { renderNdjsonLine, renderNdjsonSummary } from '../report/ndjson.js';
import { type ReportDocument, ResultKeeper } from '../report/spill.js';
import {
  fileLooksLikeNdjson,
  parseSnapshot,
  readSnapshotDomains,
  readSnapshotReport,
  type SnapshotReport,
} from '../snapshot/read.js';
import { domainProblem } from '../snapshot/validate.js';
import type { DomainResult } from '../types.js';
import { type CliIo, EXIT, emit, useColor } from './cli-io.js';
import { assertWritable } from './io.js';
import { fileSink, namedSink, stdoutSink } from './sink.js';

/** A result line longer than this is refused (a domain's record is a few KB). */
const MAX_RECORD = 8 * 1024 * 1024;

function parseLine(line: string, source: string, n: number): DomainResult | undefined {
  let rec: { type?: string } & Partial<DomainResult>;
  try {
    rec = JSON.parse(line);
  } catch {
    throw new InputError(`${source}:${n}: not a JSON line`);
  }
  if (rec.type === 'summary') return undefined;
  if (rec.type !== 'domain' || typeof rec.domain !== 'string')
    throw new InputError(`${source}:${n}: not a singlepath domain record`);
  const { type: _type, ...result } = rec;
  const problem = domainProblem(result);
  if (problem) throw new InputError(`${source}:${n}: ${problem}`);
  return result as DomainResult;
}

/**
 * Domain results of one shard's output: NDJSON read line by line (a million-line part never
 * becomes one string), or a JSON document.
 */
export async function readResults(
  path: string,
  onResult: (r: DomainResult) => void,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await readResultsOrThrow(path, onResult);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && !(err instanceof InputError)) throw new InputError(`cannot read ${path}: ${code}`);
    throw err;
  }
}

async function readResultsOrThrow(
  path: string,
  onResult: (r: DomainResult) => void,
): Promise<Record<string, unknown> | undefined> {
  const source = path === '-' ? 'stdin' : path;
  let n = 0;
  let first: string | undefined;
  const lines = boundedLines(openInput(path), MAX_RECORD);
  for await (const line of lines) {
    n++;
    if (first === undefined) {
      if (!line.trim()) continue;
      first = line;
      // A pretty-printed JSON document starts with a lone "{"; NDJSON with a whole record.
      if (!/^\s*\{.*\}\s*$/.test(line)) {
        // A file is read again, a domain at a time (as report and diff read snapshots); stdin whole.
        if (path !== '-') return readSnapshotDomains(path, onResult).options;
        let text = line;
        for await (const rest of lines) text += `\n${rest}`;
        const doc = parseSnapshot(text, source);
        for (const r of doc.domains) onResult(r);
        return doc.options;
      }
    }
    if (!line.trim()) continue;
    if (line.length > MAX_RECORD)
      throw new InputError(`${source}:${n}: record longer than ${MAX_RECORD} bytes`);
    const r = parseLine(line, source, n);
    if (r) onResult(r);
  }
  return undefined;
}

export function mergeCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the results of shards (NDJSON or JSON) into one report, as one run would give')
    .argument('<files...>', 'outputs of `audit --shard I/N` runs')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('json'))
    .addOption(new Option('-o, --output <file>', 'write to FILE (atomically) instead of stdout'))
    .addOption(
      new Option('--catalog <file>', 'extra provider catalogue (JSON), repeatable').argParser(
        (v: string, p: string[] = []) => [...p, v],
      ),
    )
    .action(async (files: string[], flags: { format: Format; output?: string; catalog?: string[] }) => {
      if (flags.output) assertWritable(flags.output);
      const parents = parentsOf(loadCatalogue({ extraFiles: flags.catalog }));
      const duplicate = (file: string, domain: string) =>
        io.stderr(
          `singlepath: ${file}: ${escapeTerminal(domain)} appears in an earlier input; the first one is kept\n`,
        );
      if (flags.format === 'ndjson') {
        await streamMerge(files, parents, flags.output, io, duplicate);
        return setExit(EXIT.ok);
      }
      const { report, release } = await readResultReport(files, parents, duplicate, io.env, io.stderr);
      try {
        emit(
          () => renderChunks(report, flags.format, { color: useColor(io, flags.output) }),
          flags.output,
          io,
        );
      } finally {
        release();
      }
      setExit(EXIT.ok);
    });
}

/**
 * Result files (NDJSON, or JSON documents) as one document, its summary computed again: what
 * `merge` reports, and how `report`, `diff` and `whatif` read NDJSON. The first result of a domain
 * is kept; `duplicate` hears of the others. Past SINGLEPATH_SPILL_AFTER results (2,000) they are
 * kept in a temporary file, so merging the shards of a million domains does not hold them all;
 * `release` removes it.
 */
export async function readResultReport(
  files: string[],
  parents: Record<string, string>,
  duplicate: (file: string, domain: string) => void,
  env: NodeJS.ProcessEnv,
  warn?: (message: string) => void,
): Promise<SnapshotReport> {
  const seen = new DomainSet();
  const kept = new ResultKeeper(env, warn);
  const summary = new SummaryBuilder({ parents });
  let options: Record<string, unknown> | undefined;
  try {
    for (const file of files) {
      const fileOptions = await readResults(file, (r) => {
        if (!seen.add(r.domain)) return duplicate(file, r.domain);
        kept.add(r);
        summary.add(r);
      });
      options ??= fileOptions;
    }
  } catch (err) {
    kept.close();
    throw err;
  }
  const spilled = kept.spilled;
  if (!spilled) {
    const doc = buildDocument(kept.held, {}, parents);
    if (options) doc.options = options;
    return { report: doc, release: () => {} };
  }
  const head = documentHead({});
  const report: ReportDocument = {
    ...head,
    options: options ?? head.options,
    domains: spilled,
    summary: summary.finish(),
  };
  return { report, release: () => spilled.close() };
}

/**
 * A saved result for `report`, `diff` and `whatif`: NDJSON results (their summary computed again,
 * with `parents`, as merge does) or a JSON document; past 2,000 results kept on disk until
 * `release`.
 */
export function readSavedResult(
  path: string,
  io: CliIo,
  parents: () => Record<string, string>,
): Promise<SnapshotReport> | SnapshotReport {
  const twice = (file: string, domain: string) =>
    io.stderr(`singlepath: ${file}: ${escapeTerminal(domain)} appears twice; the first one is kept\n`);
  // stdin: a JSON document or NDJSON results, told apart by their first line (as merge does).
  if (path === '-') return readResultReport(['-'], parents(), twice, io.env, io.stderr);
  if (!fileLooksLikeNdjson(path)) return readSnapshotReport(path, io.env, io.stderr);
  return readResultReport([path], parents(), twice, io.env, io.stderr);
}

/**
 * `--format ndjson`: each domain line goes out as it is read and into an incremental summary, so
 * merging the shards of a million domains keeps ~12 bytes a domain (the duplicate check), not the
 * results. Lines come in input order; the summary is the one a single run would give.
 */
async function streamMerge(
  files: string[],
  parents: Record<string, string>,
  output: string | undefined,
  io: CliIo,
  duplicate: (file: string, domain: string) => void,
): Promise<void> {
  const sink = output ? namedSink(fileSink(output), output) : stdoutSink((text) => io.stdout(text));
  try {
    const seen = new DomainSet();
    const summary = new SummaryBuilder({ parents });
    for (const file of files) {
      await readResults(file, (r) => {
        if (!seen.add(r.domain)) return duplicate(file, r.domain);
        sink.write(renderNdjsonLine(r));
        summary.add(r);
      });
    }
    sink.write(renderNdjsonSummary(summary.finish()));
    sink.commit();
  } catch (err) {
    sink.discard();
    throw err;
  }
}
