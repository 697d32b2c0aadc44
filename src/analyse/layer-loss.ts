import { type Dependency, type DomainResult, LAYERS, type Layer } from '../types.js';

// One definition of "a layer is lost", shared by the blast radius (one provider at a time) and
// what-if (a chosen set), so the two can never disagree about the same outage.

/** Company relations from the catalogue: child id → parent id (linode → akamai, ns1 → ibm). */
export interface Relations {
  parents: Record<string, string>;
}

/** Tells whether a provider (as used by this dependency, when given) is down in the outage considered. */
export type Failure = (provider: string, dep?: Dependency) => boolean;

/** The domain's own infrastructure: never a third party, never down in a provider outage. */
export const SELF = 'self';

/** Losing one of these takes the site down; losing only `ca` or `email` degrades it. */
export const SERVING_LAYERS: ReadonlySet<Layer> = new Set<Layer>(['dns', 'cdn', 'cloud']);

const RESOLVED = new Set(['NOERROR', 'OK']);

/**
 * A name that does not resolve serves nothing: no provider outage can take it down. The blast
 * radius leaves it out and what-if lists it as already failing, so the two agree.
 */
export function alreadyFailing(result: DomainResult): boolean {
  const status = result.observations?.dns?.status;
  return status !== undefined && !RESOLVED.has(status);
}

/** Code-unit order: locale-independent, so sorted output is identical on every machine. */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Returns a memoised function giving a provider followed by its ancestors (cycle-safe). */
export function lineage(relations?: Relations): (provider: string) => readonly string[] {
  const parents = relations?.parents ?? {};
  const memo = new Map<string, string[]>();
  return (provider) => {
    let chain = memo.get(provider);
    if (!chain) {
      chain = [provider];
      // A catalogue cycle must not hang the analysis; the catalogue loader reports it.
      for (let p = parents[provider]; p !== undefined && !chain.includes(p); p = parents[p]) chain.push(p);
      memo.set(provider, chain);
    }
    return chain;
  };
}

/**
 * Outage of `providers`; a parent's failure takes its children with it (same company). A spec
 * `aws@us-east-1` is a regional outage: only dependencies seen in that region fail; one whose
 * region is not visible is spared, or with `regionless: 'hit'` taken down too (what-if's "possibly
 * affected" is the difference).
 */
export function failure(
  providers: Iterable<string>,
  relations?: Relations,
  opts: { regionless?: 'spared' | 'hit' } = {},
): Failure {
  const regionlessHit = opts.regionless === 'hit';
  const down = new Map<string, Set<string> | null>();
  for (const spec of providers) {
    const [id, region] = spec.split('@') as [string, string | undefined];
    if (id === SELF) continue;
    const prev = down.get(id);
    if (!region || prev === null) down.set(id, null);
    else down.set(id, (prev ?? new Set()).add(region));
  }
  const lineageOf = lineage(relations);
  return (provider, dep) =>
    lineageOf(provider).some((p) => {
      if (!down.has(p)) return false;
      const regions = down.get(p);
      if (regions === null) return true;
      // A dependency whose region is not visible may or may not be in the region that fails.
      if (dep?.region === undefined) return regionlessHit;
      return regions!.has(dep.region);
    });
}

export interface LayerImpact {
  layer: Layer;
  lost: boolean;
  /** Dependencies of the layer whose provider is down. */
  hit: Dependency[];
  /** When not lost: surviving alternatives of each order group that lost a member (self included). */
  alternatives: string[];
}

/**
 * Where DMARC reports go carries no mail: their receiver's outage loses reports, not the layer.
 * Mail received (MX) and mail sent (SPF) are separate positions of `email`, each lost on its own.
 */
const carries = (d: Dependency): boolean => d.direction !== 'reports';

/**
 * Order groups are in series, members of a group are alternatives: the layer is lost as soon as
 * every member of one group is down. `self` always survives.
 */
export function layerImpact(deps: readonly Dependency[], layer: Layer, failed: Failure): LayerImpact {
  const groups = new Map<string, Dependency[]>();
  for (const d of deps) {
    if (d.layer !== layer || !carries(d)) continue;
    const order = `${d.direction ?? ''}|${d.order ?? 0}`;
    const group = groups.get(order);
    if (group) group.push(d);
    else groups.set(order, [d]);
  }
  let lost = false;
  const hit: Dependency[] = [];
  const alternatives = new Set<string>();
  for (const group of groups.values()) {
    const down = group.filter((d) => d.provider !== SELF && failed(d.provider, d));
    if (down.length === 0) continue;
    hit.push(...down);
    if (down.length === group.length) lost = true;
    else for (const d of group) if (!down.includes(d)) alternatives.add(d.provider);
  }
  return { layer, lost, hit, alternatives: lost ? [] : [...alternatives].sort() };
}

/**
 * layerImpact(...).lost without building the impact: the blast radius asks it for every layer
 * of every provider of every domain, so it allocates nothing. A group is judged once, at its
 * first member: lost when none of its members is self or still up. Quadratic in the
 * dependencies: past a few dozen (only a hand-made snapshot has them) layerImpact answers.
 */
export function layerLost(deps: readonly Dependency[], layer: Layer, failed: Failure): boolean {
  if (deps.length > 32) return layerImpact(deps, layer, failed).lost;
  next: for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    if (d.layer !== layer || !carries(d)) continue;
    const order = d.order ?? 0;
    for (let j = 0; j < i; j++) {
      const e = deps[j]!;
      if (e.layer === layer && e.direction === d.direction && sameOrder(e.order ?? 0, order)) continue next;
    }
    for (let j = i; j < deps.length; j++) {
      const e = deps[j]!;
      if (e.layer !== layer || e.direction !== d.direction || !sameOrder(e.order ?? 0, order)) continue;
      if (e.provider === SELF || !failed(e.provider, e)) continue next;
    }
    return true;
  }
  return false;
}

/** Orders as layerImpact's Map keys tell them apart (SameValueZero: NaN is one group). */
function sameOrder(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Lost layers in canonical order. */
export function lostLayers(deps: readonly Dependency[], failed: Failure): Layer[] {
  return LAYERS.filter((layer) => layerLost(deps, layer, failed));
}
