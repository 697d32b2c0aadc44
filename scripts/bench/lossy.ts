// `npm run bench -- --lossy`: the audit on a slow, lossy lab resolver (network.ts), at fixed
// --concurrency settings and at `auto`, each beside the concurrency-bound ideal:
//   ideal = min(in-flight limit ÷ mean time per domain on the wire, rate limit ÷ packets a domain)
// The mean time per domain on the wire is measured once, by the bare client (lossy-client.ts)
// asking the same questions in the audit's rounds with its timeout and retries, with 50 domains
// in flight or the smallest fixed setting if lower (below the rate limit: the wire's own time,
// not the queue's). The packets a domain are the audit's own (received by the lab in that run). For auto the in-flight limit is
// its maximum (AUTO_MAX): with a resolver rate limit its ideal is the resolver's rate.
// `auto-fixed` is auto with the user's fixed retransmit timeout (the paired run of the adaptive one).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTO_MAX } from '../../src/collect/auto-concurrency.js';
import { packageRoot } from '../../src/package-root.js';
import { runCli } from './cli-run.js';
import { startBenchLab } from './lab.js';
import { type LossyClientResult, lossyBareClient } from './lossy-client.js';
import type { NetworkSpec } from './network.js';
import { countOutput, parseStats } from './output.js';
import { trackTmpDir, writeList } from './run.js';

export type Setting = number | 'auto' | 'auto-fixed';

export interface LossyOptions {
  n: number;
  zones: number;
  settings: Setting[];
  network: NetworkSpec;
  /** Domains the bare client asks per setting (its mean time per domain settles long before n). */
  bareN: number;
  timeoutMs?: number;
  retries?: number;
  log?: (line: string) => void;
}

export interface LossyRow {
  setting: Setting;
  domains: number;
  seconds: number;
  rate: number;
  ideal: number;
  /** rate ÷ ideal. */
  ratio: number;
  /** The bare client's mean time per domain at this in-flight limit, ms. */
  wireMs: number;
  /** The bare client's own rate at this in-flight limit. */
  bareRate: number;
  packetsPerDomain: number;
  /** Attempts that waited their whole timeout unanswered (the CLI's stats line). */
  timeouts: number;
  retries: number;
  /** Early resends on auto's learnt timeout (counted in retries; not timeouts). */
  retransmits: number;
  /** REFUSED answers the lab sent (rate limit), and queries it dropped for the rate. */
  refused: number;
  rateDropped: number;
  /** Queries the network lost (the 1%). */
  netLost: number;
  /** Domains with no line in the output, and domains whose result carries an error. */
  lost: number;
  failed: number;
  /** auto: the window's time-weighted mean and range. */
  window: string;
  /** Error codes of the failed domains. */
  errorCodes: Record<string, number>;
  statsLine: string | null;
}

export interface LossyResult {
  n: number;
  zones: number;
  network: NetworkSpec;
  node: string;
  cpus: number;
  loadBefore: number[];
  loadAfter: number[];
  /** The bare client's run that measured the wire's time per domain. */
  bare?: { limit: number; rateDropped: number } & LossyClientResult;
  rows: LossyRow[];
  failures: string[];
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function runLossy(opts: LossyOptions): Promise<LossyResult> {
  const log = opts.log ?? (() => {});
  const { n, zones, network } = opts;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const retries = opts.retries ?? 2;
  const root = packageRoot();
  const tmpDir = mkdtempSync(join(tmpdir(), 'singlepath-lossy-'));
  trackTmpDir(tmpDir);
  const result: LossyResult = {
    n,
    zones,
    network,
    node: process.version,
    cpus: cpus().length,
    loadBefore: loadavg().map((x) => round(x, 2)),
    loadAfter: [],
    rows: [],
    failures: [],
  };
  const list = join(tmpDir, 'domains.txt');
  await writeList(list, n, zones);
  const lab = await startBenchLab({ root, tmpDir, zones, web: false, network });
  const fixed = opts.settings.filter((x): x is number => typeof x === 'number');
  const bareLimit = Math.min(50, ...fixed);
  try {
    log(`lossy bare client: ${Math.min(n, opts.bareN)} domains, ${bareLimit} in flight`);
    await lab.dns.request('reset');
    const bare = await lossyBareClient({
      port: lab.dns.ready.port,
      n: Math.min(n, opts.bareN),
      // A sample spread over the list, so that it has the list's share of zones' first domains.
      stride: Math.max(1, Math.floor(n / opts.bareN)),
      zones,
      limit: bareLimit,
      timeoutMs,
      retries,
    });
    const w = { ms: bare.meanDomainMs, rate: bare.domains / (bare.elapsedMs / 1000) };
    result.bare = {
      limit: bareLimit,
      ...bare,
      rateDropped: (await lab.dns.request('stats')).rateDropped ?? 0,
    };
    log(`  mean ${round(w.ms)} ms a domain, ${round(w.rate)}/s`);
    for (const setting of opts.settings) {
      const limit = typeof setting === 'number' ? setting : AUTO_MAX;
      log(`lossy cli --concurrency ${setting}: ${n} domains`);
      await lab.dns.request('reset');
      const output = join(tmpDir, `lossy-${setting}.ndjson`);
      const run = await runCli({
        root,
        tmpDir,
        maxMs: 120_000 + n * 30,
        ...(setting === 'auto-fixed' ? { env: { SINGLEPATH_FIXED_TIMEOUT: '1' } } : {}),
        args: [
          'audit',
          list,
          '--no-http',
          '--format',
          'ndjson',
          '--output',
          output,
          '--resolver',
          lab.resolver,
          '--concurrency',
          typeof setting === 'number' ? String(setting) : 'auto',
          '--timeout',
          String(timeoutMs),
          '--retries',
          String(retries),
        ],
      });
      const lab1 = await lab.dns.request('stats');
      if (run.killed || run.code !== 0)
        result.failures.push(
          `--concurrency ${setting}: exit ${run.code ?? run.signal}: ${run.stderr.trim().slice(-300)}`,
        );
      const count = await countOutput(output, n);
      const stats = parseStats(run.stderr);
      const received = (lab1.queries ?? 0) + (lab1.lost ?? 0) + (lab1.refused ?? 0) + (lab1.rateDropped ?? 0);
      const perDomain = received / n;
      const rate = n / (run.elapsedMs / 1000);
      const byConcurrency = (limit * 1000) / (w.ms || 1);
      const byRate = network.rateLimit > 0 ? network.rateLimit / perDomain : Number.POSITIVE_INFINITY;
      const ideal = Math.min(byConcurrency, byRate);
      const windowNote = /concurrency auto: mean (\d+), (\d+-\d+)/.exec(run.stderr);
      const row: LossyRow = {
        setting,
        domains: n,
        seconds: round(run.elapsedMs / 1000, 2),
        rate: round(rate),
        ideal: round(ideal),
        ratio: round(rate / ideal, 3),
        wireMs: round(w.ms),
        bareRate: round(w.rate),
        packetsPerDomain: round(perDomain, 2),
        timeouts: stats?.values.timeouts ?? 0,
        retries: stats?.values.retries ?? 0,
        retransmits: stats?.values.retransmits ?? 0,
        refused: lab1.refused ?? 0,
        rateDropped: lab1.rateDropped ?? 0,
        netLost: lab1.lost ?? 0,
        lost: count.lost,
        failed: count.errorTotal,
        window: windowNote ? `${windowNote[1]} (${windowNote[2]})` : String(setting),
        errorCodes: count.errors,
        statsLine: stats?.line ?? null,
      };
      result.rows.push(row);
      log(
        `  ${row.rate}/s, ideal ${row.ideal}, ${row.timeouts} timeouts, ${row.retransmits} retransmits, ${row.lost} lost, ${row.failed} failed`,
      );
    }
  } catch (err) {
    result.failures.push(`harness: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await lab.close().catch(() => {});
    rmSync(tmpDir, { recursive: true, force: true });
    trackTmpDir(tmpDir, false);
    result.loadAfter = loadavg().map((x) => round(x, 2));
  }
  return result;
}

const HEAD = [
  'concurrency',
  'domains/s',
  'ideal',
  '% ideal',
  'wire ms',
  'pkts/dom',
  'timeouts',
  'retries',
  'retransmits',
  'REFUSED',
  'rate-dropped',
  'lost',
  'failed',
  'window',
];

export function renderLossy(r: LossyResult): string {
  const rows = [
    HEAD,
    ...r.rows.map((x) => [
      String(x.setting),
      x.rate.toFixed(0),
      x.ideal.toFixed(0),
      `${(x.ratio * 100).toFixed(1)}%`,
      x.wireMs.toFixed(0),
      x.packetsPerDomain.toFixed(2),
      String(x.timeouts),
      String(x.retries),
      String(x.retransmits),
      String(x.refused),
      String(x.rateDropped),
      String(x.lost),
      String(x.failed),
      x.window,
    ]),
  ];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const s = r.network;
  const out = [
    `singlepath lossy bench: N=${r.n} zones=${r.zones}; network: delay log-normal median ${s.medianMs} ms, p99 ${s.p99Ms} ms, ` +
      `loss ${(s.loss * 100).toFixed(1)}%, rate limit ${s.rateLimit || 'none'}/s (${s.rateAction}), seed ${s.seed}; ` +
      `node ${r.node}, ${r.cpus} cpus, load ${r.loadBefore.join(' ')} -> ${r.loadAfter.join(' ')}`,
    '',
    ...rows.map(line),
    '',
    'ideal = min(in-flight limit ÷ wire ms, rate limit ÷ pkts/dom); wire ms: mean time per domain of the bare client,',
    r.bare
      ? `  ${r.bare.domains} domains, ${r.bare.limit} in flight: ${(r.bare.domains / (r.bare.elapsedMs / 1000)).toFixed(0)}/s, ${r.bare.timeouts} timeouts, ${r.bare.failedDomains} failed`
      : '',
    `auto's limit: its maximum ${AUTO_MAX}; timeouts (attempts that waited the whole --timeout), retries, retransmits (early resends, in retries): the CLI's stats line; lost: no result; failed: a result with an error`,
  ];
  for (const x of r.rows)
    if (x.failed) out.push(`${x.setting} failed domains: ${JSON.stringify(x.errorCodes)}`);
  for (const f of r.failures) out.push(`HARNESS FAILURE: ${f}`);
  return `${out.join('\n')}\n`;
}
