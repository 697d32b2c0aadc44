import { type DomainResult, LAYERS, type Layer } from '../types.js';
import { indirectImpact } from './indirect.js';
import {
  alreadyFailing,
  byString,
  type Failure,
  failure,
  layerImpact,
  lineage,
  type Relations,
  SELF,
  SERVING_LAYERS,
} from './layer-loss.js';

// "What if these providers fail together?" — the same layer-loss rule as the blast radius, applied
// to a chosen set, and telling which redundancy saved each domain that was touched but stayed up.

export interface WhatIfDown {
  domain: string;
  layers: Layer[];
  /** Providers the outage reached the domain through: the failed dependencies' providers (a child
   * such as linode when akamai fails) and the runsOn intermediaries (vercel for `aws via vercel`). */
  via: string[];
  /** Providers hit only because a company that fails owns them: github, owned by microsoft. */
  owners?: WhatIfOwner[];
}

export interface WhatIfOwner {
  provider: string;
  owner: string;
}

/** A domain that failed in the audit itself (its name does not resolve): no outage can take it down. */
export interface WhatIfFailing {
  domain: string;
  code: string;
}

/**
 * Not down by what is known, but down if a dependency whose region is not visible is in the
 * region that fails (a regional outage only).
 */
export interface WhatIfPossiblyAffected {
  domain: string;
  layers: Layer[];
  /** The providers of the dependencies without a region. */
  via: string[];
}

/** Down only through a provider's provider: the DNS of a provider's zone is what failed. */
export interface WhatIfDownIndirect {
  domain: string;
  layers: Layer[];
  /** The zones lost, "cdn: akamai → dns of akamaiedge.net: ultradns". */
  via: string[];
}

export interface WhatIfDegraded {
  domain: string;
  layers: Layer[];
  /** When a provider's provider is why (a CA's OCSP responder on the failed CDN): the paths lost. */
  via?: string[];
}

export interface WhatIfSaved {
  layer: Layer;
  /** Surviving alternatives in the hit order group(s), `self` included. */
  alternatives: string[];
}

export interface WhatIfSurvived {
  domain: string;
  savedBy: WhatIfSaved[];
}

export interface WhatIfResult {
  providers: string[];
  /** The outage hits only this layer's dependencies (whatif --layer); absent: every layer. */
  layer?: Layer;
  /** The providers are the top `top` of `layer` by critically dependent domains (whatif --top). */
  top?: number;
  down: WhatIfDown[];
  /** The separate tier "down via a provider's provider"; absent when no domain is in it. */
  downIndirect?: WhatIfDownIndirect[];
  degraded: WhatIfDegraded[];
  /** Affected at some layer, but an alternative provider (or self) kept every layer up. */
  survived: WhatIfSurvived[];
  /** Regional outages: down if a dependency with no visible region is in the region; absent when none. */
  possiblyAffected?: WhatIfPossiblyAffected[];
  /** Domains already failing in the audit: their own tier, never "down via"; absent when none. */
  failing?: WhatIfFailing[];
  unaffected: string[];
}

export interface WhatIfOptions {
  /** Only dependencies of this layer fail (an indirect one is of its own layer: the DNS of a CDN's zone). */
  layer?: Layer;
  /** Recorded in the result: the providers are the top `top` of `layer`. */
  top?: number;
}

/** A failure limited to one layer's dependencies (dep is always given by the layer-loss rule). */
function scoped(failed: Failure, layer: Layer | undefined): Failure {
  return layer === undefined ? failed : (p, dep) => dep?.layer === layer && failed(p, dep);
}

export function whatIf(
  results: Iterable<DomainResult>,
  providers: string[],
  relations?: Relations,
  opts: WhatIfOptions = {},
): WhatIfResult {
  const failed = scoped(failure(providers, relations), opts.layer);
  const out: WhatIfResult = {
    providers: [...new Set(providers)].sort(byString),
    down: [],
    degraded: [],
    survived: [],
    unaffected: [],
  };
  const downIndirect: WhatIfDownIndirect[] = [];
  const possibly: WhatIfPossiblyAffected[] = [];
  const failing: WhatIfFailing[] = [];
  // Regional specs only: the same outage with every region-less dependency in the region too.
  const regional = providers.some((p) => p.includes('@'));
  const pessimistic = regional
    ? scoped(failure(providers, relations, { regionless: 'hit' }), opts.layer)
    : undefined;
  const requested = new Set(providers.map((p) => p.split('@')[0]!));
  const lineageOf = lineage(relations);
  for (const result of results) {
    const { domain, dependencies, indirect } = result;
    if (alreadyFailing(result)) {
      failing.push({ domain, code: String(result.error?.code ?? result.observations.dns.status) });
      continue;
    }
    const impacts = LAYERS.map((layer) => layerImpact(dependencies, layer, failed));
    const lost = impacts.filter((i) => i.lost);
    const layers = lost.map((i) => i.layer);
    if (layers.some((l) => SERVING_LAYERS.has(l))) {
      const hit = lost.flatMap((i) => i.hit);
      const via = new Set(hit.flatMap((d) => (d.via ? [d.provider, d.via] : [d.provider])));
      via.delete(SELF);
      const down: WhatIfDown = { domain, layers, via: [...via].sort(byString) };
      const owners = ownersOf(hit, requested, lineageOf);
      if (owners.length > 0) down.owners = owners;
      out.down.push(down);
      continue;
    }
    const second = indirectImpact(dependencies, indirect, failed);
    if (second?.down) {
      downIndirect.push({ domain, layers: second.layers, via: second.via });
      continue;
    }
    if (pessimistic) {
      const maybe = LAYERS.map((layer) => layerImpact(dependencies, layer, pessimistic)).filter(
        (i) => i.lost && SERVING_LAYERS.has(i.layer),
      );
      if (maybe.length > 0) {
        const via = new Set(
          maybe.flatMap((i) => i.hit.filter((d) => d.region === undefined).map((d) => d.provider)),
        );
        possibly.push({ domain, layers: maybe.map((i) => i.layer), via: [...via].sort(byString) });
        continue;
      }
    }
    if (layers.length > 0 || second) {
      const degraded: WhatIfDegraded = { domain, layers: second?.layers ?? layers };
      if (second) degraded.via = second.via;
      out.degraded.push(degraded);
    } else if (impacts.some((i) => i.hit.length > 0)) {
      const savedBy = impacts
        .filter((i) => i.hit.length > 0)
        .map((i) => ({ layer: i.layer, alternatives: i.alternatives }));
      out.survived.push({ domain, savedBy });
    } else {
      out.unaffected.push(domain);
    }
  }
  const byDomain = (a: { domain: string }, b: { domain: string }) => byString(a.domain, b.domain);
  out.down.sort(byDomain);
  out.degraded.sort(byDomain);
  out.survived.sort(byDomain);
  out.unaffected.sort(byString);
  // Tiers in the order JSON reads best, worst first; the optional ones only when not empty.
  const { providers: failedProviders, down, degraded, survived, unaffected } = out;
  const scope: Pick<WhatIfResult, 'layer' | 'top'> = {};
  if (opts.layer !== undefined) scope.layer = opts.layer;
  if (opts.top !== undefined) scope.top = opts.top;
  const result: WhatIfResult = { providers: failedProviders, ...scope, down, degraded, survived, unaffected };
  const ordered: WhatIfResult = { providers: failedProviders, ...scope, down } as WhatIfResult;
  if (downIndirect.length > 0) ordered.downIndirect = downIndirect.sort(byDomain);
  if (possibly.length > 0) ordered.possiblyAffected = possibly.sort(byDomain);
  ordered.degraded = degraded;
  ordered.survived = survived;
  if (failing.length > 0) ordered.failing = failing.sort(byDomain);
  ordered.unaffected = unaffected;
  return downIndirect.length + possibly.length + failing.length > 0 ? ordered : result;
}

/** The hit dependencies whose provider fails only because a company asked for owns it. */
function ownersOf(
  hit: readonly { provider: string }[],
  requested: ReadonlySet<string>,
  lineageOf: (p: string) => readonly string[],
): WhatIfOwner[] {
  const out = new Map<string, string>();
  for (const d of hit) {
    if (requested.has(d.provider) || d.provider === SELF) continue;
    const owner = lineageOf(d.provider).find((p, i) => i > 0 && requested.has(p));
    if (owner) out.set(d.provider, owner);
  }
  return [...out].sort(([a], [b]) => byString(a, b)).map(([provider, owner]) => ({ provider, owner }));
}
