import type { Dependency, Finding } from '../types.js';
import { byString, SELF } from './layer-loss.js';

// The edge layer seen as several independent providers from different vantage points (a zone
// steering users by region): redundancy the default view alone does not show.

/** One `multi-cdn` finding per edge position held by two or more companies seen from different vantages. */
export function multiCdnFindings(
  deps: readonly Dependency[],
  company: (provider: string) => string,
): Omit<Finding, 'message'>[] {
  const groups = new Map<number, Dependency[]>();
  for (const d of deps) {
    if (d.layer !== 'cdn' || d.provider === SELF) continue;
    const order = d.order ?? 0;
    groups.set(order, [...(groups.get(order) ?? []), d]);
  }
  const out: Omit<Finding, 'message'>[] = [];
  for (const group of groups.values()) {
    if (!group.some((d) => d.vantages) || new Set(group.map((d) => company(d.provider))).size < 2) continue;
    const sorted = [...group].sort((a, b) => byString(a.provider, b.provider));
    out.push({
      kind: 'multi-cdn',
      severity: 'info',
      layer: 'cdn',
      args: {
        providers: sorted.map((d) => d.provider),
        seen: sorted.map((d) => `${d.provider}: ${d.vantages?.join(', ') ?? 'all vantages'}`),
      },
    });
  }
  return out;
}
