import { isEmptyDiff, type RadiusSide, type SnapshotDiff } from '../../snapshot/diff.js';
import { escapeMarkdown as esc } from '../escape.js';
import { LAYER_TITLES } from '../summary-text.js';
import { studyRows } from './study-rows.js';
import { recoveredNote } from './table.js';
import { findingLabel, points, refsLabel, severityCounts, shareMove, signed, totalsLine } from './text.js';

// Drift for a pull request, an issue comment or a CI job summary. Every document string goes
// through escapeMarkdown. Sections are capped (GitHub refuses comments over 65536 characters);
// the json format always holds everything.

export interface DiffMarkdownOptions {
  /** Rows shown per section before "… N more"; default 100. */
  maxRows?: number;
}

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

function table(out: string[], title: string, head: string[], rows: string[][], maxRows: number): void {
  if (rows.length === 0) return;
  out.push('', `### ${title} (${rows.length})`, '', row(head), row(head.map(() => '---')));
  for (const r of rows.slice(0, maxRows)) out.push(row(r));
  if (rows.length > maxRows) out.push('', `… ${rows.length - maxRows} more (the json format lists all)`);
}

function radius(side: RadiusSide): string {
  const moves = [...side.added.map((d) => `+${esc(d)}`), ...side.removed.map((d) => `-${esc(d)}`)];
  const shown = moves.slice(0, 10);
  if (moves.length > shown.length) shown.push(`… ${moves.length - shown.length} more`);
  return `${side.before} → ${side.after}${shown.length ? `<br>${shown.join(', ')}` : ''}`;
}

export function renderDiffMarkdown(diff: SnapshotDiff, opts: DiffMarkdownOptions = {}): string {
  const max = opts.maxRows ?? 100;
  const out = [
    '## singlepath drift',
    '',
    `${esc(diff.old.generatedAt) || 'old'} → ${esc(diff.new.generatedAt) || 'new'}: ${totalsLine(diff)}`,
  ];
  if (isEmptyDiff(diff)) return `${[...out, '', 'No changes since the baseline.'].join('\n')}\n`;

  const news = severityCounts(diff.findings.new);
  out.push(
    '',
    `**New findings: ${diff.findings.new.length}**${news ? ` (${news})` : ''}, resolved ${
      diff.findings.resolved.length
    }, severity changed ${diff.findings.severity.length}`,
  );

  table(
    out,
    'New findings',
    ['severity', 'domain', 'finding', 'note'],
    diff.findings.new.map((f) => [
      `**${esc(f.severity)}**`,
      esc(f.domain),
      findingLabel(f, esc),
      f.newDomain ? 'new domain' : '',
    ]),
    max,
  );
  table(
    out,
    'Severity changed',
    ['domain', 'finding', 'before', 'after'],
    diff.findings.severity.map((c) => [
      esc(c.domain),
      findingLabel(c, esc),
      esc(c.before),
      `**${esc(c.after)}**`,
    ]),
    max,
  );
  table(
    out,
    'Resolved findings',
    ['severity', 'domain', 'finding'],
    diff.findings.resolved.map((f) => [esc(f.severity), esc(f.domain), findingLabel(f, esc)]),
    max,
  );
  table(
    out,
    'Domains',
    ['change', 'domain'],
    [
      ...diff.domains.added.map((d) => ['added', esc(d)]),
      ...diff.domains.removed.map((d) => ['removed', esc(d)]),
    ],
    max,
  );
  table(
    out,
    'Providers changed',
    ['domain', 'layer', 'before', 'after', 'gained', 'lost', 'note'],
    diff.layers.map((c) => [
      esc(c.domain),
      LAYER_TITLES[c.layer],
      refsLabel(c.before, c.layer, esc),
      refsLabel(c.after, c.layer, esc),
      c.gained.map(esc).join(', '),
      c.lost.map(esc).join(', '),
      c.changed.length ? `changed ${c.changed.map(esc).join(', ')}` : '',
    ]),
    max,
  );
  table(
    out,
    'Failing',
    ['domain', 'code', 'note'],
    diff.domains.failing.map((f) => [
      esc(f.domain),
      esc(f.code),
      [
        f.before === undefined ? '' : f.before === f.code ? 'still failing' : `was ${esc(f.before)}`,
        f.newDomain ? 'new domain' : '',
        f.lastGood ? `last good ${esc(f.lastGood)} kept` : '',
      ]
        .filter(Boolean)
        .join('; '),
    ]),
    max,
  );
  table(
    out,
    'Recovered',
    ['domain', 'was', 'compared with'],
    diff.domains.recovered.map((r) => [esc(r.domain), esc(r.code), recoveredNote(r, esc).slice(2, -1)]),
    max,
  );
  table(
    out,
    'Concentration',
    ['layer', 'HHI', 'covered', 'share moves'],
    diff.portfolio.layers.map((l) => [
      LAYER_TITLES[l.layer],
      `${l.hhiBefore} → ${l.hhiAfter} (${signed(l.hhiDelta)})`,
      `${l.coveredBefore} → ${l.coveredAfter}`,
      l.providers
        .map((p) => `${esc(p.provider)} ${shareMove(p.shareBefore, p.shareAfter)} (${points(p.delta)})`)
        .join('<br>'),
    ]),
    max,
  );
  table(
    out,
    'Third-party dependency (IMC 2020)',
    ['what', 'figure', 'move'],
    studyRows(diff.portfolio.study, esc),
    max,
  );
  table(
    out,
    'Blast radius',
    ['provider', 'down', 'degraded'],
    diff.portfolio.blastRadius.map((r) => [esc(r.provider), radius(r.down), radius(r.degraded)]),
    max,
  );
  return `${out.join('\n')}\n`;
}
