import { type FindingKind, SEVERITIES, type Severity } from '../types.js';
import type { ReportDocument } from './spill.js';

// Metrics for the monitoring that already pages people: the text exposition format that
// Prometheus, node_exporter's textfile collector and OpenMetrics parsers all read (HELP and TYPE
// lines, gauges, `# EOF` last). Names follow Prometheus' conventions (singlepath_ prefix, base
// units, _ratio for shares); label values are escaped. README "Prometheus" lists every metric.

export interface PrometheusOptions {
  durationSeconds?: number;
}

/** Label value escaping of the exposition format: backslash, double quote and line feed. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string>): string {
  const inner = Object.entries(pairs)
    .map(([k, v]) => `${k}="${labelValue(v)}"`)
    .join(',');
  return inner ? `{${inner}}` : '';
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : 'NaN';
}

function* metric(
  name: string,
  help: string,
  samples: Iterable<[Record<string, string>, number]>,
): Generator<string> {
  yield `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
  for (const [l, v] of samples) yield `${name}${labels(l)} ${num(v)}\n`;
}

export function* prometheusChunks(doc: ReportDocument, opts: PrometheusOptions = {}): Generator<string> {
  const s = doc.summary;
  yield* metric('singlepath_info', 'The singlepath version that wrote the report (always 1).', [
    [{ version: doc.tool.version }, 1],
  ]);
  const at = Date.parse(doc.generatedAt);
  if (Number.isFinite(at))
    yield* metric(
      'singlepath_run_timestamp_seconds',
      'When the audit ran, in seconds since the Unix epoch.',
      [[{}, at / 1000]],
    );
  if (opts.durationSeconds !== undefined)
    yield* metric('singlepath_run_duration_seconds', 'How long the audit took.', [
      [{}, opts.durationSeconds],
    ]);
  yield* metric('singlepath_domains', 'Domains audited.', [[{}, s.domains]]);
  yield* metric('singlepath_domains_failed', 'Domains whose audit failed (DNS or probe errors).', [
    [{}, s.failed],
  ]);
  const byKind = new Map<string, number>();
  for (const r of doc.domains)
    for (const f of r.risks) {
      const key = `${f.severity}\u0000${f.kind}`;
      byKind.set(key, (byKind.get(key) ?? 0) + 1);
    }
  yield* metric(
    'singlepath_findings',
    'Findings by severity and kind.',
    [...byKind]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, n]) => {
        const [severity, kind] = key.split('\u0000') as [Severity, FindingKind];
        return [{ severity, kind }, n] as [Record<string, string>, number];
      }),
  );
  yield* metric(
    'singlepath_findings_by_severity',
    'Findings by severity, all kinds together.',
    SEVERITIES.map((sev) => [{ severity: sev }, s.findings[sev] ?? 0]),
  );
  yield* metric(
    'singlepath_layer_domains_covered',
    'Domains with a third-party provider at the layer.',
    s.layers.map((l) => [{ layer: l.layer }, l.covered]),
  );
  yield* metric(
    'singlepath_layer_hhi',
    'Herfindahl-Hirschman index of provider shares at the layer (0 to 10000).',
    s.layers.map((l) => [{ layer: l.layer }, l.hhi]),
  );
  yield* metric(
    'singlepath_provider_share_ratio',
    'Share of the covered domains that depend on the provider at the layer (0 to 1).',
    s.layers.flatMap((l) =>
      l.providers.map(
        (p) => [{ layer: l.layer, provider: p.provider }, p.share] as [Record<string, string>, number],
      ),
    ),
  );
  yield* metric(
    'singlepath_provider_domains',
    'Domains that depend on the provider at the layer.',
    s.layers.flatMap((l) =>
      l.providers.map(
        (p) => [{ layer: l.layer, provider: p.provider }, p.domains] as [Record<string, string>, number],
      ),
    ),
  );
  yield* metric(
    'singlepath_blast_radius_domains',
    "Domains an outage of the provider takes down, degrades (CA or e-mail only), or takes down or degrades through a provider's provider.",
    s.blastRadius.flatMap((b) => {
      const out: [Record<string, string>, number][] = [
        [{ provider: b.provider, impact: 'down' }, b.downCount ?? b.down.length],
        [{ provider: b.provider, impact: 'degraded' }, b.degradedCount ?? b.degraded.length],
      ];
      if (b.downIndirectCount !== undefined)
        out.push([{ provider: b.provider, impact: 'down_indirect' }, b.downIndirectCount]);
      if (b.degradedIndirectCount !== undefined)
        out.push([{ provider: b.provider, impact: 'degraded_indirect' }, b.degradedIndirectCount]);
      return out;
    }),
  );
  yield '# EOF\n';
}
