import type { WhatIfDown, WhatIfPossiblyAffected, WhatIfResult } from '../analyse/whatif.js';
import {
  type BlastRadius,
  type Dependency,
  type Finding,
  type IndirectDependency,
  type Layer,
  SEVERITIES,
  type Summary,
} from '../types.js';

// Text pieces shared by the table and Markdown renderers. Each takes the sink's escaper, so the
// layout is written once and every document string still goes through the right escaping.

export type Escape = (value: string) => string;

export const LAYER_TITLES: Record<Layer, string> = {
  dns: 'DNS',
  cdn: 'CDN',
  cloud: 'cloud',
  ca: 'CA',
  email: 'e-mail',
};

/** How a mail direction is written beside a provider; inbound (MX) is the unmarked case. */
export const DIRECTION_WORDS: Record<string, string> = { outbound: 'sends', reports: 'DMARC reports' };

/** `aws (cloudfront, us-east-1)`, `aws (via vercel)`, `fastly (seen at na)`, `sendgrid (sends)`, `self`. */
export function dependencyLabel(d: Dependency, esc: Escape, withDirection = true): string {
  const details = [
    withDirection && d.direction ? DIRECTION_WORDS[d.direction] : undefined,
    d.service,
    d.region,
    d.via === undefined ? undefined : `via ${d.via}`,
    d.vantages?.length ? `seen at ${d.vantages.join(', ')}` : undefined,
  ].filter((x): x is string => x !== undefined && x !== '');
  return details.length === 0 ? esc(d.provider) : `${esc(d.provider)} (${details.map(esc).join(', ')})`;
}

/**
 * Series chain from the user's side joined with ' → ', alternatives within a step with ' + '.
 * E-mail keeps its directions apart: `proofpoint → microsoft; sends: google + sendgrid; DMARC
 * reports: fortra` (inbound, the MX chain, first and unmarked).
 */
export function layerCell(deps: readonly Dependency[], layer: Layer, esc: Escape): string {
  const byDirection = new Map<string, Map<number, string[]>>();
  for (const d of deps) {
    if (d.layer !== layer) continue;
    const direction = d.direction ?? '';
    const groups = byDirection.get(direction) ?? new Map<number, string[]>();
    byDirection.set(direction, groups);
    const order = d.order ?? 0;
    groups.set(order, [...(groups.get(order) ?? []), dependencyLabel(d, esc, false)]);
  }
  return [...byDirection]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([direction, groups]) => {
      const chain = [...groups]
        .sort(([a], [b]) => a - b)
        .map(([, labels]) => labels.join(' + '))
        .join(' → ');
      return direction ? `${DIRECTION_WORDS[direction] ?? esc(direction)}: ${chain}` : chain;
    })
    .join('; ');
}

/** `high single-provider cloudflare (dns)`; severity passed through `paint` for colour. */
export function riskLine(f: Finding, esc: Escape, paint: (f: Finding, text: string) => string): string {
  const where = [
    f.provider === undefined ? '' : ` ${esc(f.provider)}`,
    f.layer
      ? ` (${esc(f.layer)}${typeof f.args.direction === 'string' ? `, ${esc(f.args.direction)}` : ''})`
      : '',
  ].join('');
  return `${paint(f, esc(f.severity))} ${esc(f.kind)}${where}${f.accepted ? ' [accepted]' : ''}`;
}

export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** `cdn: akamai → dns of akamaiedge.net: ultradns (with self)`: the path from the domain's side. */
export function indirectText(d: IndirectDependency, esc: Escape): string {
  const alternatives = d.alternatives?.length ? ` (with ${d.alternatives.map(esc).join(', ')})` : '';
  return `${d.path.map(esc).join(' → ')}: ${esc(d.provider)}${alternatives}`;
}

/**
 * A blast-radius entry's counts. Summaries carry them beside capped name lists; an entry without
 * them (built by hand, or by an older library) counts its lists.
 */
export function radiusCounts(r: BlastRadius): { down: number; degraded: number; downIndirect: number } {
  return {
    down: r.downCount ?? r.down.length,
    degraded: r.degradedCount ?? r.degraded.length,
    downIndirect: r.downIndirectCount ?? r.downIndirect?.length ?? 0,
  };
}

/** "microsoft (owns github)": a radius that counts subsidiaries names them. */
export function radiusName(r: BlastRadius, esc: Escape): string {
  return r.owns?.length ? `${esc(r.provider)} (owns ${r.owns.map(esc).join(', ')})` : esc(r.provider);
}

/** What-if's "via": each provider, and "microsoft, which owns github" when only its owner fails. */
export function viaText(d: WhatIfDown, esc: Escape): string {
  const owned = new Map<string, string[]>();
  for (const o of d.owners ?? []) owned.set(o.owner, [...(owned.get(o.owner) ?? []), o.provider]);
  const children = new Set((d.owners ?? []).map((o) => o.provider));
  const parts = d.via.filter((p) => !children.has(p) && !owned.has(p)).map(esc);
  for (const [owner, list] of owned) parts.push(`${esc(owner)}, which owns ${list.map(esc).join(', ')}`);
  return parts.join(', ');
}

/** What-if's counts line: every tier, the optional ones when present. */
/** "cloudflare + aws fail", "the top 2 dns providers (cloudflare + aws) fail", "cloudflare fails at the cdn layer". */
export function whatIfSubject(result: WhatIfResult, esc: Escape): string {
  const names = result.providers.map(esc).join(' + ');
  const verb = result.providers.length > 1 ? 'fail' : 'fails';
  if (result.top !== undefined && result.layer !== undefined)
    return `the top ${result.top} ${esc(result.layer)} providers (${names || 'none'}) fail`;
  return result.layer === undefined
    ? `${names} ${verb}`
    : `${names} ${verb} at the ${esc(result.layer)} layer`;
}

export function whatIfCounts(result: WhatIfResult): string {
  const parts = [`down ${result.down.length}`];
  if (result.downIndirect?.length) parts.push(`down via a provider's provider ${result.downIndirect.length}`);
  if (result.possiblyAffected?.length) parts.push(`possibly affected ${result.possiblyAffected.length}`);
  parts.push(`degraded ${result.degraded.length}`, `survived ${result.survived.length}`);
  if (result.failing?.length) parts.push(`already failing ${result.failing.length}`);
  parts.push(`unaffected ${result.unaffected.length}`);
  return parts.join(', ');
}

/** The detail of a "possibly affected" domain. */
export function possiblyText(d: WhatIfPossiblyAffected, esc: Escape): string {
  return `region of ${d.via.map(esc).join(', ')} not visible`;
}

/** Blast radius suffix for the tier "down via a provider's provider"; empty when there is none. */
export function indirectRadius(count: number): string {
  return count > 0 ? `  down via a provider's provider ${count}` : '';
}

/** Plain-text portfolio summary printed above the per-domain table. */
export function summaryLines(summary: Summary, esc: Escape, topProviders = 5, topRadius = 10): string[] {
  const findings = SEVERITIES.map((s) => `${s} ${summary.findings[s]}`).join(', ');
  const lines = [`Domains: ${summary.domains}   failed: ${summary.failed}   findings: ${findings}`, ''];
  const width = Math.max(...summary.layers.map((l) => LAYER_TITLES[l.layer].length));
  for (const l of summary.layers) {
    const top = l.providers.slice(0, topProviders).map((p) => `${esc(p.provider)} ${percent(p.share)}`);
    const more = l.providers.length > topProviders ? `, +${l.providers.length - topProviders} more` : '';
    const head = `${LAYER_TITLES[l.layer].padEnd(width)}  covered ${l.covered}/${summary.domains}  HHI ${l.hhi}`;
    lines.push(top.length === 0 ? head : `${head}  ${top.join(', ')}${more}`);
  }
  const radius = summary.blastRadius.slice(0, topRadius);
  if (radius.length > 0) {
    lines.push('', `Blast radius (top ${radius.length} of ${summary.blastRadius.length}):`);
    const idWidth = Math.max(...radius.map((r) => radiusName(r, esc).length));
    for (const r of radius) {
      const n = radiusCounts(r);
      lines.push(
        `  ${radiusName(r, esc).padEnd(idWidth)}  down ${n.down}  degraded ${n.degraded}${indirectRadius(n.downIndirect)}`,
      );
    }
  }
  if (summary.notes?.length) lines.push('', ...summary.notes.map((n) => `Note: ${esc(n.message)}`));
  return lines;
}

/**
 * First few names of a list, then how many more: a portfolio can have a million, and the json
 * format lists all. `total` is the real count when the list itself is already a cut sample.
 */
export function unaffectedList(
  domains: readonly string[],
  esc: Escape,
  shown = 20,
  total = domains.length,
): string {
  const list = domains.slice(0, shown).map(esc);
  if (total > list.length) list.push(`… ${total - list.length} more`);
  return list.join(', ');
}
