import type { Catalogue } from '../catalogue/catalogue.js';
import type {
  Dependency,
  Evidence,
  IndirectDependency,
  Layer,
  Observation,
  ProviderZoneObservation,
} from '../types.js';
import { type ClassifyContext, classifyHost, registrable } from './hosts.js';
import { matchHost } from './memo.js';
import { classifyRevocation } from './revocation.js';

// Dependencies of the domain's providers: who answers DNS for the zone a provider's endpoint
// lives in. In 2016 sites whose CDN's own zones were served by Dyn went down with Dyn although
// they had never signed up with Dyn. Pure: reads the provider zones the collect stage observed.

export interface IndirectOptions {
  ownAsns?: Iterable<number>;
  /** The domain's direct dependencies: their CA's revocation hosts are followed when given. */
  direct?: readonly Dependency[];
}

interface Endpoint {
  layer: Layer;
  provider: string;
  zone: string;
}

const SELF = 'self';
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where the domain reaches a provider: CNAME targets the catalogue knows, third-party name servers. */
function endpoints(obs: Observation, ctx: ClassifyContext): Endpoint[] {
  const out = new Map<string, Endpoint>();
  const add = (e: Endpoint) => {
    if (e.zone !== ctx.site && e.provider !== SELF) out.set(`${e.layer} ${e.provider} ${e.zone}`, e);
  };
  const targets = [...obs.dns.cnames, ...(obs.dns.vantages ?? []).flatMap((v) => v.cnames)];
  for (const t of targets) {
    const m = matchHost(ctx.catalogue, 'cname', t);
    if (m) add({ layer: m.layer, provider: m.provider, zone: registrable(t) });
  }
  for (const h of obs.dns.ns.hosts) {
    const dep = classifyHost('ns', 'dns', h, ctx);
    add({ layer: 'dns', provider: dep.provider, zone: registrable(h.host) });
  }
  return [...out.values()].sort(
    (a, b) => byString(a.layer, b.layer) || byString(a.provider, b.provider) || byString(a.zone, b.zone),
  );
}

export interface ZoneProvider {
  provider: string;
  service?: string;
  evidence: Evidence[];
  hosts: string[];
}

/** The company at the top of a provider's owner and parent relations (cycle-safe). */
export function companyOf(catalogue: Catalogue, id: string): string {
  const seen = new Set<string>();
  let p = catalogue.ownerOf(id) ?? id;
  for (let parent = catalogue.parentOf(p); parent && !seen.has(parent); parent = catalogue.parentOf(p)) {
    seen.add(p);
    p = parent;
  }
  return p;
}

/** The zone's name servers by provider; the `through` provider's own (same company) count as self. */
export function zoneProviders(
  zone: ProviderZoneObservation,
  through: string,
  ctx: ClassifyContext,
): Map<string, ZoneProvider> {
  const company = (id: string): string => companyOf(ctx.catalogue, id);
  const zctx: ClassifyContext = { ...ctx, site: zone.zone };
  const out = new Map<string, ZoneProvider>();
  for (const h of zone.ns.hosts) {
    const d: Dependency = classifyHost('ns', 'dns', h, zctx);
    const provider =
      d.provider === SELF || company(d.provider) === company(through)
        ? SELF
        : (ctx.catalogue.ownerOf(d.provider) ?? d.provider);
    const entry = out.get(provider) ?? { provider, evidence: [], hosts: [] };
    if (d.service && entry.service === undefined && provider !== SELF) entry.service = d.service;
    entry.evidence.push(...d.evidence);
    entry.hosts.push(h.host);
    out.set(provider, entry);
  }
  return out;
}

/** Indirect DNS dependencies of the domain's providers, to the depth the zones were observed. */
export function classifyIndirect(
  obs: Observation,
  catalogue: Catalogue,
  opts: IndirectOptions = {},
): IndirectDependency[] {
  const revocation = opts.direct ? classifyRevocation(obs, opts.direct, catalogue, opts) : [];
  const observed = obs.dns.providerZones ?? [];
  if (observed.length === 0) return revocation;
  const zones = new Map(observed.map((z) => [z.zone, z]));
  const maxDepth = Math.max(...observed.map((z) => z.depth));
  const ctx: ClassifyContext = {
    catalogue,
    site: registrable(obs.domain),
    ownAsns: new Set(opts.ownAsns ?? []),
  };
  const out = new Map<string, IndirectDependency>();

  const expand = (
    prefix: string[],
    through: IndirectDependency['through'],
    zoneName: string,
    depth: number,
    visited: ReadonlySet<string>,
  ): void => {
    const zone = zones.get(zoneName);
    if (!zone || depth > maxDepth) return;
    const providers = zoneProviders(zone, through.provider, ctx);
    const path = [...prefix, `dns of ${zoneName}`];
    for (const p of providers.values()) {
      if (p.provider === SELF) continue;
      const dep: IndirectDependency = {
        layer: 'dns',
        provider: p.provider,
        indirect: true,
        through,
        zone: zoneName,
        depth,
        path,
        evidence: dedupe(p.evidence),
      };
      if (p.service) dep.service = p.service;
      const alternatives = [...providers.keys()].filter((k) => k !== p.provider).sort(byString);
      if (alternatives.length > 0) dep.alternatives = alternatives;
      out.set(`${path.join('\u0000')}\u0000${p.provider}`, dep);
      const next = [...new Set(p.hosts.map(registrable))].filter((z) => !visited.has(z)).sort(byString);
      for (const z of next) {
        expand(
          [...prefix, `dns of ${zoneName}: ${p.provider}`],
          { layer: 'dns', provider: p.provider },
          z,
          depth + 1,
          new Set([...visited, z]),
        );
      }
    }
  };

  for (const e of endpoints(obs, ctx)) {
    expand(
      [`${e.layer}: ${e.provider}`],
      { layer: e.layer, provider: e.provider },
      e.zone,
      1,
      new Set([ctx.site, e.zone]),
    );
  }
  for (const d of revocation) out.set(`${d.path.join('\u0000')}\u0000${d.provider}`, d);
  return [...out.values()].sort(
    (a, b) => byString(a.path.join(' '), b.path.join(' ')) || byString(a.provider, b.provider),
  );
}

export function dedupe(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence
    .filter((e) => {
      const k = `${e.signal}\u0000${e.value}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => byString(a.signal, b.signal) || byString(a.value, b.value));
}
