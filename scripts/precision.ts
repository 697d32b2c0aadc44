// The lab's precision and recall per layer: every setup of test/fixtures/setups.json (a realistic
// provider configuration and the answer a careful human gives) audited by the real executable
// through the loopback lab, then scored layer by layer. test/e2e-setups.test.ts asserts on the same
// computation; `node dist/scripts/precision.js` prints the table.
//
// Scoring, per setup and layer, over `layer:provider` pairs (service, region, via and order are
// checked by the strict per-setup test, not here): a true positive is an expected pair the audit
// reported, a false negative an expected pair it did not, a false positive a reported pair nobody
// expected. `self` counts like any provider, on both sides.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/package-root.js';
import { type AuditDocument, type Dependency, type DomainResult, LAYERS, type Layer } from '../src/types.js';
import { type CliRun, runCli } from '../test/helpers/cli.js';
import type { LabRecord } from '../test/helpers/dns-server.js';
import { type LabFixture, startLab } from '../test/helpers/lab.js';
import type { LabSite } from '../test/helpers/web-server.js';

export interface Setup {
  /** The audited host (one per setup, each under its own fictional registrable domain). */
  domain: string;
  about: string;
  tags: string[];
  /** The zone apex the lab answers for (the setup's own records live in it). */
  zone: string;
  /** Zone-file lines: `name TYPE data`, or `name MX priority host`. */
  records: string[];
  site: LabSite;
  /** `layer:provider[/service][@region][<via][#order]`, in document order. */
  expect: string[];
  /** `severity kind [layer] [provider]` that must be reported. */
  findings?: string[];
  /** Findings that must not be reported. */
  absent?: string[];
  /** The domain's expected error code (a site that answers plain HTTP only has none: it is a no-https finding). */
  error?: string;
  /** Why the classification is wrong here (left out of the strict check, counted in the scores). */
  knownGap?: string;
}

export interface SetupsFile {
  shared: { zones: string[]; records: string[] };
  setups: Setup[];
}

export const SETUPS_PATH = join(packageRoot(), 'test', 'fixtures', 'setups.json');

export function readSetups(path = SETUPS_PATH): SetupsFile {
  return JSON.parse(readFileSync(path, 'utf8')) as SetupsFile;
}

const RECORD_TYPES = new Set(['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT']);

export function parseRecord(line: string): LabRecord {
  const parts = line.trim().split(/\s+/);
  const [name, type] = parts;
  if (!name || !type || !RECORD_TYPES.has(type)) throw new Error(`bad record line "${line}"`);
  if (type === 'MX') {
    const [, , priority, host] = parts;
    if (parts.length !== 4 || !/^\d+$/.test(priority ?? '')) throw new Error(`bad MX line "${line}"`);
    return { name, type, priority: Number(priority), data: host! };
  }
  if (parts.length !== 3) throw new Error(`bad record line "${line}"`);
  return { name, type: type as LabRecord['type'], data: parts[2]! };
}

/** The lab fixture (DNS zones and records, web sites) for all setups at once; checks the data on the way. */
export function labFixture(file: SetupsFile): LabFixture {
  const zones = [...new Set([...file.shared.zones, ...file.setups.map((s) => s.zone)])];
  const lines = [...new Set([...file.shared.records, ...file.setups.flatMap((s) => s.records)])];
  const records = lines.map(parseRecord);
  const inZone = (name: string) => zones.some((z) => name === z || name.endsWith(`.${z}`));
  for (const r of records)
    if (!inZone(r.name)) throw new Error(`record ${r.name} ${r.type} is in no zone of the lab`);
  const sites: Record<string, LabSite> = {};
  for (const s of file.setups) {
    if (sites[s.domain]) throw new Error(`setup ${s.domain} appears twice`);
    sites[s.domain] = s.site;
  }
  return { zones, records, sites };
}

export interface DepSpec {
  layer: Layer;
  provider: string;
  service?: string;
  region?: string;
  via?: string;
  order: number;
}

const DEP =
  /^(dns|cdn|cloud|ca|email):([a-z0-9.-]+)(?:\/([a-z0-9.-]+))?(?:@([a-z0-9.-]+))?(?:<([a-z0-9.-]+))?(?:#(\d+))?$/;

export function parseDep(text: string): DepSpec {
  const m = DEP.exec(text);
  if (!m) throw new Error(`bad dependency "${text}"`);
  const spec: DepSpec = { layer: m[1] as Layer, provider: m[2]!, order: Number(m[6] ?? 0) };
  if (m[3] !== undefined) spec.service = m[3];
  if (m[4] !== undefined) spec.region = m[4];
  if (m[5] !== undefined) spec.via = m[5];
  return spec;
}

/**
 * A dependency as text. via and order always; service and region when `like` names them (an
 * expectation that does not mention them accepts any), or all of them without `like`.
 */
export function depText(
  d: Pick<Dependency, 'layer' | 'provider' | 'service' | 'region' | 'via' | 'order'>,
  like?: DepSpec | null,
): string {
  const service = like === undefined || like?.service !== undefined ? d.service : undefined;
  const region = like === undefined || like?.region !== undefined ? d.region : undefined;
  return (
    `${d.layer}:${d.provider}${service ? `/${service}` : ''}${region ? `@${region}` : ''}` +
    `${d.via ? `<${d.via}` : ''}${d.order ? `#${d.order}` : ''}`
  );
}

/** What the audit said and what the setup expects, comparable as two lists of strings. */
export function compareSetup(setup: Setup, result: DomainResult): { actual: string[]; expected: string[] } {
  const specs = setup.expect.map(parseDep);
  const unused = [...specs];
  const actual = result.dependencies.map((d) => {
    const i = unused.findIndex((s) => s.layer === d.layer && s.provider === d.provider);
    const spec = i >= 0 ? unused.splice(i, 1)[0]! : undefined;
    return depText(d, spec);
  });
  return { actual, expected: specs.map((s) => depText(s, s)) };
}

export function findingTexts(result: DomainResult): string[] {
  return result.risks.map(
    (r) => `${r.severity} ${r.kind}${r.layer ? ` ${r.layer}` : ''}${r.provider ? ` ${r.provider}` : ''}`,
  );
}

export interface LayerScore {
  layer: Layer | 'all';
  expected: number;
  found: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface Miss {
  domain: string;
  kind: 'fp' | 'fn';
  dep: string;
  knownGap: boolean;
}

export interface Scores {
  layers: LayerScore[];
  all: LayerScore;
  misses: Miss[];
}

function ratio(n: number, d: number): number {
  return d === 0 ? 1 : n / d;
}

function layerScore(layer: LayerScore['layer'], tp: number, fp: number, fn: number): LayerScore {
  return {
    layer,
    expected: tp + fn,
    found: tp + fp,
    tp,
    fp,
    fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
  };
}

export function score(setups: Setup[], doc: AuditDocument): Scores {
  const counts = new Map<Layer, { tp: number; fp: number; fn: number }>(
    LAYERS.map((l) => [l, { tp: 0, fp: 0, fn: 0 }]),
  );
  const misses: Miss[] = [];
  for (const setup of setups) {
    const result = doc.domains.find((d) => d.domain === setup.domain);
    const expected = new Set(
      setup.expect.map((e) => {
        const s = parseDep(e);
        return `${s.layer}:${s.provider}`;
      }),
    );
    const found = new Set((result?.dependencies ?? []).map((d) => `${d.layer}:${d.provider}`));
    const note = (kind: Miss['kind'], dep: string) =>
      misses.push({ domain: setup.domain, kind, dep, knownGap: setup.knownGap !== undefined });
    for (const pair of new Set([...expected, ...found])) {
      const c = counts.get(pair.slice(0, pair.indexOf(':')) as Layer)!;
      if (expected.has(pair) && found.has(pair)) c.tp++;
      else if (expected.has(pair)) {
        c.fn++;
        note('fn', pair);
      } else {
        c.fp++;
        note('fp', pair);
      }
    }
  }
  const layers = LAYERS.map((l) => {
    const c = counts.get(l)!;
    return layerScore(l, c.tp, c.fp, c.fn);
  });
  const sum = (k: 'tp' | 'fp' | 'fn') => layers.reduce((n, l) => n + l[k], 0);
  return { layers, all: layerScore('all', sum('tp'), sum('fp'), sum('fn')), misses };
}

export function formatScores(s: Scores, setups: number): string {
  const head = ['layer', 'expected', 'found', 'TP', 'FP', 'FN', 'precision', 'recall'];
  const rows = [...s.layers, s.all].map((l) => [
    l.layer,
    String(l.expected),
    String(l.found),
    String(l.tp),
    String(l.fp),
    String(l.fn),
    l.precision.toFixed(3),
    l.recall.toFixed(3),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`lab precision and recall over ${setups} setups (layer:provider pairs)`, line(head)];
  out.push(...rows.map(line));
  for (const m of s.misses)
    out.push(
      `  ${m.kind === 'fp' ? 'false positive' : 'false negative'} ${m.dep} on ${m.domain}${m.knownGap ? ' (known gap)' : ''}`,
    );
  return out.join('\n');
}

/** Starts the lab, runs `singlepath audit LIST --format json` once over every setup, stops the lab. */
export async function auditSetups(file: SetupsFile): Promise<{ run: CliRun; doc?: AuditDocument }> {
  const lab = await startLab(labFixture(file));
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-setups-'));
  try {
    const list = join(dir, 'domains.txt');
    writeFileSync(list, `${file.setups.map((s) => s.domain).join('\n')}\n`);
    const run = await runCli(['audit', list, '--format', 'json', '--quiet', ...lab.args()]);
    return { run, doc: run.code === 0 ? (JSON.parse(run.stdout) as AuditDocument) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await lab.close();
  }
}

async function main(): Promise<void> {
  const file = readSetups();
  const { run, doc } = await auditSetups(file);
  if (!doc) {
    process.stderr.write(run.stderr);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${formatScores(score(file.setups, doc), file.setups.length)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
