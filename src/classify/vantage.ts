import type { Dependency, Layer, Observation, VantageObservation } from '../types.js';
import type { ClassifyContext } from './hosts.js';
import { classifyWeb } from './web.js';

// The edge and hosting layers as the union of what every vantage point saw. A zone that steers
// users to Cloudflare in one region and Fastly in another has two edges: either can carry the
// site when the other fails, so they become alternatives (same `order`), and a provider seen
// from some vantages only carries their labels.

/** Label of the main observation: the configured resolver, no client subnet. */
export const DEFAULT_VANTAGE = 'default';

const WEB_LAYERS: readonly Layer[] = ['cdn', 'cloud'];

/** A vantage is a regional view only when it answered and did not ignore the subnet it was given. */
export function isRegionalView(v: VantageObservation): boolean {
  return v.status === 'NOERROR' && v.ecs !== 'ignored' && v.ecs !== 'unknown';
}

interface View {
  label: string;
  deps: Dependency[];
}

/** Evidence that says where the name resolved (not headers passed through from behind). */
const LOCATED = new Set(['cname', 'asn', 'cidr', 'relation']);

function viewOf(obs: Observation, v: VantageObservation, ctx: ClassifyContext): View {
  const seen: Observation = {
    domain: obs.domain,
    dns: { ...obs.dns, cnames: v.cnames, finalName: v.finalName, addresses: v.addresses },
  };
  return { label: v.vantage, deps: classifyWeb(seen, ctx) };
}

/**
 * Unions the web dependencies of the main observation (`main`, from classifyWeb) with those of
 * each regional view. Returns `main` untouched when no vantage saw anything else.
 */
export function unionVantages(main: Dependency[], obs: Observation, ctx: ClassifyContext): Dependency[] {
  const vantages = (obs.dns.vantages ?? []).filter(isRegionalView);
  if (vantages.length === 0) return main;
  const views: View[] = [{ label: DEFAULT_VANTAGE, deps: main }, ...vantages.map((v) => viewOf(obs, v, ctx))];
  const labels = views.map((v) => v.label);
  const out: Dependency[] = [];
  for (const layer of WEB_LAYERS) {
    const merged = new Map<string, { dep: Dependency; seenAt: Set<string> }>();
    for (const view of views) {
      for (const d of view.deps) {
        if (d.layer !== layer) continue;
        // The probe ran from the default view only: what headers alone showed is not regional.
        const everywhere = view.label === DEFAULT_VANTAGE && !d.evidence.some((e) => LOCATED.has(e.signal));
        const entry = merged.get(d.provider);
        if (entry) {
          entry.dep.evidence.push(...d.evidence.map((e) => ({ ...e })));
          entry.dep.order = Math.min(entry.dep.order ?? 0, d.order ?? 0);
          entry.dep.service ??= d.service;
          entry.dep.region ??= d.region;
          entry.dep.via ??= d.via;
          if (everywhere) for (const l of labels) entry.seenAt.add(l);
          else entry.seenAt.add(view.label);
        } else {
          const dep: Dependency = { ...d, evidence: d.evidence.map((e) => ({ ...e })) };
          for (const k of ['service', 'region', 'via'] as const) if (dep[k] === undefined) delete dep[k];
          merged.set(d.provider, { dep, seenAt: new Set(everywhere ? labels : [view.label]) });
        }
      }
    }
    const entries = [...merged.values()];
    if (entries.every((e) => e.seenAt.size === labels.length)) {
      out.push(...main.filter((d) => d.layer === layer));
      continue;
    }
    for (const { dep, seenAt } of entries) {
      if (seenAt.size < labels.length) dep.vantages = labels.filter((l) => seenAt.has(l));
      out.push(dep);
    }
  }
  return out;
}
