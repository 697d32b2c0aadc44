import type { SignalMatch } from '../catalogue/catalogue.js';
import type { Dependency, Evidence, Observation } from '../types.js';
import { asnEvidence, type ClassifyContext, isOwnAddress } from './hosts.js';
import { matchAddress, matchHost } from './memo.js';

// Edge (cdn) and hosting (cloud) layers from three kinds of evidence: the CNAME chain, the
// first response's headers, and the network of the addresses connected to. Layered setups
// keep every provider, outermost first: the owner of the addresses is in front; the rest
// follow in CNAME-chain order, then providers seen only in headers passed through from behind.

type WebLayer = 'cdn' | 'cloud';

interface Candidate {
  provider: string;
  layer: WebLayer;
  service?: string;
  region?: string;
  evidence: Evidence[];
  /** Seen in the addresses connected to (the outermost hop). */
  atAddress: boolean;
  /** Only address evidence (an ASN says "hosted here", nothing says which product). */
  addressOnly: boolean;
  cnameIndex: number;
  via?: string;
}

function key(provider: string, layer: WebLayer): string {
  return `${layer}\u0000${provider}`;
}

function add(
  map: Map<string, Candidate>,
  m: Omit<SignalMatch, 'value'>,
  ev: Evidence,
  cnameIndex: number,
): void {
  const layer = m.layer as WebLayer;
  const k = key(m.provider, layer);
  const prev = map.get(k);
  const fromAddress = ev.signal === 'asn' || ev.signal === 'cidr';
  if (prev) {
    prev.evidence.push(ev);
    prev.service ??= m.service;
    prev.region ??= m.region;
    prev.atAddress ||= fromAddress;
    prev.addressOnly &&= fromAddress;
    prev.cnameIndex = Math.min(prev.cnameIndex, cnameIndex);
    return;
  }
  map.set(k, {
    provider: m.provider,
    layer,
    service: m.service,
    region: m.region,
    evidence: [ev],
    atAddress: fromAddress,
    addressOnly: fromAddress,
    cnameIndex,
  });
}

function gather(obs: Observation, ctx: ClassifyContext): Map<string, Candidate> {
  const map = new Map<string, Candidate>();
  // The audited name itself can be a provider's host (foo.appspot.com, bar.azurewebsites.net).
  [obs.domain, ...obs.dns.cnames].forEach((target, i) => {
    // The audited name is asked once; CNAME targets (a CDN's shared hosts) come back.
    const m = i === 0 ? ctx.catalogue.matchHost('cname', target) : matchHost(ctx.catalogue, 'cname', target);
    // DNS steering (Traffic Manager, GTM) answers DNS only: classified as DNS (classify/steering.ts).
    if (m && m.layer !== 'dns') add(map, m, { signal: 'cname', value: target }, i - 1);
  });
  // The edge the chain ends at: addresses it answers with are its own, wherever they are announced.
  const chainEdge = [...map.values()]
    .filter((c) => c.layer === 'cdn')
    .sort((a, b) => b.cnameIndex - a.cnameIndex)[0];
  const headerMatches = obs.http ? ctx.catalogue.matchHeaders(obs.http.headers) : [];
  const strong = new Set(headerMatches.filter((m) => !m.weak).map((m) => m.provider));
  for (const m of headerMatches) {
    // A weak signal (generic server name) only adds weight to a provider something else showed.
    if (m.weak && !strong.has(m.provider) && ![...map.values()].some((c) => c.provider === m.provider))
      continue;
    add(map, m, { signal: m.signal, value: m.value }, Number.MAX_SAFE_INTEGER);
  }
  for (const addr of obs.dns.addresses) {
    // Declared own networks first; the name heuristic only for networks the catalogue does not know.
    if (addr.asn !== undefined && ctx.ownAsns.has(addr.asn)) continue;
    const found = matchAddress(ctx.catalogue, addr.ip, addr.asn);
    // A network known only for name servers or mail hosts says nothing about who serves the site.
    const m = found && (found.layer === 'cdn' || found.layer === 'cloud') ? found : null;
    if (m) {
      const ev: Evidence = m.signal === 'cidr' ? { signal: 'cidr', value: addr.ip } : asnEvidence(addr);
      add(map, m, ev, Number.MAX_SAFE_INTEGER);
    } else if (isOwnAddress(addr, ctx)) {
    } else if (addr.asn !== undefined && chainEdge) {
      // An edge cache inside an ISP's network (Akamai in a telco): the CNAME already named it.
      chainEdge.evidence.push(asnEvidence(addr));
      chainEdge.atAddress = true;
    } else if (addr.asn !== undefined) {
      // Hosting in a network the catalogue does not know: still a third party.
      add(
        map,
        { provider: `as${addr.asn}`, layer: 'cloud', signal: 'asn' },
        asnEvidence(addr),
        Number.MAX_SAFE_INTEGER,
      );
    }
  }
  return map;
}

/** An ASN-only "cloud" hit for a provider already known as the edge is the edge's own address. */
function foldEdgeAddresses(map: Map<string, Candidate>): void {
  for (const c of [...map.values()]) {
    if (c.layer !== 'cloud' || !c.addressOnly) continue;
    const edge = map.get(key(c.provider, 'cdn'));
    if (!edge) continue;
    edge.evidence.push(...c.evidence);
    edge.atAddress = true;
    map.delete(key(c.provider, 'cloud'));
  }
}

/** runsOn relations: a platform's hosting shows as `via`, or is added from the catalogue's data. */
function applyRelations(map: Map<string, Candidate>, ctx: ClassifyContext): void {
  for (const platform of [...map.values()]) {
    for (const rel of ctx.catalogue.runsOn(platform.provider)) {
      if (rel.from !== platform.layer || (rel.layer !== 'cdn' && rel.layer !== 'cloud')) continue;
      const relEvidence: Evidence = {
        signal: 'relation',
        value: `${platform.provider} runs on ${rel.provider}`,
      };
      const existing = map.get(key(rel.provider, rel.layer));
      if (existing) {
        existing.via ??= platform.provider;
        existing.evidence.push(relEvidence);
        continue;
      }
      map.set(key(rel.provider, rel.layer), {
        provider: rel.provider,
        layer: rel.layer,
        service: rel.service,
        evidence: [relEvidence],
        atAddress: false,
        addressOnly: false,
        cnameIndex: Number.MAX_SAFE_INTEGER,
        via: platform.provider,
      });
    }
  }
}

function toDependency(c: Candidate, order: number): Dependency {
  const dep: Dependency = { layer: c.layer, provider: c.provider, order, evidence: c.evidence };
  if (c.service) dep.service = c.service;
  if (c.region) dep.region = c.region;
  if (c.via) dep.via = c.via;
  return dep;
}

/**
 * Orders one layer: the front (address owners, and providers a platform of this layer runs on)
 * shares position 0 as alternatives; the rest follow in series. A platform whose own
 * addresses are announced by the provider it runs on (Shopify's range via Cloudflare) is
 * behind that provider, not beside it.
 */
function orderLayer(cands: Candidate[], ctx: ClassifyContext): Dependency[] {
  const fronts = new Set(cands.filter((c) => c.via && isRunsOnTarget(c, ctx)).map((c) => c.via!));
  const rank = (c: Candidate) => {
    if (fronts.has(c.provider)) return 1;
    return c.atAddress || (c.via && isRunsOnTarget(c, ctx)) ? 0 : 1;
  };
  const sorted = [...cands].sort(
    (a, b) => rank(a) - rank(b) || a.cnameIndex - b.cnameIndex || a.provider.localeCompare(b.provider),
  );
  const out: Dependency[] = [];
  let order = -1;
  let prevFront = false;
  for (const c of sorted) {
    const front = rank(c) === 0;
    if (!(front && prevFront)) order++;
    prevFront = front;
    out.push(toDependency(c, order));
  }
  return out;
}

/** A provider a platform of the same layer runs on sits in front of it (Cloudflare before Shopify). */
function isRunsOnTarget(c: Candidate, ctx: ClassifyContext): boolean {
  return ctx.catalogue.runsOn(c.via!).some((r) => r.provider === c.provider && r.layer === r.from);
}

export function classifyWeb(obs: Observation, ctx: ClassifyContext): Dependency[] {
  const map = gather(obs, ctx);
  foldEdgeAddresses(map);
  applyRelations(map, ctx);
  const all = [...map.values()];
  return [
    ...orderLayer(
      all.filter((c) => c.layer === 'cdn'),
      ctx,
    ),
    ...orderLayer(
      all.filter((c) => c.layer === 'cloud'),
      ctx,
    ),
  ];
}
