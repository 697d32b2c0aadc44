import { type DomainResult, type Finding, LAYERS, type Layer, SEVERITIES } from '../types.js';
import { batched } from './chunks.js';
import { escapeCsv } from './escape.js';
import type { ReportDocument } from './spill.js';

// Flat rows for spreadsheets: one per domain × layer × dependency (`direction`: inbound, outbound
// or reports on e-mail rows). Every cell goes through
// escapeCsv, which also defuses formulas (a header value such as =HYPERLINK(...) stays text).

const HEADER = [
  'domain',
  'layer',
  'provider',
  'service',
  'region',
  'via',
  'order',
  'severity',
  'findings',
  'evidence',
  'error',
  'error_message',
  'direction',
];

const worst = (findings: Finding[]): string =>
  SEVERITIES.find((s) => findings.some((f) => f.severity === s)) ?? '';

const kinds = (findings: Finding[]): string => [...new Set(findings.map((f) => f.kind))].sort().join('; ');

function rows(r: DomainResult): string[][] {
  // A failed domain keeps the rows of what was still found (its NS, its CDN); each row says it failed.
  const out: string[][] = [];
  const findingRow = (layer: Layer | '', findings: Finding[]) => [
    r.domain,
    layer,
    '',
    '',
    '',
    '',
    '',
    worst(findings),
    kinds(findings),
    '',
    '',
    '',
  ];
  for (const layer of LAYERS) {
    const deps = r.dependencies.filter((d) => d.layer === layer);
    const findings = r.risks.filter((f) => f.layer === layer);
    for (const d of deps) {
      const seenAt = d.vantages?.length ? [`vantages: ${d.vantages.join(', ')}`] : [];
      const evidence = [...d.evidence.map((e) => `${e.signal}: ${e.value}`), ...seenAt].join('; ');
      out.push([
        r.domain,
        layer,
        d.provider,
        d.service ?? '',
        d.region ?? '',
        d.via ?? '',
        String(d.order ?? 0),
        worst(findings),
        kinds(findings),
        evidence,
        '',
        '',
        d.direction ?? (layer === 'email' ? 'inbound' : ''),
      ]);
    }
    // Keep findings about a layer where nothing was found (e.g. unresolved MX) visible.
    if (deps.length === 0 && findings.length > 0) out.push(findingRow(layer, findings));
  }
  // A provider's provider: `via` holds the path, `order` stays empty (no position in the layer).
  for (const d of r.indirect ?? []) {
    const evidence = d.evidence.map((e) => `${e.signal}: ${e.value}`).join('; ');
    out.push([
      r.domain,
      d.layer,
      d.provider,
      d.service ?? '',
      '',
      `indirect: ${d.path.join(' → ')}`,
      '',
      '',
      '',
      evidence,
      '',
      '',
    ]);
  }
  // Domain-wide findings (shared fate) get a row each, naming their provider.
  for (const f of r.risks.filter((x) => x.layer === undefined)) {
    const row = findingRow('', [f]);
    row[2] = f.provider ?? '';
    out.push(row);
  }
  if (out.length === 0) out.push(findingRow('', []));
  const error = r.error ? [r.error.code, r.error.message] : ['', ''];
  return out.map((row) => [...row.slice(0, 10), ...error, row[12] ?? '']);
}

export function* csvChunks(doc: ReportDocument): Generator<string> {
  const line = (cells: string[]) => `${cells.map(escapeCsv).join(',')}\r\n`;
  // RFC 4180 line ends, which spreadsheet imports expect.
  yield line(HEADER);
  yield* batched(
    (function* () {
      for (const r of doc.domains) for (const cells of rows(r)) yield line(cells);
    })(),
  );
}
