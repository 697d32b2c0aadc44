import { adviceFor } from '../analyse/advice.js';
import type { WhatIfResult } from '../analyse/whatif.js';
import { type DomainResult, LAYERS, SEVERITIES } from '../types.js';
import { batched, joined } from './chunks.js';
import { escapeMarkdown as esc } from './escape.js';
import { studyMarkdown } from './markdown-study.js';
import type { ReportDocument } from './spill.js';
import {
  dependencyLabel,
  indirectText,
  LAYER_TITLES,
  layerCell,
  percent,
  possiblyText,
  radiusCounts,
  radiusName,
  riskLine,
  unaffectedList,
  viaText,
  whatIfCounts,
  whatIfSubject,
} from './summary-text.js';

// Markdown for tickets and wikis. Every document string goes through escapeMarkdown (no pipe,
// backtick, HTML or line break survives); `<br>` between lines in a cell is ours.

export interface MarkdownOptions {
  explain?: boolean;
}

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
const plain = (_f: unknown, text: string): string => text;

function summarySection(doc: ReportDocument): string[] {
  const s = doc.summary;
  const out = [
    '## Summary',
    '',
    row(['domains', 'failed', ...SEVERITIES]),
    row(['---:', '---:', ...SEVERITIES.map(() => '---:')]),
    row([s.domains, s.failed, ...SEVERITIES.map((sev) => s.findings[sev])]),
    '',
    '## Concentration by layer',
    '',
    row(['layer', 'covered', 'HHI', 'top providers']),
    row(['---', '---:', '---:', '---']),
  ];
  for (const l of s.layers) {
    const top = l.providers.slice(0, 5).map((p) => `${esc(p.provider)} ${percent(p.share)}`);
    if (l.providers.length > 5) top.push(`+${l.providers.length - 5} more`);
    out.push(row([LAYER_TITLES[l.layer], `${l.covered}/${s.domains}`, l.hhi, top.join(', ')]));
  }
  if (s.blastRadius.length > 0) {
    out.push('', '## Blast radius', '', row(['provider', 'down', 'degraded']), row(['---', '---:', '---:']));
    for (const r of s.blastRadius) {
      const n = radiusCounts(r);
      out.push(row([radiusName(r, esc), n.down, n.degraded]));
    }
  }
  const indirect = s.blastRadius.filter((r) => radiusCounts(r).downIndirect > 0);
  if (indirect.length > 0) {
    out.push(
      '',
      "## Down via a provider's provider",
      '',
      row(['provider', 'down', 'domains']),
      row(['---', '---:', '---']),
    );
    for (const r of indirect)
      out.push(
        row([
          esc(r.provider),
          radiusCounts(r).downIndirect,
          unaffectedList(r.downIndirect ?? [], esc, 10, radiusCounts(r).downIndirect),
        ]),
      );
  }
  const degradedIndirect = s.blastRadius.filter((r) => (r.degradedIndirectCount ?? 0) > 0);
  if (degradedIndirect.length > 0) {
    out.push(
      '',
      "## Degraded via a provider's provider",
      '',
      row(['provider', 'degraded', 'domains']),
      row(['---', '---:', '---']),
    );
    for (const r of degradedIndirect)
      out.push(
        row([
          esc(r.provider),
          r.degradedIndirectCount!,
          unaffectedList(r.degradedIndirect ?? [], esc, 10, r.degradedIndirectCount!),
        ]),
      );
  }
  out.push(...studyMarkdown(s.study));
  if (s.notes?.length) out.push('', '## Notes', '', ...s.notes.map((n) => `- ${esc(n.message)}`));
  return out;
}

/** Distinct remediation texts shown at most, whatever the portfolio's size. */
const MAX_ADVICE = 60;

/** What removes the findings of the report: one line per distinct kind, layer and provider. */
function* adviceSection(doc: ReportDocument): Generator<string> {
  const seen = new Map<string, string>();
  for (const r of doc.domains)
    for (const f of r.risks) {
      if (f.kind === 'redundant' || seen.size >= MAX_ADVICE) continue;
      const outbound = f.args.direction === 'outbound' ? 'outbound' : undefined;
      const key = [f.kind, f.layer, outbound, f.provider].filter(Boolean).join(' ');
      if (!seen.has(key)) seen.set(key, adviceFor(f));
    }
  if (seen.size === 0) return;
  yield* ['', '## What removes the single paths', ''];
  for (const [key, text] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    yield `- **${esc(key)}**: ${esc(text)}`;
}

function* indirectSection(doc: ReportDocument): Generator<string> {
  let first = true;
  for (const r of doc.domains)
    for (const d of r.indirect ?? []) {
      if (first)
        yield* [
          '',
          "## Indirect dependencies (a provider's provider)",
          '',
          row(['domain', 'layer', 'provider', 'path']),
          row(['---', '---', '---', '---']),
        ];
      first = false;
      yield row([esc(r.domain), esc(d.layer), esc(d.provider), indirectText(d, esc)]);
    }
}

function risksCell(r: DomainResult): string {
  const lines = r.risks.map((f) => riskLine(f, esc, plain));
  if (r.error) lines.unshift(`error ${esc(r.error.code)}`);
  return lines.join('<br>');
}

function details(r: DomainResult): string[] {
  const out = ['', `### ${esc(r.domain)}`, ''];
  if (r.error) out.push(`- error ${esc(r.error.code)}: ${esc(r.error.message)}`);
  for (const d of r.dependencies) {
    const order = d.order ? ` \\[order ${d.order}\\]` : '';
    out.push(`- ${esc(d.layer)}: ${dependencyLabel(d, esc)}${order}`);
    for (const e of d.evidence) out.push(`  - ${esc(e.signal)}: ${esc(e.value)}`);
  }
  for (const d of r.indirect ?? []) {
    out.push(`- ${esc(d.layer)} (indirect): ${indirectText(d, esc)}`);
    for (const e of d.evidence) out.push(`  - ${esc(e.signal)}: ${esc(e.value)}`);
  }
  for (const f of r.risks) out.push(`- ${riskLine(f, esc, plain)}: ${esc(f.message)}`);
  return out;
}

export function* markdownChunks(doc: ReportDocument, opts: MarkdownOptions = {}): Generator<string> {
  const head = [
    '# singlepath report',
    '',
    `${esc(doc.tool.name)} ${esc(doc.tool.version)}, generated ${esc(doc.generatedAt)}`,
    '',
    ...summarySection(doc),
    '',
    '## Domains',
    '',
    row(['domain', ...LAYERS.map((l) => LAYER_TITLES[l]), 'risks']),
    row(['---', ...LAYERS.map(() => '---'), '---']),
  ];
  function* lines(): Generator<string> {
    yield* head;
    for (const r of doc.domains)
      yield row([esc(r.domain), ...LAYERS.map((l) => layerCell(r.dependencies, l, esc)), risksCell(r)]);
    yield* indirectSection(doc);
    yield* adviceSection(doc);
    if (!opts.explain) return;
    yield '';
    yield '## Evidence';
    for (const r of doc.domains) yield* details(r);
  }
  yield* batched(joined(lines()));
}

export function renderWhatIfMarkdown(result: WhatIfResult): string {
  const out = [`# What if ${whatIfSubject(result, esc)}?`, '', whatIfCounts(result)];
  const rows = [
    ...result.down.map((d) => row([esc(d.domain), 'down', d.layers.join(', '), `via ${viaText(d, esc)}`])),
    ...(result.downIndirect ?? []).map((d) =>
      row([esc(d.domain), 'down (indirect)', d.layers.join(', '), `via ${d.via.map(esc).join('<br>')}`]),
    ),
    ...(result.possiblyAffected ?? []).map((d) =>
      row([esc(d.domain), 'possibly affected', d.layers.join(', '), possiblyText(d, esc)]),
    ),
    ...result.degraded.map((d) =>
      row([
        esc(d.domain),
        'degraded',
        d.layers.join(', '),
        d.via ? `via ${d.via.map(esc).join('<br>')}` : '',
      ]),
    ),
    ...result.survived.map((s) =>
      row([
        esc(s.domain),
        'survived',
        s.savedBy.map((b) => b.layer).join(', '),
        s.savedBy.map((b) => `${b.layer} saved by ${b.alternatives.map(esc).join(' + ')}`).join('<br>'),
      ]),
    ),
    ...(result.failing ?? []).map((f) =>
      row([esc(f.domain), 'already failing', '', `${esc(f.code)} in the audit: no outage can take it down`]),
    ),
  ];
  if (rows.length > 0)
    out.push('', row(['domain', 'outcome', 'layers', 'detail']), row(['---', '---', '---', '---']));
  // A loop: more rows than a call can take arguments (~120k) would overflow the stack.
  for (const r of rows) out.push(r);
  if (result.unaffected.length > 0) out.push('', `Unaffected: ${unaffectedList(result.unaffected, esc)}`);
  return `${out.join('\n')}\n`;
}
