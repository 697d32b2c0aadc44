// Plain-text rendering of a bench result: one row per measured mode, then the targets.
import type { RecordedQuestions } from './recording.js';
import type { BenchResult, Row } from './run.js';

const HEAD = [
  'N',
  'mode',
  'domains/s',
  'ceiling',
  'ratio',
  'queries',
  'timeouts',
  'lost',
  'errors',
  'RSS MB',
  'cpu s',
  'lab cpu s',
  'alloc KB/dom',
];

function cells(n: number, r: Row): string[] {
  const num = (x: number | null, d = 0) => (x === null ? '-' : x.toFixed(d));
  return [
    String(n),
    r.mode,
    num(r.rate),
    num(r.ceiling),
    r.ratio === null ? '-' : `${(r.ratio * 100).toFixed(1)}%`,
    num(r.queries),
    String(r.timeouts),
    String(r.lost),
    String(r.errors),
    num(r.peakRssMb, 1),
    num(r.cpuSec, 1),
    r.labCpuSec.toFixed(1),
    num(r.allocKbPerDomain, 1),
  ];
}

export function renderTable(result: BenchResult): string {
  const rows = [HEAD, ...result.rows.map((r) => cells(result.n, r))];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  const out = [
    `singlepath bench: N=${result.n} zones=${result.zones} concurrency=${result.concurrency} window=${result.window}` +
      ` node ${result.node}, ${result.cpus} cpus, load ${result.loadBefore.join(' ')} -> ${result.loadAfter.join(' ')}`,
    '',
    line(rows[0]!),
    ...rows.slice(1).map(line),
    '',
  ];
  if (result.cliStartupSec !== null)
    out.push(
      `CLI startup (1 domain, DNS-only): ${result.cliStartupSec} s, ${result.cliStartupRssMb} MB peak RSS; the time is included in the CLI rates`,
    );
  out.push(
    'cpu s: the measured client (the CLI process, or the bench process for a ceiling); lab cpu s: both lab children',
  );
  const perDomain = result.rows
    .filter((r) => r.cpuSec !== null)
    .map((r) => `${r.mode} ${((r.cpuSec! * 1e6) / r.domains).toFixed(0)}`);
  if (perDomain.length) out.push(`client CPU us/domain: ${perDomain.join(', ')}`);
  for (const r of result.rows) {
    const s = r.detail.statsLine;
    if (typeof s === 'string') out.push(`${r.mode} stats line: ${s}`);
    const rss = r.detail.rssTimelineMb as number[] | undefined;
    if (rss?.length) out.push(`${r.mode} RSS MB at each tenth of the run: ${rss.join(' ')}`);
    const rec = r.detail.recorded as RecordedQuestions | undefined;
    if (rec)
      out.push(
        `${r.mode} packets as the responder saw them: ${rec.packets}, ${rec.distinct} distinct (name, type); ` +
          `by type ${JSON.stringify(rec.byType)}; repeats by type ${JSON.stringify(rec.repeatsByType)}`,
      );
    const codes = r.detail.errorCodes as Record<string, number> | undefined;
    if (codes && Object.keys(codes).length) out.push(`${r.mode} errors: ${JSON.stringify(codes)}`);
  }
  const row = (m: string) => result.rows.find((r) => r.mode === m);
  const qps = (m: string): number | undefined => row(m)?.detail.qps as number | undefined;
  const [bare, cli] = [qps('dns ceiling'), qps('dns cli')];
  const [distinct, sent] = [row('dns ceiling')?.queries, row('dns cli')?.queries];
  if (bare && cli && distinct && sent)
    out.push(
      `dns packets: cli ${sent} for the model's ${distinct} distinct questions (${(sent / distinct).toFixed(2)}x); ` +
        `per second cli ${cli.toFixed(0)} vs bare ${bare.toFixed(0)} (${((cli / bare) * 100).toFixed(1)}%): ` +
        'with no extra packets, the gap is the CPU the CLI spends per domain beside the wire',
    );
  for (const t of result.targets) out.push(`target ${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${t.value}`);
  for (const f of result.failures) out.push(`HARNESS FAILURE: ${f}`);
  return `${out.join('\n')}\n`;
}
