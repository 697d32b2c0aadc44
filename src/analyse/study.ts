import {
  type Dependency,
  type DomainResult,
  type IndirectDependency,
  LAYERS,
  type Layer,
  type Study,
  type StudyAmplification,
  type StudyLayer,
  type StudyProviderDependency,
} from '../types.js';
import { indirectImpact, indirectlyLost } from './indirect.js';
import { byString, layerLost, SELF } from './layer-loss.js';

// The study view of Kashaf, Sekar and Agarwal (IMC 2020, "Analyzing Third Party Service
// Dependencies in Modern Web Services"), built one domain at a time like the rest of the summary.
//
// Memory is bounded by providers, never by domains. Every count is per provider, per pair of
// providers, or per *critical set*: the sorted tuple of providers a domain critically depends on
// at one layer. The top-k union needs the tuples because the top-k providers are known only at
// the end; a domain's critical set at a layer holds one provider per order group in series (one,
// two for Shopify in front of Cloudflare, rarely three), so the distinct tuples are at most
// P + P·(P−1)/2 + … for P providers seen at the layer, whatever the number of domains.

/** The k providers most domains critically depend on at a layer (fewer when fewer are). */
export function topProviders(study: Study, layer: Layer, k: number): string[] {
  const l = study.layers.find((x) => x.layer === layer);
  return (l?.providers ?? []).slice(0, k).map((p) => p.provider);
}

/** Largest k of the concentration curve. */
export const TOP_K = 10;

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
const bump = <K>(map: Map<K, number>, key: K, by = 1): void => {
  map.set(key, (map.get(key) ?? 0) + by);
};
const SEP = '\u0000';

/** Whether the server stapled an OCSP response: the CA's revocation service is then not needed. */
export function stapled(result: DomainResult): boolean {
  return result.observations?.tls?.revocation?.stapled === true;
}

/** The certificate names CRLs and no OCSP responder: revocation is published as CRLs only. */
export function crlOnly(result: DomainResult): boolean {
  const r = result.observations?.tls?.revocation;
  return r !== undefined && r.ocsp.length === 0 && r.crl.length > 0;
}

/**
 * Third-party providers whose outage alone takes the layer: the critical dependencies. At the
 * `ca` layer a stapled OCSP response removes the need for the CA's revocation service (the paper's
 * definition), so a stapling domain depends on no CA critically.
 */
export function criticalProviders(deps: readonly Dependency[], layer: Layer, isStapled: boolean): string[] {
  if (layer === 'ca' && isStapled) return [];
  const out = new Set<string>();
  for (const d of deps) {
    if (d.layer !== layer || d.provider === SELF || out.has(d.provider)) continue;
    const p = d.provider;
    if (layerLost(deps, layer, (q) => q === p)) out.add(p);
  }
  return [...out].sort(byString);
}

interface LayerCounts {
  thirdParty: number;
  critical: number;
  redundant: number;
  stapled: number;
  crlOnly: number;
  /** provider → domains critically dependent on it. */
  byProvider: Map<string, number>;
  /** sorted critical set joined by SEP → domains. */
  sets: Map<string, number>;
}

interface Amplifier {
  direct: number;
  indirect: number;
  paths: Map<string, number>;
}

/** The layer a `via` platform serves at for the domain: its edge first (Vercel is DNS and CDN). */
function platformLayer(deps: readonly Dependency[], d: Dependency): Layer {
  const own = deps.filter((x) => x.provider === d.via && !x.via).map((x) => x.layer);
  return (['cdn', 'cloud'] as const).find((l) => own.includes(l)) ?? own[0] ?? d.layer;
}

/** Whether `provider` alone takes the zone (or host) of `e`: every entry of its path is that provider's. */
function nodeLostBy(
  indirect: readonly IndirectDependency[],
  e: IndirectDependency,
  provider: string,
): boolean {
  const key = e.path.join(SEP);
  return indirect.every(
    (x) => x.path.join(SEP) !== key || (x.provider === provider && !x.alternatives?.includes(SELF)),
  );
}

export class StudyBuilder {
  private domains = 0;
  private readonly layers = new Map<Layer, LayerCounts>(
    LAYERS.map((l) => [
      l,
      {
        thirdParty: 0,
        critical: 0,
        redundant: 0,
        stapled: 0,
        crlOnly: 0,
        byProvider: new Map(),
        sets: new Map(),
      },
    ]),
  );
  private readonly amplifiers = new Map<string, Amplifier>();
  /** "layer provider layer provider" → [domains, critical]. */
  private readonly edges = new Map<string, [number, number]>();

  private amplifier(provider: string): Amplifier {
    let a = this.amplifiers.get(provider);
    if (!a) {
      a = { direct: 0, indirect: 0, paths: new Map() };
      this.amplifiers.set(provider, a);
    }
    return a;
  }

  /** A domain that resolved (failing ones are left out by the caller). */
  add(result: DomainResult): void {
    this.domains++;
    const deps = result.dependencies;
    const isStapled = stapled(result);
    const direct = new Set<string>();
    const throughPlatform = new Map<string, Set<string>>();
    for (const layer of LAYERS) {
      const counts = this.layers.get(layer)!;
      if (!deps.some((d) => d.layer === layer && d.provider !== SELF)) continue;
      counts.thirdParty++;
      if (layer === 'ca') {
        if (isStapled) counts.stapled++;
        if (crlOnly(result)) counts.crlOnly++;
      }
      const critical = criticalProviders(deps, layer, isStapled);
      if (critical.length === 0) {
        counts.redundant++;
        continue;
      }
      counts.critical++;
      for (const p of critical) {
        bump(counts.byProvider, p);
        // A platform's own provider (aws under a Vercel app, `via: vercel`) is the domain's only
        // through the platform: for amplification that is the indirect path platform → provider.
        const own = deps.some((d) => d.layer === layer && d.provider === p && !d.via);
        if (own) direct.add(p);
        else
          for (const d of deps)
            if (d.layer === layer && d.provider === p && d.via) {
              const paths = throughPlatform.get(p) ?? new Set<string>();
              throughPlatform.set(p, paths.add(`${platformLayer(deps, d)}: ${d.via} → ${layer}`));
            }
      }
      bump(counts.sets, critical.join(SEP));
    }
    for (const p of direct) this.amplifier(p).direct++;
    for (const [p, paths] of throughPlatform) {
      if (direct.has(p)) continue;
      const a = this.amplifier(p);
      a.indirect++;
      for (const path of paths) bump(a.paths, path);
    }
    const counted = new Set([...direct, ...throughPlatform.keys()]);
    this.addPlatformEdges(deps, isStapled);
    const indirect = result.indirect ?? [];
    if (indirect.length > 0) this.addIndirect(deps, indirect, counted);
  }

  /** Platform → provider pairs (`via`): Vercel runs on AWS, Shopify on Cloudflare. */
  private addPlatformEdges(deps: readonly Dependency[], isStapled: boolean): void {
    const seen = new Map<string, boolean>();
    for (const d of deps) {
      if (!d.via || d.provider === SELF) continue;
      const k = [platformLayer(deps, d), d.via, d.layer, d.provider].join(SEP);
      const critical = criticalProviders(deps, d.layer, isStapled).includes(d.provider);
      seen.set(k, (seen.get(k) ?? false) || critical);
    }
    for (const [k, critical] of seen) {
      const counts = this.edges.get(k) ?? [0, 0];
      counts[0]++;
      if (critical) counts[1]++;
      this.edges.set(k, counts);
    }
  }

  private addIndirect(
    deps: readonly Dependency[],
    indirect: readonly IndirectDependency[],
    direct: ReadonlySet<string>,
  ): void {
    const edges = new Map<string, boolean>();
    for (const e of indirect) {
      const k = [e.through.layer, e.through.provider, e.layer, e.provider].join(SEP);
      edges.set(k, (edges.get(k) ?? false) || !e.alternatives?.length);
    }
    for (const [k, critical] of edges) {
      const counts = this.edges.get(k) ?? [0, 0];
      counts[0]++;
      if (critical) counts[1]++;
      this.edges.set(k, counts);
    }
    const candidates = new Set(indirect.map((e) => e.provider));
    for (const p of candidates) {
      if (p === SELF || direct.has(p)) continue;
      const failed = (q: string) => q === p;
      if (!indirectImpact(deps, indirect, failed)) continue;
      const lost = indirectlyLost(indirect, failed).lost;
      const paths = new Set<string>();
      for (const e of indirect) {
        if (e.provider !== p || !nodeLostBy(indirect, e, p)) continue;
        const root = e.path[0] ?? '';
        const [layer, provider] = root.split(': ') as [Layer, string];
        if (lost.get(layer)?.has(provider)) paths.add(`${root} → ${e.layer}`);
      }
      const a = this.amplifier(p);
      a.indirect++;
      for (const path of paths) bump(a.paths, path);
    }
  }

  finish(): Study {
    return {
      domains: this.domains,
      layers: LAYERS.map((l) => this.layer(l)),
      amplification: this.amplification(),
      providerDependencies: this.providerDependencies(),
    };
  }

  private share(n: number): number {
    return this.domains === 0 ? 0 : round(n / this.domains, 4);
  }

  private layer(layer: Layer): StudyLayer {
    const c = this.layers.get(layer)!;
    const ranked = [...c.byProvider].sort(([a, x], [b, y]) => y - x || byString(a, b));
    const incidences = ranked.reduce((sum, [, n]) => sum + n, 0);
    const hhi = incidences === 0 ? 0 : ranked.reduce((sum, [, n]) => sum + ((100 * n) / incidences) ** 2, 0);
    const sets = [...c.sets].map(([k, n]) => [k.split(SEP), n] as const);
    const top = new Set<string>();
    const concentration = ranked.slice(0, TOP_K).map(([provider], i) => {
      top.add(provider);
      const critical = sets.reduce((sum, [set, n]) => (set.some((p) => top.has(p)) ? sum + n : sum), 0);
      return { k: i + 1, provider, critical, share: this.share(critical) };
    });
    const out: StudyLayer = {
      layer,
      thirdParty: c.thirdParty,
      thirdPartyShare: this.share(c.thirdParty),
      critical: c.critical,
      criticalShare: this.share(c.critical),
      redundant: c.redundant,
      redundantShare: this.share(c.redundant),
      providers: ranked.map(([provider, critical]) => ({
        provider,
        critical,
        criticalShare: this.share(critical),
      })),
      concentration,
      hhi: Math.round(hhi),
    };
    if (layer === 'ca') {
      out.stapled = c.stapled;
      out.crlOnly = c.crlOnly;
    }
    return out;
  }

  private amplification(): StudyAmplification[] {
    const out = [...this.amplifiers].map(([provider, a]): StudyAmplification => {
      const total = a.direct + a.indirect;
      const paths = [...a.paths]
        .sort(([p, x], [q, y]) => y - x || byString(p, q))
        .map(([path, domains]) => ({ path, domains }));
      return {
        provider,
        direct: a.direct,
        indirect: a.indirect,
        total,
        ratio: a.direct === 0 ? null : round(total / a.direct, 2),
        paths,
      };
    });
    return out.sort(
      (a, b) => b.total - a.total || b.indirect - a.indirect || byString(a.provider, b.provider),
    );
  }

  private providerDependencies(): StudyProviderDependency[] {
    const out = [...this.edges].map(([k, [domains, critical]]): StudyProviderDependency => {
      const [layer, provider, toLayer, toProvider] = k.split(SEP) as [Layer, string, Layer, string];
      return { layer, provider, dependsOn: { layer: toLayer, provider: toProvider }, domains, critical };
    });
    return out.sort(
      (a, b) =>
        byString(a.layer, b.layer) ||
        byString(a.provider, b.provider) ||
        byString(a.dependsOn.layer, b.dependsOn.layer) ||
        byString(a.dependsOn.provider, b.dependsOn.provider),
    );
  }
}
