import type { StudyChange, StudyCount } from '../../snapshot/diff-study.js';
import { type Escape, LAYER_TITLES, percent } from '../summary-text.js';

// The study-view drift as rows (what, figure, move), shared by the table and Markdown diffs.

const moved = (c: StudyCount) => c.before !== c.after;
const countMove = (c: StudyCount) =>
  `${c.before} (${percent(c.shareBefore)}) → ${c.after} (${percent(c.shareAfter)})`;
const ratio = (r: number | null) => (r === null ? 'only indirect' : `×${r.toFixed(2)}`);

export function studyRows(study: StudyChange | undefined, esc: Escape): string[][] {
  if (!study) return [];
  const rows: string[][] = [];
  for (const l of study.layers) {
    const title = LAYER_TITLES[l.layer] ?? esc(l.layer);
    if (moved(l.thirdParty)) rows.push([title, 'third party', countMove(l.thirdParty)]);
    if (moved(l.critical)) rows.push([title, 'critically dependent', countMove(l.critical)]);
    if (moved(l.redundant)) rows.push([title, 'redundant', countMove(l.redundant)]);
    if (l.hhiBefore !== l.hhiAfter) rows.push([title, 'HHI', `${l.hhiBefore} → ${l.hhiAfter}`]);
    for (const c of l.concentration) {
      const side = (p: string | undefined, s: number | undefined) =>
        p === undefined ? 'none' : `${esc(p)} ${percent(s ?? 0)}`;
      rows.push([
        title,
        `top-${c.k}`,
        `${side(c.providerBefore, c.shareBefore)} → ${side(c.providerAfter, c.shareAfter)}`,
      ]);
    }
  }
  for (const a of study.amplification) {
    const ratios =
      a.ratioBefore !== a.ratioAfter ? `, ratio ${ratio(a.ratioBefore)} → ${ratio(a.ratioAfter)}` : '';
    rows.push([
      esc(a.provider),
      'amplification',
      `${a.totalBefore} → ${a.totalAfter} domains (direct ${a.directBefore} → ${a.directAfter})${ratios}`,
    ]);
  }
  for (const e of study.providerDependencies) {
    const what =
      e.domainsBefore === 0 ? 'new dependency' : e.domainsAfter === 0 ? 'dependency gone' : 'alternative';
    const critical =
      e.criticalAfter > 0
        ? ` (${e.criticalAfter} with no alternative)`
        : e.criticalBefore > 0
          ? ' (now with an alternative)'
          : '';
    rows.push([
      `${esc(e.layer)}: ${esc(e.provider)} → ${esc(e.dependsOn.layer)}: ${esc(e.dependsOn.provider)}`,
      what,
      `${e.domainsBefore} → ${e.domainsAfter} domains${critical}`,
    ]);
  }
  return rows;
}
