import { accessSync, constants, createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Acceptances } from '../analyse/accept.js';
import { severityAtLeast } from '../analyse/domain.js';
import type { Relations } from '../analyse/layer-loss.js';
import { SummaryBuilder } from '../analyse/portfolio.js';
import { type AuditOptions, auditStream, buildDocument, createAuditor, documentHead } from '../audit.js';
import type { AutoConcurrencyStats } from '../collect/auto-concurrency.js';
import type { ProbeThreadStats } from '../collect/probe/threads.js';
import { InputError } from '../errors.js';
import { inShard, parseShard } from '../input/dedupe.js';
import { textOnly } from '../input/sniff.js';
import { openInput, readDomains, type StreamStats } from '../input/stream.js';
import { escapeTerminal } from '../report/escape.js';
import { renderNdjsonLine, renderNdjsonSummary } from '../report/index.js';
import { type ReportDocument, ResultKeeper } from '../report/spill.js';
import type { AuditDocument, DomainResult, ResolverUse, Severity, Summary } from '../types.js';
import type { CliIo } from './cli-io.js';
import { type AuditFlags, resolveAuditOptions } from './options.js';
import { Progress } from './progress.js';
import { FailureCounts, resolverLine, sameWayWarning } from './run-health.js';
import { fileSink, type LineSink, namedSink, stdoutSink } from './sink.js';
import { auditInWorkers } from './workers.js';

export interface RunFlags extends AuditFlags {
  /** Accepted risks of the config file, applied to every result as it comes. */
  accept?: Acceptances;
  /** The config file read, if any (for messages). */
  configFile?: string;
  shard?: string;
  quiet?: boolean;
  failOn?: Severity;
  output?: string;
}

export interface RunResult {
  /** The sorted document, held in memory (absent when results were streamed out, or kept on disk). */
  doc?: AuditDocument;
  /** The document to render: `doc`, or one whose results are kept on disk (RunHooks.spill). */
  report?: ReportDocument;
  /** Removes the results kept on disk, once the report is written. */
  release?: () => void;
  audited: number;
  worst?: Severity;
  /** Set when SIGINT/SIGTERM stopped the run early (finished results are kept). */
  interrupted?: NodeJS.Signals;
  /** The catalogue's company relations the run used (for the baseline diff). */
  relations: Relations;
  /** Domains a `--jobs` child failed on (WORKER_FAILED): the run is incomplete. */
  workerFailed: number;
  /** Seconds from the first domain to the last result. */
  seconds?: number;
  /** Domains audited (carried ones included) and those that failed for network reasons. */
  failures: FailureCounts;
  /** The resolvers asked, with how many answered. */
  resolvers: ResolverUse[];
}

export interface RunHooks {
  /** Called for each finished domain, before it is written (journal, streaming). */
  onResult?: (r: DomainResult) => void;
  /** Domains to leave out (already done in a journal being resumed). */
  skip?: (domain: string) => boolean;
  /**
   * Results carried over from a resumed journal: they count in the summary and the document.
   * Read once, as a stream (a journal of a million results is not held in memory to stream it),
   * after the list: `listRead` says whether it was read to its end, so that only the domains
   * still in it are carried (the rest all of them, when a signal stopped the reading).
   */
  carried?: { count: number; results: (listRead: boolean) => Iterable<DomainResult> };
}

/** Results kept for a whole document past which a run is told that NDJSON would stream. */
const KEEP_WARNING = 100_000;

/** "; web probes on 2 threads (1 died, 1 probe failed)" when probe threads were used. */
/** --concurrency auto's window over the run: mean, range and how often it moved. */
function autoNote(a: AutoConcurrencyStats | null): string {
  if (!a) return '';
  return `; concurrency auto: mean ${a.mean}, ${a.low}-${a.peak}, ${a.decreases} decreases, ${a.late} late, ${a.refused} refused`;
}

function threadsNote(t: ProbeThreadStats | null): string {
  if (!t || t.threads === 0) return '';
  const deaths = t.deaths
    ? ` (${t.deaths} died, ${t.failures} probe${t.failures === 1 ? '' : 's'} failed)`
    : '';
  return `; web probes on ${t.threads} thread${t.threads === 1 ? '' : 's'}${deaths}`;
}

function worstOf(a: Severity | undefined, r: DomainResult): Severity | undefined {
  // Accepted risks do not count for --fail-on.
  for (const f of r.risks) if (!f.accepted && (!a || severityAtLeast(f.severity, a))) a = f.severity;
  return a;
}

/**
 * The audit loop shared by `audit` and `whatif`: reads the list as a stream, audits with
 * bounded concurrency, and either keeps results for a sorted document or streams them as NDJSON
 * lines (`stream`), so a million domains hold no more than the ones in flight.
 */
export async function runAudit(
  source: string | { name: string; text: string },
  flags: RunFlags,
  io: CliIo,
  stream: 'ndjson' | false,
  hooks: RunHooks = {},
  keep = !stream,
): Promise<RunResult> {
  const name = typeof source === 'object' ? source.name : source === '-' ? 'stdin' : source;
  if (typeof source === 'string' && source !== '-') assertReadable(source);
  const input = typeof source === 'object' ? Readable.from([source.text]) : openInput(source);
  const opts: AuditOptions = resolveAuditOptions(flags, io.env);
  const shard = flags.shard ? parseShardOrThrow(flags.shard) : undefined;
  const auditor = await createAuditor(opts);
  for (const w of auditor.catalogue.warnings) io.stderr(`singlepath: warning: ${escapeTerminal(w)}\n`);
  let interrupted: NodeJS.Signals | undefined;
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": leave without waiting for the domains in flight.
    if (interrupted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    interrupted = signal;
    // No further line is read, even from a producer that has gone quiet (a FIFO, `tail -f`): the
    // domains in flight finish within their own bounds (--domain-timeout) and are written.
    stop.abort();
    input.destroy();
    io.stderr(`\nsinglepath: ${signal}: finishing the domains in flight, keeping every finished result\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const stats: StreamStats = { lines: 0, domains: 0, duplicates: 0, problems: 0 };
  let valid = 0;
  let listRead = false;
  const listed = readDomains(textOnly(input, name), name, stats, {
    onProblem: (p) =>
      io.stderr(`singlepath: ${name}:${p.line}: skipped${p.text ? ` "${p.text}"` : ''}: ${p.reason}\n`),
    format: flags.inputFormat ?? (flags.column ? 'csv' : 'list'),
    ...(flags.column ? { column: flags.column } : {}),
    filter: (d) => {
      valid++;
      return (!shard || inShard(d, shard)) && !hooks.skip?.(d);
    },
    stopped: () => interrupted !== undefined,
    signal: stop.signal,
  });
  const domains = (async function* () {
    for await (const d of listed) yield d;
    listRead = !interrupted;
  })();

  const sink: LineSink | null = stream
    ? namedSink(flags.output ? fileSink(flags.output) : stdoutSink(io.stdout), flags.output ?? 'stdout')
    : null;
  const summary = new SummaryBuilder({ parents: auditor.parents });
  // Fed as results come when they are streamed out or kept (past SPILL_AFTER they go to disk and
  // are read back only in name order: for the report, the baseline diff, the snapshot, what-if).
  const summarise = sink !== null || keep;
  const kept = new ResultKeeper(io.env, io.stderr);
  let worst: Severity | undefined;
  const progress = new Progress(
    io.stderrIsTty,
    io.stderrIsTty && typeof source === 'string' ? await countLines(source) : undefined,
    io.stderr,
  );
  const started = performance.now();
  let audited = 0;
  const pool =
    (flags.jobs ?? 1) > 1
      ? auditInWorkers(domains, opts, flags.jobs!, io.stderr, {
          env: io.env,
          stopped: () => interrupted !== undefined,
        })
      : null;
  let workerFailed = 0;
  let warnedKeep = false;
  const failures = new FailureCounts();
  try {
    for await (const r of pool ? pool.results : auditStream(domains, auditor, opts.concurrency)) {
      flags.accept?.apply(r);
      audited++;
      failures.add(r);
      if (r.error?.code === 'WORKER_FAILED') workerFailed++;
      worst = worstOf(worst, r);
      hooks.onResult?.(r);
      if (summarise) summary.add(r);
      if (sink) sink.write(renderNdjsonLine(r));
      if (keep) {
        kept.add(r);
        if (kept.held.length >= KEEP_WARNING && !warnedKeep) {
          warnedKeep = true;
          io.stderr(
            `singlepath: warning: ${KEEP_WARNING} results held in memory, ` +
              "~5 KB each; Node's default heap holds ~600k (raise it with " +
              'NODE_OPTIONS=--max-old-space-size=MB). For lists this long use --format ndjson ' +
              '--output FILE, which streams\n',
          );
        }
      }
      progress.tick(audited, r.domain);
    }
    // Inside the try: keeping them may fail (a full temporary folder) and must clean up as any.
    for (const r of hooks.carried?.results(listRead) ?? []) {
      flags.accept?.apply(r);
      failures.add(r);
      if (keep) kept.add(r);
      worst = worstOf(worst, r);
      if (summarise) summary.add(r);
      if (sink) sink.write(renderNdjsonLine(r));
    }
  } catch (err) {
    sink?.discard();
    kept.close();
    // Stop reading: an open stdin would otherwise keep the process alive after the error.
    input.destroy();
    throw err;
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await auditor.close();
  }
  if (valid === 0 && !interrupted && !hooks.carried?.count) {
    sink?.discard();
    throw new InputError(`${name}: no domains to audit`);
  }
  const resolvers = pool ? pool.resolverUse() : auditor.resolverUse();
  if (!flags.quiet) {
    const secs = (performance.now() - started) / 1000;
    const s = pool ? pool.stats() : auditor.stats();
    const rate = secs > 0 ? Math.round(audited / secs) : audited;
    // Rate-limit waits and backoff only when they happened: the usual line stays short.
    const paced = s.throttled ? `, ${s.throttled} paced by --qps` : '';
    const backoff = s.backoffMs ? `, ${(s.backoffMs / 1000).toFixed(1)} s backoff` : '';
    const tcp = s.tcpFallbacks ? `, ${s.tcpFallbacks} over TCP` : '';
    // Early resends on --concurrency auto's learnt timeout (the attempt before kept listening);
    // timeouts are attempts that waited out the whole --timeout unanswered.
    const retransmits = s.retransmits ? `, ${s.retransmits} retransmits` : '';
    const checks = s.zonesChecked
      ? `; DNS checks: ${s.zonesChecked} zones, ${s.directQuestions} questions to name servers (${s.directSent} packets)`
      : '';
    io.stderr(
      `singlepath: ${audited} domains in ${secs.toFixed(1)} s (${rate}/s); ${s.queries} DNS queries, ` +
        `${s.sent} packets${tcp}, ${s.retries} retries${retransmits}${backoff}, ${s.timeouts} timeouts${paced}${checks}` +
        `${pool ? '' : autoNote(auditor.concurrencyStats())}` +
        `${shard ? `; shard ${flags.shard}` : ''}${pool ? `; ${flags.jobs} jobs` : ''}${threadsNote(pool ? pool.probeStats() : auditor.probeStats())}\n`,
    );
    if (resolvers.length) io.stderr(`singlepath: ${resolverLine(resolvers)}\n`);
  }
  const sameWay = sameWayWarning(failures, resolvers);
  if (sameWay) io.stderr(sameWay);
  const incomplete = interrupted ? { reason: interrupted, audited: failures.total } : undefined;
  const printNotes = (s: Summary) => {
    for (const n of s.notes ?? []) io.stderr(`singlepath: note: ${escapeTerminal(n.message)}\n`);
  };
  const relations = { parents: auditor.parents };
  const seconds = (performance.now() - started) / 1000;
  /** What every way out of the run reports besides the results. */
  const tail = () => ({ audited, worst, interrupted, relations, workerFailed, seconds, failures, resolvers });
  // The incremental summary, when it was fed (streamed or spilled results); finished once.
  const finished = summarise ? summary.finish() : undefined;
  if (sink) {
    sink.write(renderNdjsonSummary(finished!, resolvers));
    sink.commit();
    printNotes(finished!);
    if (!keep) return tail();
  }
  const spilled = kept.spilled;
  if (spilled) {
    // Results on disk come back in name order, as buildDocument sorts them.
    const report: ReportDocument = {
      ...documentHead(opts, resolvers),
      ...(incomplete ? { incomplete } : {}),
      domains: spilled,
      summary: finished!,
    };
    if (!sink) printNotes(report.summary);
    return { report, release: () => spilled.close(), ...tail() };
  }
  const built = buildDocument(kept.held, opts, auditor.parents, resolvers);
  // An interrupted run's document says so near its top, before the domains it does hold.
  const doc = incomplete ? { ...documentHead(opts, resolvers), incomplete, ...built } : built;
  if (!sink) printNotes(doc.summary);
  return { doc, report: doc, ...tail() };
}

function assertReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** Lines in a regular file (for the ETA); undefined for stdin. Cheap: counts newline bytes. */
async function countLines(source: string): Promise<number | undefined> {
  if (source === '-') return undefined;
  let n = 0;
  try {
    for await (const chunk of createReadStream(source)) {
      const buf = chunk as Buffer;
      for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) n++;
    }
  } catch {
    return undefined;
  }
  return n;
}

function parseShardOrThrow(spec: string) {
  try {
    return parseShard(spec);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}
