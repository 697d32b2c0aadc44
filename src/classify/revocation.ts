import type { Catalogue } from '../catalogue/catalogue.js';
import type {
  Dependency,
  Evidence,
  IndirectDependency,
  Observation,
  RevocationHostObservation,
} from '../types.js';
import { asnEvidence, type ClassifyContext, registrable } from './hosts.js';
import { companyOf, dedupe, type IndirectOptions, zoneProviders } from './indirect.js';
import { matchAddress, matchHost } from './memo.js';

// The CA's revocation service as the CA's own dependencies (Kashaf, Sekar, Agarwal, IMC 2020):
// with no stapled OCSP response, a client asks the CA's responder (or fetches its CRL), so the
// CDN serving that host and the DNS of its zone sit under the CA. Entries are `via` the CA
// (`through: ca`), at depth 1, one path per host and one per zone: each is needed.

const SELF = 'self';

interface Serving {
  layer: Dependency['layer'];
  provider: string;
  service?: string;
  evidence: Evidence[];
}

/** Who serves the host: the first CNAME target the catalogue knows, else its addresses' network. */
function servingProvider(h: RevocationHostObservation, catalogue: Catalogue): Serving | null {
  for (const target of h.cnames) {
    const m = matchHost(catalogue, 'cname', target);
    if (m) {
      const s: Serving = {
        layer: m.layer,
        provider: m.provider,
        evidence: [{ signal: 'cname', value: target }],
      };
      if (m.service) s.service = m.service;
      return s;
    }
  }
  for (const a of h.addresses) {
    const m = matchAddress(catalogue, a.ip, a.asn);
    if (m) {
      const evidence: Evidence =
        m.signal === 'cidr' ? { signal: 'cidr', value: `${a.ip} of ${h.host}` } : asnEvidence(a, h.host);
      return { layer: m.layer, provider: m.provider, evidence: [evidence] };
    }
  }
  return null;
}

/** Indirect dependencies of the domain's CA through its revocation hosts (none when stapled). */
export function classifyRevocation(
  obs: Observation,
  direct: readonly Dependency[],
  catalogue: Catalogue,
  opts: IndirectOptions = {},
): IndirectDependency[] {
  const hosts = obs.dns.revocationHosts ?? [];
  if (hosts.length === 0 || obs.tls?.revocation?.stapled) return [];
  const cas = [
    ...new Set(direct.filter((d) => d.layer === 'ca' && d.provider !== SELF).map((d) => d.provider)),
  ];
  const out: IndirectDependency[] = [];
  for (const ca of cas) {
    const through = { layer: 'ca' as const, provider: ca };
    const root = `ca: ${ca}`;
    const ours = (id: string) => companyOf(catalogue, id) === companyOf(catalogue, ca);
    const zones = new Set<string>();
    for (const h of hosts) {
      const serving = servingProvider(h, catalogue);
      if (serving && !ours(serving.provider)) {
        const dep: IndirectDependency = {
          layer: serving.layer,
          provider: catalogue.ownerOf(serving.provider) ?? serving.provider,
          indirect: true,
          through,
          zone: h.zone,
          depth: 1,
          path: [root, `${h.kind} ${h.host}`],
          evidence: serving.evidence,
        };
        if (serving.service) dep.service = serving.service;
        out.push(dep);
      }
      if (zones.has(h.zone)) continue;
      zones.add(h.zone);
      const ctx: ClassifyContext = {
        catalogue,
        site: registrable(h.host),
        ownAsns: new Set(opts.ownAsns ?? []),
      };
      const providers = zoneProviders({ zone: h.zone, depth: 1, ns: h.ns }, ca, ctx);
      for (const p of providers.values()) {
        if (p.provider === SELF) continue;
        const dep: IndirectDependency = {
          layer: 'dns',
          provider: p.provider,
          indirect: true,
          through,
          zone: h.zone,
          depth: 1,
          path: [root, `dns of ${h.zone}`],
          evidence: dedupe(p.evidence),
        };
        if (p.service) dep.service = p.service;
        const alternatives = [...providers.keys()].filter((k) => k !== p.provider).sort();
        if (alternatives.length > 0) dep.alternatives = alternatives;
        out.push(dep);
      }
    }
  }
  return out;
}
