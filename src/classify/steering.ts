import type { Dependency, Observation } from '../types.js';
import type { ClassifyContext } from './hosts.js';
import { matchHost } from './memo.js';

// DNS-level traffic steering: a CNAME into a provider's DNS-only zone (example.trafficmanager.net,
// www.example.com.akadns.net) is answered by that provider's DNS, which picks an endpoint. The
// name then depends on it as DNS, after the zone's own name servers (which serve the CNAME): in
// series, one position further from the user than the zone's DNS. It is not the edge: the
// traffic goes to whatever it answers with, classified from the rest of the chain.

export function classifySteering(obs: Observation, ctx: ClassifyContext, after: number): Dependency[] {
  const byProvider = new Map<string, Dependency>();
  for (const target of obs.dns.cnames) {
    const m = matchHost(ctx.catalogue, 'cname', target);
    if (m?.layer !== 'dns') continue;
    const prev = byProvider.get(m.provider);
    if (prev) {
      prev.evidence.push({ signal: 'cname', value: target });
      continue;
    }
    const dep: Dependency = {
      layer: 'dns',
      provider: m.provider,
      order: after + 1,
      evidence: [{ signal: 'cname', value: target }],
    };
    if (m.service) dep.service = m.service;
    byProvider.set(m.provider, dep);
  }
  return [...byProvider.values()];
}

/** A steering dependency (its evidence is the CNAME, not a name server). */
export function isSteering(d: Dependency): boolean {
  return d.layer === 'dns' && d.evidence.some((e) => e.signal === 'cname');
}
