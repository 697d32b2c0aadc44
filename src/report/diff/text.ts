import type { DependencyRef, FindingRef, SeverityChange, SnapshotDiff } from '../../snapshot/diff.js';
import { type Dependency, type Layer, SEVERITIES, type Severity } from '../../types.js';
import { type Escape, layerCell, percent } from '../summary-text.js';

// Text pieces shared by the table and Markdown diff renderers; each takes the sink's escaper.

/** `aws (route53) + ns1 → shopify`, or `none` for a layer with no provider. */
export function refsLabel(refs: readonly DependencyRef[], layer: Layer, esc: Escape): string {
  const deps: Dependency[] = refs.map((r) => ({ ...r, layer, evidence: [] }));
  return deps.length === 0 ? 'none' : layerCell(deps, layer, esc);
}

export const signed = (n: number): string => (n > 0 ? `+${n}` : `${n}`);

/** Share move in percentage points: `+14.3 pts`. */
export const points = (delta: number): string => {
  const p = (delta * 100).toFixed(1);
  return `${delta > 0 ? '+' : ''}${p} pts`;
};

export const shareMove = (before: number, after: number): string => `${percent(before)} → ${percent(after)}`;

/** `shared-fate aws (cdn)` — kind, provider, layer; no severity, no domain. */
export function findingLabel(f: FindingRef | SeverityChange, esc: Escape): string {
  const provider = f.provider === undefined ? '' : ` ${esc(f.provider)}`;
  const layer = f.layer ? ` (${esc(f.layer)})` : '';
  return `${esc(f.kind)}${provider}${layer}`;
}

/** `critical 1, high 2` over the new findings, most severe first; empty string for none. */
export function severityCounts(findings: readonly FindingRef[]): string {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return SEVERITIES.filter((s) => counts.has(s))
    .map((s) => `${s} ${counts.get(s)}`)
    .join(', ');
}

/** One line of context: counts before → after. */
export function totalsLine(diff: SnapshotDiff): string {
  const t = diff.totals;
  const findings = SEVERITIES.filter((s) => t.findings[s][0] !== 0 || t.findings[s][1] !== 0)
    .map((s) => `${s} ${t.findings[s][0]} → ${t.findings[s][1]}`)
    .join(', ');
  return `domains ${t.domains[0]} → ${t.domains[1]}, failed ${t.failed[0]} → ${t.failed[1]}${
    findings ? `; findings ${findings}` : ''
  }${unrecordedNote(diff)}`;
}

const DIRECTION_WORDS = { outbound: 'outbound mail senders', reports: 'DMARC report receivers' } as const;

/** `; not compared: outbound mail senders of 12 domains (not recorded on one side)`, or empty. */
function unrecordedNote(diff: SnapshotDiff): string {
  const parts = (['outbound', 'reports'] as const)
    .filter((d) => diff.unrecorded?.[d])
    .map(
      (d) => `${DIRECTION_WORDS[d]} of ${diff.unrecorded![d]} domain${diff.unrecorded![d] === 1 ? '' : 's'}`,
    );
  return parts.length ? `; not compared: ${parts.join(', ')} (not recorded on one side)` : '';
}
