import { type DomainResult, LAYERS, type Layer } from '../types.js';
import { indirectImpact } from './indirect.js';
import { byString, failure, layerImpact, type Relations, SELF, SERVING_LAYERS } from './layer-loss.js';

// "What if these providers fail together?" — the same layer-loss rule as the blast radius, applied
// to a chosen set, and telling which redundancy saved each domain that was touched but stayed up.

export interface WhatIfDown {
  domain: string;
  layers: Layer[];
  /** Providers the outage reached the domain through: the failed dependencies' providers (a child
   * such as linode when akamai fails) and the runsOn intermediaries (vercel for `aws via vercel`). */
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
  down: WhatIfDown[];
  /** The separate tier "down via a provider's provider"; absent when no domain is in it. */
  downIndirect?: WhatIfDownIndirect[];
  degraded: WhatIfDegraded[];
  /** Affected at some layer, but an alternative provider (or self) kept every layer up. */
  survived: WhatIfSurvived[];
  unaffected: string[];
}

export function whatIf(
  results: Iterable<DomainResult>,
  providers: string[],
  relations?: Relations,
): WhatIfResult {
  const failed = failure(providers, relations);
  const out: WhatIfResult = {
    providers: [...new Set(providers)].sort(byString),
    down: [],
    degraded: [],
    survived: [],
    unaffected: [],
  };
  const downIndirect: WhatIfDownIndirect[] = [];
  for (const { domain, dependencies, indirect } of results) {
    const impacts = LAYERS.map((layer) => layerImpact(dependencies, layer, failed));
    const lost = impacts.filter((i) => i.lost);
    const layers = lost.map((i) => i.layer);
    if (layers.some((l) => SERVING_LAYERS.has(l))) {
      const via = new Set(
        lost.flatMap((i) => i.hit.flatMap((d) => (d.via ? [d.provider, d.via] : [d.provider]))),
      );
      via.delete(SELF);
      out.down.push({ domain, layers, via: [...via].sort(byString) });
      continue;
    }
    const second = indirectImpact(dependencies, indirect, failed);
    if (second?.down) {
      downIndirect.push({ domain, layers: second.layers, via: second.via });
    } else if (layers.length > 0) {
      out.degraded.push({ domain, layers });
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
  if (downIndirect.length === 0) return out;
  // The indirect tier right after the direct one, so that JSON reads from worst to best.
  const { providers: failedProviders, down, ...rest } = out;
  return { providers: failedProviders, down, downIndirect: downIndirect.sort(byDomain), ...rest };
}
