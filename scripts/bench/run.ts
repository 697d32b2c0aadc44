// The benchmark as a library: lab up, ceilings measured, the real CLI run DNS-only and full
// against the same lab, figures returned. Targets (issue 6) are reported, never asserted.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/package-root.js';
import { runCli } from './cli-run.js';
import { bareDnsCeiling, type DnsCeilingOptions } from './dns-ceiling.js';
import { killAllChildren } from './ipc.js';
import { type BenchLab, startBenchLab } from './lab.js';
import { auditQuestions, domainName } from './model.js';
import { countDocument, countOutput, parseStats } from './output.js';
import { readPackets, recordedQuestions } from './recording.js';
import { bareTlsCeiling } from './tls-ceiling.js';

type DnsCeilingSource = Pick<DnsCeilingOptions, 'questions' | 'packets'>;

export interface BenchOptions {
  n: number;
  zones: number;
  /** The CLI's --concurrency, and the bare TLS probe's. */
  concurrency: number;
  /** Queries in flight for the bare DNS client. */
  window: number;
  skipFull?: boolean;
  skipCli?: boolean;
  /** Also run the CLI with --jobs N (N > 1). */
  jobs?: number;
  /** --probe-threads for the CLI's full runs; absent: the CLI's default (cores - 1, at most 4). */
  probeThreads?: number;
  /** Also run the DNS-only audit with these whole-document formats written to a file. */
  formats?: ('json' | 'table')[];
  /** Write V8 CPU profiles of the CLI runs into this folder. */
  cpuProfDir?: string;
  /** Extra node flags for the CLI runs (e.g. --max-old-space-size=128). */
  cliNodeFlags?: string[];
  /** Keep the temporary folder (domain list, CLI output). */
  keep?: boolean;
  log?: (line: string) => void;
}

export type Mode =
  | 'dns ceiling'
  | 'dns replay'
  | 'dns cli'
  | 'tls ceiling'
  | 'full cli'
  | `${'dns' | 'full'} cli --jobs ${number}`
  | `dns cli --format ${'json' | 'table'}`;

export interface Row {
  mode: Mode;
  domains: number;
  seconds: number;
  /** Domains per second over the wall time. */
  rate: number;
  /** Rate of the ceiling this row is compared with. */
  ceiling: number | null;
  ratio: number | null;
  /** DNS queries the responder received in this phase. */
  queries: number | null;
  timeouts: number;
  lost: number;
  errors: number;
  peakRssMb: number | null;
  /** CPU seconds of the measured client: the CLI (user + system, GNU time), or this process for a ceiling. */
  cpuSec: number | null;
  /** CPU seconds the lab children spent in this phase. */
  labCpuSec: number;
  /** Bytes the CLI's main thread allocated on its JavaScript heap, per domain (null for a ceiling). */
  allocKbPerDomain: number | null;
  detail: Record<string, unknown>;
}

export interface Target {
  name: string;
  value: string;
  met: boolean;
}

export interface BenchResult {
  n: number;
  zones: number;
  concurrency: number;
  window: number;
  node: string;
  cpus: number;
  loadBefore: number[];
  loadAfter: number[];
  /** Seconds the CLI needs to start and audit one domain (loading catalogue and ASN data). */
  cliStartupSec: number | null;
  /** Peak RSS of that one-domain run: the CLI's fixed memory. */
  cliStartupRssMb: number | null;
  rows: Row[];
  targets: Target[];
  /** Harness failures (the figures are not trustworthy); missed targets are not failures. */
  failures: string[];
}

export async function writeList(path: string, n: number, zones: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i += 10_000) {
    const lines: string[] = [];
    for (let k = i; k < Math.min(n, i + 10_000); k++) lines.push(domainName(k, zones));
    if (!out.write(`${lines.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

function* hosts(n: number, zones: number): Generator<string> {
  for (let i = 0; i < n; i++) yield domainName(i, zones);
}

/** Temporary folders of runs in progress, for an interrupt to remove. */
const liveTmpDirs = new Set<string>();

/** A folder for an interrupt to remove (the lossy bench's own). */
export function trackTmpDir(dir: string, live = true): void {
  if (live) liveTmpDirs.add(dir);
  else liveTmpDirs.delete(dir);
}

export function removeTmpDirs(): void {
  for (const dir of liveTmpDirs) rmSync(dir, { recursive: true, force: true });
  liveTmpDirs.clear();
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function ownCpu(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return round((d.user + d.system) / 1e6, 2);
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const root = packageRoot();
  const { n, zones, concurrency } = opts;
  const jobs = opts.jobs ?? 1;
  const tmpDir = mkdtempSync(join(tmpdir(), 'singlepath-bench-'));
  if (!opts.keep) liveTmpDirs.add(tmpDir);
  const list = join(tmpDir, 'domains.txt');
  const result: BenchResult = {
    n,
    zones,
    concurrency,
    window: opts.window,
    node: process.version,
    cpus: cpus().length,
    loadBefore: loadavg().map((x) => round(x, 2)),
    loadAfter: [],
    cliStartupSec: null,
    cliStartupRssMb: null,
    rows: [],
    targets: [],
    failures: [],
  };
  let lab: BenchLab | null = null;
  try {
    await writeList(list, n, zones);
    log(`lab: starting (n=${n}, zones=${zones}) in ${tmpDir}`);
    lab = await startBenchLab({ root, tmpDir, zones, web: !opts.skipFull });
    const theLab = lab;
    const labCpu = async () =>
      ((await theLab.dns.request('stats')).cpuMs + ((await theLab.web?.request('stats'))?.cpuMs ?? 0)) / 1000;

    const cli = async (mode: Mode, extra: string[], domains: number, file = list, record?: string) => {
      await lab!.dns.request('reset');
      await lab!.web?.request('reset');
      if (record) await lab!.dns.request('record', record);
      const cpu0 = await labCpu();
      const output = join(tmpDir, `${mode.replace(/[^a-z0-9]+/g, '-')}.ndjson`);
      const run = await runCli({
        root,
        tmpDir,
        allocFile: join(tmpDir, `${mode.replace(/[^a-z0-9]+/g, '-')}.alloc.json`),
        maxMs: 60_000 + domains * 5,
        nodeFlags: [
          ...(opts.cliNodeFlags ?? []),
          ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
        ],
        args: [
          'audit',
          file,
          '--format',
          'ndjson',
          '--output',
          output,
          '--resolver',
          lab!.resolver,
          '--concurrency',
          String(concurrency),
          ...extra,
        ],
      });
      const dnsStats = await lab!.dns.request(record ? 'unrecord' : 'stats');
      const webStats = await lab!.web?.request('stats');
      const labCpuSec = (await labCpu()) - cpu0;
      if (run.killed) result.failures.push(`${mode}: killed after ${Math.round(run.elapsedMs / 1000)} s`);
      else if (run.code !== 0)
        result.failures.push(`${mode}: exit ${run.code ?? run.signal}: ${run.stderr.trim().slice(-500)}`);
      return { run, output, dnsStats, webStats, labCpuSec };
    };

    const cliRow = async (
      mode: Mode,
      extra: string[],
      ceiling: number | null,
      format: 'ndjson' | 'json' | 'table' = 'ndjson',
      record?: string,
    ) => {
      log(`${mode}: running singlepath audit (${n} domains, --concurrency ${concurrency})`);
      const { run, output, dnsStats, webStats, labCpuSec } = await cli(mode, extra, n, list, record);
      const count =
        format === 'ndjson' ? await countOutput(output, n) : await countDocument(output, format, n);
      const stats = parseStats(run.stderr);
      const rate = n / (run.elapsedMs / 1000);
      const row: Row = {
        mode,
        domains: n,
        seconds: round(run.elapsedMs / 1000, 2),
        rate: round(rate),
        ceiling,
        ratio: ceiling ? round(rate / ceiling, 3) : null,
        queries: dnsStats.queries ?? null,
        timeouts: count.timeouts,
        lost: count.lost,
        errors: count.errorTotal,
        peakRssMb: run.peakRssMb === null ? null : round(run.peakRssMb),
        cpuSec: run.cpuSec,
        labCpuSec: round(labCpuSec, 2),
        allocKbPerDomain: run.alloc ? round(run.alloc.allocatedBytes / n / 1024) : null,
        detail: {
          exit: run.code,
          alloc: run.alloc,
          lines: count.lines,
          duplicates: count.duplicates,
          unexpected: count.unexpected,
          summaryLine: count.summary,
          errorCodes: count.errors,
          tcpQueries: dnsStats.tcp,
          qps: round((dnsStats.queries ?? 0) / (run.elapsedMs / 1000)),
          web: webStats
            ? { handshakes: webStats.handshakes, requests: webStats.requests, http: webStats.http }
            : null,
          rssTimelineMb: run.rssTimeline,
          statsLine: stats?.line ?? null,
          stats: stats?.values ?? null,
        },
      };
      result.rows.push(row);
      log(`${mode}: ${row.rate} domains/s, ${row.lost} lost, ${row.peakRssMb} MB peak RSS`);
      return row;
    };

    /** One bare-client run against the lab's responder, as a row: the model's questions or recorded packets. */
    const bareDnsRow = async (mode: 'dns ceiling' | 'dns replay', source: DnsCeilingSource) => {
      await theLab.dns.request('reset');
      const cpu0 = await labCpu();
      const own0 = process.cpuUsage();
      const c = await bareDnsCeiling({ port: theLab.dns.ready.port, ...source, window: opts.window });
      const rate = n / (c.elapsedMs / 1000);
      result.rows.push({
        mode,
        domains: n,
        seconds: round(c.elapsedMs / 1000, 2),
        rate: round(rate),
        ceiling: null,
        ratio: null,
        queries: (await theLab.dns.request('stats')).queries ?? null,
        timeouts: c.timeouts,
        lost: c.lost,
        errors: 0,
        peakRssMb: null,
        cpuSec: ownCpu(own0),
        labCpuSec: round((await labCpu()) - cpu0, 2),
        allocKbPerDomain: null,
        detail: { ...c, qps: round(c.answered / (c.elapsedMs / 1000)) },
      });
      log(`${mode}: ${round(rate)} domains/s (${c.sent} queries)`);
      return rate;
    };

    // The ceiling: the distinct questions a DNS-only audit asks, through a bare client.
    log(`dns ceiling: bare dns-packet client, window ${opts.window}`);
    const dnsCeiling = await bareDnsRow('dns ceiling', { questions: auditQuestions(n, zones) });

    if (!opts.skipCli) {
      // Fixed cost of a run (catalogue, ASN index): one domain, so the rest is throughput.
      const one = join(tmpDir, 'one.txt');
      await writeList(one, 1, zones);
      const startup = await cli('dns cli', ['--no-http'], 1, one);
      result.cliStartupSec = round(startup.run.elapsedMs / 1000, 2);
      result.cliStartupRssMb = startup.run.peakRssMb === null ? null : round(startup.run.peakRssMb);
      // The audit's own packets, recorded by the responder, then sent again by the bare client:
      // the fair ceiling (same names, types, flags and order; the wire work without the audit's).
      const recorded = join(tmpDir, 'dns-cli.packets');
      const dnsRow = await cliRow('dns cli', ['--no-http'], null, 'ndjson', recorded);
      log(`dns replay: the ${dnsRow.queries} packets the audit sent, bare client, window ${opts.window}`);
      const replayRate = await bareDnsRow('dns replay', { packets: readPackets(recorded) });
      dnsRow.ceiling = round(replayRate);
      dnsRow.ratio = round(dnsRow.rate / replayRate, 3);
      if (n <= 200_000) dnsRow.detail.recorded = recordedQuestions(recorded);
      if (!opts.keep) rmSync(recorded, { force: true });
      // The same audit over several processes (parent RSS only in the row).
      if (jobs > 1) await cliRow(`dns cli --jobs ${jobs}`, ['--no-http', '--jobs', String(jobs)], dnsCeiling);
      // Whole documents: every result held, then the report written in pieces (read back to count).
      for (const format of opts.formats ?? [])
        await cliRow(`dns cli --format ${format}`, ['--no-http', '--format', format], null, format);
    }

    if (!opts.skipFull && lab.web) {
      log(`tls ceiling: bare tls.connect probe, concurrency ${concurrency}`);
      await lab.web.request('reset');
      const cpu0 = await labCpu();
      const own0 = process.cpuUsage();
      const tlsC = await bareTlsCeiling({
        port: lab.web.ready.httpsPort,
        hosts: hosts(n, zones),
        concurrency,
        caPem: lab.web.ready.caPem,
      });
      const tlsCeiling = n / (tlsC.elapsedMs / 1000);
      result.rows.push({
        mode: 'tls ceiling',
        domains: n,
        seconds: round(tlsC.elapsedMs / 1000, 2),
        rate: round(tlsCeiling),
        ceiling: null,
        ratio: null,
        queries: null,
        timeouts: tlsC.timeouts,
        lost: tlsC.probes - tlsC.ok,
        errors: tlsC.failed + tlsC.unauthorized,
        peakRssMb: null,
        cpuSec: ownCpu(own0),
        labCpuSec: round((await labCpu()) - cpu0, 2),
        allocKbPerDomain: null,
        detail: { ...tlsC },
      });
      log(`tls ceiling: ${round(tlsCeiling)} probes/s`);
      if (!opts.skipCli) {
        const web = lab.web.ready;
        const toLab = [
          '--connect-to',
          `:443:127.0.0.1:${web.httpsPort}`,
          '--connect-to',
          `:80:127.0.0.1:${web.httpPort}`,
          '--ca-file',
          lab.caFile!,
          ...(opts.probeThreads === undefined ? [] : ['--probe-threads', String(opts.probeThreads)]),
        ];
        await cliRow('full cli', toLab, tlsCeiling);
        if (jobs > 1) await cliRow(`full cli --jobs ${jobs}`, [...toLab, '--jobs', String(jobs)], tlsCeiling);
      }
    }
    result.targets = targets(result);
  } catch (err) {
    result.failures.push(`harness: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await lab?.close().catch(() => {});
    killAllChildren();
    if (!opts.keep) rmSync(tmpDir, { recursive: true, force: true });
    liveTmpDirs.delete(tmpDir);
    result.loadAfter = loadavg().map((x) => round(x, 2));
  }
  return result;
}

/** Issue 19's targets (issue 6's before them), checked against this run's own ceilings. */
function targets(r: BenchResult): Target[] {
  const out: Target[] = [];
  const row = (m: Mode) => r.rows.find((x) => x.mode === m);
  const dns = row('dns cli');
  const full = row('full cli');
  if (dns?.ratio != null)
    out.push({
      name: 'dns-only >= 50% of the replay of its own packets',
      value: `${round(dns.ratio * 100)}%`,
      met: dns.ratio >= 0.5,
    });
  if (full?.ratio != null)
    out.push({
      name: 'full >= 90% of bare TLS',
      value: `${round(full.ratio * 100)}%`,
      met: full.ratio >= 0.9,
    });
  for (const x of [dns, full]) {
    if (!x) continue;
    if (x.peakRssMb !== null)
      out.push({ name: `${x.mode} peak RSS <= 150 MB`, value: `${x.peakRssMb} MB`, met: x.peakRssMb <= 150 });
    if (x.allocKbPerDomain !== null)
      out.push({
        name: `${x.mode} heap allocation <= 25 KB a domain`,
        value: `${x.allocKbPerDomain} KB`,
        met: x.allocKbPerDomain <= 25,
      });
    out.push({ name: `${x.mode} zero lost domains`, value: String(x.lost), met: x.lost === 0 });
    out.push({ name: `${x.mode} zero timeouts`, value: String(x.timeouts), met: x.timeouts === 0 });
  }
  return out;
}
