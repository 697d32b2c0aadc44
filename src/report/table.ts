import { adviceFor } from '../analyse/advice.js';
import type { WhatIfResult } from '../analyse/whatif.js';
import { type DomainResult, type Finding, LAYERS, SEVERITIES, type Severity } from '../types.js';
import { type TableSpec, tableBlocks } from './cli-table.js';
import { escapeTerminal as esc } from './escape.js';
import { gridLines, serverGrid } from './server-grid.js';
import type { ReportDocument } from './spill.js';
import {
  dependencyLabel,
  indirectText,
  LAYER_TITLES,
  layerCell,
  possiblyText,
  riskLine,
  summaryLines,
  unaffectedList,
  viaText,
  whatIfCounts,
  whatIfSubject,
} from './summary-text.js';

// Terminal report. Every string from the document goes through escapeTerminal: header values,
// certificate fields and host names are attacker-controlled and could carry escape sequences.
// Colour only when the caller says so (the CLI decides from TTY and NO_COLOR).

export interface TableOptions {
  color: boolean;
  /** The full table (a column per layer) and the evidence behind every answer. */
  explain?: boolean;
  /** Columns the compact table may use: the terminal's width (absent: lines are not cut). */
  width?: number;
  /** Only the details of this domain. */
  domain?: string;
}

const SGR: Record<Severity, string> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';

const painter =
  (color: boolean) =>
  (f: Pick<Finding, 'severity'>, text: string): string =>
    color ? `${SGR[f.severity]}${text}${RESET}` : text;

function tableStyle(color: boolean): TableSpec['style'] {
  return color ? { head: ['bold'], border: ['grey'] } : { head: [], border: [] };
}

function risksCell(r: DomainResult, paint: ReturnType<typeof painter>): string {
  const lines = r.risks.map((f) => riskLine(f, esc, paint));
  if (r.error) lines.unshift(paint({ severity: 'high' }, `error ${esc(r.error.code)}`));
  return lines.join('\n');
}

function explainBlock(r: DomainResult, paint: ReturnType<typeof painter>): string[] {
  const lines = [esc(r.domain)];
  if (r.error) lines.push(`  error ${esc(r.error.code)}: ${esc(r.error.message)}`);
  for (const d of r.dependencies) {
    const order = d.order ? ` [order ${d.order}]` : '';
    lines.push(`  ${esc(d.layer).padEnd(5)} ${dependencyLabel(d, esc)}${order}`);
    for (const e of d.evidence) lines.push(`          ${esc(e.signal)}: ${esc(e.value)}`);
  }
  for (const d of r.indirect ?? []) {
    lines.push(`  ${esc(d.layer).padEnd(5)} ${indirectText(d, esc)} [indirect]`);
    for (const e of d.evidence) lines.push(`          ${esc(e.signal)}: ${esc(e.value)}`);
  }
  for (const f of r.risks) {
    lines.push(`  ${riskLine(f, esc, paint)}: ${esc(f.message)}`);
    if (f.kind !== 'redundant') lines.push(`          what removes it: ${adviceFor(f)}`);
  }
  const grid = serverGrid(r);
  if (grid) {
    lines.push(`  name servers of ${esc(grid.zone)} (delegated by ${esc(grid.parent)}):`);
    lines.push(...gridLines(grid, esc));
  }
  return lines;
}

/** One line per domain with indirect dependencies, under a title; nothing when no domain has any. */
function* indirectLines(doc: ReportDocument): Generator<string> {
  let first = true;
  for (const r of doc.domains) {
    if (!r.indirect?.length) continue;
    if (first) yield* ['', "Indirect dependencies (a provider's provider):"];
    first = false;
    yield `  ${esc(r.domain)}  ${r.indirect.map((d) => indirectText(d, esc)).join('; ')}`;
  }
}

/** `text` cut to `width` columns with an ellipsis (terminal-escaped text: one column a character). */
function fitTo(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** "critical 1, high 2" (info left out); "error TIMEOUT" first for a failed domain. */
function findingsText(r: DomainResult): string {
  const counts = SEVERITIES.filter((s) => s !== 'info')
    .map((s) => [s, r.risks.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`);
  const parts = r.error ? [`error ${esc(r.error.code)}`, ...counts] : counts;
  return parts.length ? parts.join(', ') : 'none';
}

/** "cloudflare DNS+CDN, google CA+e-mail": each provider that alone serves layers, and which. */
function singlePaths(r: DomainResult): string {
  const byProvider = new Map<string, string[]>();
  for (const f of r.risks) {
    if (f.kind !== 'single-provider' || !f.layer || !f.provider) continue;
    const layers = byProvider.get(f.provider) ?? [];
    if (!layers.includes(LAYER_TITLES[f.layer])) layers.push(LAYER_TITLES[f.layer]);
    byProvider.set(f.provider, layers);
  }
  return [...byProvider].map(([p, layers]) => `${esc(p)} ${layers.join('+')}`).join(', ');
}

function worstSeverity(r: DomainResult): Severity | undefined {
  return SEVERITIES.find((s) => r.risks.some((f) => f.severity === s));
}

/** One line per domain, fitted to `width`: domain, findings by severity, single paths. */
function* compactRows(doc: ReportDocument, width: number, color: boolean): Generator<string> {
  const paint = painter(color);
  let domainWidth = 6;
  let findingsWidth = 8;
  for (const r of doc.domains) {
    domainWidth = Math.max(domainWidth, esc(r.domain).length);
    findingsWidth = Math.max(findingsWidth, findingsText(r).length);
  }
  domainWidth = Math.min(domainWidth, Math.max(20, Math.floor(width * 0.4)));
  findingsWidth = Math.min(findingsWidth, 40, Math.max(8, width - domainWidth - 4));
  yield `${fitTo(`${'domain'.padEnd(domainWidth)}  ${'findings'.padEnd(findingsWidth)}  single paths`, width)}\n`;
  for (const r of doc.domains) {
    const name = fitTo(esc(r.domain), domainWidth).padEnd(domainWidth);
    const findings = fitTo(findingsText(r), findingsWidth);
    const rest = Math.max(0, width - domainWidth - findingsWidth - 4);
    const paths = fitTo(singlePaths(r), rest);
    const worst = worstSeverity(r);
    // Padded before it is painted: colour codes take no columns.
    const shown = worst ? paint({ severity: worst }, findings) : findings;
    yield `${`${name}  ${shown}${' '.repeat(findingsWidth - findings.length)}  ${paths}`.trimEnd()}\n`;
  }
}

/** Per zone with a DNS finding that needs them (once, however many domains share it): its name servers. */
function* serverLines(doc: ReportDocument): Generator<string> {
  const shown = new Set<string>();
  for (const r of doc.domains) {
    const grid = serverGrid(r);
    if (!grid || shown.has(grid.zone)) continue;
    if (shown.size === 0) yield* ['', 'Name servers of zones with DNS findings (asked directly):'];
    shown.add(grid.zone);
    yield `  ${esc(grid.zone)} (delegated by ${esc(grid.parent)})`;
    yield* gridLines(grid, esc);
  }
}

/** The report in pieces (the per-domain table in blocks): no one string grows with the list. */
export function* tableChunks(doc: ReportDocument, opts: TableOptions): Generator<string> {
  const paint = painter(opts.color);
  if (opts.domain !== undefined) {
    for (const r of doc.domains) {
      if (r.domain !== opts.domain) continue;
      yield `${explainBlock(r, paint).join('\n')}\n`;
      for (const d of r.indirect ?? []) yield `  indirect: ${indirectText(d, esc)}\n`;
    }
    return;
  }
  if (!opts.explain) {
    const width = Math.max(40, opts.width ?? Number.POSITIVE_INFINITY);
    yield `${[...summaryLines(doc.summary, esc), ''].map((l) => fitTo(l, width)).join('\n')}\n`;
    yield* compactRows(doc, width, opts.color);
    let indirect = false;
    for (const line of indirectLines(doc)) {
      indirect = true;
      yield `${fitTo(line, width)}\n`;
    }
    for (const line of serverLines(doc)) yield `${fitTo(line, width)}\n`;
    if (indirect || doc.domains.length > 0)
      yield `\n${fitTo('Details: --explain (every layer, the evidence), or --domain NAME for one domain.', width)}\n`;
    return;
  }
  yield `${[...summaryLines(doc.summary, esc), ''].join('\n')}\n`;
  // Rows made as they are drawn (tableBlocks reads them twice: widths, then blocks).
  const rows = {
    *[Symbol.iterator]() {
      for (const r of doc.domains)
        yield [esc(r.domain), ...LAYERS.map((l) => layerCell(r.dependencies, l, esc)), risksCell(r, paint)];
    },
  };
  yield* tableBlocks({
    head: ['domain', ...LAYERS.map((l) => LAYER_TITLES[l]), 'risks'],
    rows,
    style: tableStyle(opts.color),
  });
  for (const line of indirectLines(doc)) yield `\n${line}`;
  // Each domain's block carries its zone's server grid.
  for (const r of doc.domains) yield `\n\n${explainBlock(r, paint).join('\n')}`;
  yield '\n';
}

export function renderWhatIfTable(result: WhatIfResult, opts: TableOptions): string {
  const paint = painter(opts.color);
  const table: string[][] = [];
  for (const d of result.down) {
    table.push([
      esc(d.domain),
      paint({ severity: 'critical' }, 'down'),
      d.layers.join(', '),
      `via ${viaText(d, esc)}`,
    ]);
  }
  for (const d of result.downIndirect ?? []) {
    table.push([
      esc(d.domain),
      paint({ severity: 'high' }, 'down (indirect)'),
      d.layers.join(', '),
      `via ${d.via.map(esc).join('\n    ')}`,
    ]);
  }
  for (const d of result.possiblyAffected ?? []) {
    table.push([
      esc(d.domain),
      paint({ severity: 'high' }, 'possibly affected'),
      d.layers.join(', '),
      possiblyText(d, esc),
    ]);
  }
  for (const d of result.degraded) {
    table.push([esc(d.domain), paint({ severity: 'medium' }, 'degraded'), d.layers.join(', '), '']);
  }
  for (const s of result.survived) {
    const saved = s.savedBy.map((b) => `${b.layer} saved by ${b.alternatives.map(esc).join(' + ')}`);
    table.push([
      esc(s.domain),
      paint({ severity: 'low' }, 'survived'),
      s.savedBy.map((b) => b.layer).join(', '),
      saved.join('\n'),
    ]);
  }
  for (const f of result.failing ?? [])
    table.push([
      esc(f.domain),
      'already failing',
      '',
      `${esc(f.code)} in the audit: no outage can take it down`,
    ]);
  const counts = whatIfCounts(result);
  const out = [`What if ${whatIfSubject(result, esc)}: ${counts}`];
  if (table.length > 0)
    out.push(
      [
        ...tableBlocks({
          head: ['domain', 'outcome', 'layers', 'detail'],
          rows: table,
          style: tableStyle(opts.color),
        }),
      ].join(''),
    );
  if (result.unaffected.length > 0) out.push(`Unaffected: ${unaffectedList(result.unaffected, esc)}`);
  return `${out.join('\n')}\n`;
}
