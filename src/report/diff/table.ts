import {
  type FailingDomain,
  isEmptyDiff,
  type RadiusSide,
  type RecoveredDomain,
  type SnapshotDiff,
} from '../../snapshot/diff.js';
import { SEVERITIES, type Severity } from '../../types.js';
import { escapeTerminal as esc } from '../escape.js';
import { LAYER_TITLES } from '../summary-text.js';
import { studyRows } from './study-rows.js';
import { findingLabel, points, refsLabel, severityCounts, shareMove, signed, totalsLine } from './text.js';

// Drift for a terminal or a cron mail: one section per change kind, nothing for kinds that did
// not change. Every document string goes through escapeTerminal; colour only when asked.

export interface DiffTableOptions {
  color: boolean;
}

const SGR: Record<Severity | 'gain' | 'loss', string> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
  gain: '\u001b[32m',
  loss: '\u001b[31m',
};
const RESET = '\u001b[0m';

type Paint = (style: keyof typeof SGR, text: string) => string;

const painter =
  (color: boolean): Paint =>
  (style, text) =>
    color ? `${SGR[style]}${text}${RESET}` : text;

// Loops, not spread arguments: a diff can list more lines than a call can take arguments (~120k).
function section(out: string[], title: string, lines: string[], count = lines.length): void {
  if (lines.length === 0) return;
  out.push('', `${title} (${count})`);
  for (const l of lines) out.push(`  ${l}`);
}

/** Pads every column but the last to one width (leading columns are escaped, never coloured). */
function columns(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), 0));
  return rows.map((r) => r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  '));
}

function radius(label: string, side: RadiusSide, paint: Paint): string {
  const moves = [
    ...side.added.map((d) => paint('loss', `+${esc(d)}`)),
    ...side.removed.map((d) => paint('gain', `-${esc(d)}`)),
  ];
  return `${label} ${side.before} → ${side.after}${moves.length ? ` (${moves.join(', ')})` : ''}`;
}

/** Why a failing domain's findings are left out, and what they are kept against. */
export function failingNote(f: FailingDomain): string {
  const notes = [
    f.before === undefined ? '' : f.before === f.code ? 'still failing' : `was ${esc(f.before)}`,
    f.newDomain ? 'new domain' : '',
    f.lastGood ? `its last good result, ${esc(f.lastGood)}, kept for the next run` : '',
  ].filter(Boolean);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** What a recovered domain was compared with. */
export function recoveredNote(r: RecoveredDomain, escapeText: (s: string) => string = esc): string {
  if (r.lastGood) return ` (compared with its last good result, ${escapeText(r.lastGood)})`;
  const counts = SEVERITIES.filter((s) => r.findings?.[s]).map((s) => `${s} ${r.findings![s]}`);
  return ` (no good result to compare with: ${counts.length ? `its findings, ${counts.join(', ')}, are` : 'nothing is'} not counted as new)`;
}

export function renderDiffTable(diff: SnapshotDiff, opts: DiffTableOptions): string {
  const paint = painter(opts.color);
  const out = [
    `singlepath diff: ${esc(diff.old.generatedAt) || 'old'} → ${esc(diff.new.generatedAt) || 'new'}`,
    totalsLine(diff),
  ];
  if (isEmptyDiff(diff)) return `${[...out, '', 'No changes.'].join('\n')}\n`;

  const news = severityCounts(diff.findings.new);
  out.push(`New findings: ${diff.findings.new.length}${news ? ` (${news})` : ''}`);

  section(
    out,
    'New findings',
    columns(
      diff.findings.new.map((f) => [
        esc(f.domain),
        `${paint(f.severity, esc(f.severity))} ${findingLabel(f, esc)}${f.newDomain ? ' [new domain]' : ''}`,
      ]),
    ),
  );
  section(
    out,
    'Severity changed',
    columns(
      diff.findings.severity.map((c) => [
        esc(c.domain),
        `${paint(c.before, esc(c.before))} → ${paint(c.after, esc(c.after))} ${findingLabel(c, esc)}`,
      ]),
    ),
  );
  section(
    out,
    'Resolved findings',
    columns(diff.findings.resolved.map((f) => [esc(f.domain), `${esc(f.severity)} ${findingLabel(f, esc)}`])),
  );
  section(
    out,
    'Domains added',
    diff.domains.added.map((d) => paint('gain', `+ ${esc(d)}`)),
  );
  section(
    out,
    'Domains removed',
    diff.domains.removed.map((d) => paint('loss', `- ${esc(d)}`)),
  );
  section(
    out,
    'Providers changed',
    columns(
      diff.layers.map((c) => {
        const moves = [
          ...c.gained.map((p) => paint('gain', `+${esc(p)}`)),
          ...c.lost.map((p) => paint('loss', `-${esc(p)}`)),
          ...c.changed.map((p) => `~${esc(p)}`),
        ];
        return [
          esc(c.domain),
          LAYER_TITLES[c.layer],
          `${refsLabel(c.before, c.layer, esc)}  =>  ${refsLabel(c.after, c.layer, esc)}  (${moves.join(', ')})`,
        ];
      }),
    ),
  );
  section(
    out,
    'Failing',
    columns(
      diff.domains.failing.map((f) => [esc(f.domain), `${paint('high', esc(f.code))}${failingNote(f)}`]),
    ),
  );
  section(
    out,
    'Recovered',
    columns(
      diff.domains.recovered.map((r) => [
        esc(r.domain),
        `${paint('gain', `was ${esc(r.code)}`)}${recoveredNote(r)}`,
      ]),
    ),
  );
  section(
    out,
    'Concentration',
    diff.portfolio.layers.flatMap((l) => [
      `${LAYER_TITLES[l.layer].padEnd(6)}  HHI ${l.hhiBefore} → ${l.hhiAfter} (${signed(l.hhiDelta)})  covered ${
        l.coveredBefore
      } → ${l.coveredAfter}`,
      ...l.providers.map(
        (p) => `        ${esc(p.provider)} ${shareMove(p.shareBefore, p.shareAfter)} (${points(p.delta)})`,
      ),
    ]),
    diff.portfolio.layers.length,
  );
  section(out, 'Third-party dependency (IMC 2020)', columns(studyRows(diff.portfolio.study, esc)));
  section(
    out,
    'Blast radius',
    columns(
      diff.portfolio.blastRadius.map((r) => [
        esc(r.provider),
        `${radius('down', r.down, paint)}  ${radius('degraded', r.degraded, paint)}`,
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}
