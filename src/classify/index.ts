import type { Catalogue } from '../catalogue/catalogue.js';
import { type Dependency, LAYERS, type Observation } from '../types.js';
import { judgeDelegation, resolverDigest } from './delegation.js';
import { type ClassifyContext, classifyHostSet, isOwnName, registrable } from './hosts.js';
import { classifyOutbound, classifyReports } from './mail-out.js';
import { classifySteering } from './steering.js';
import { unionVantages } from './vantage.js';
import { classifyWeb } from './web.js';

export type { ClassifyContext } from './hosts.js';

export interface ClassifyOptions {
  ownAsns?: Iterable<number>;
  ownDomains?: Iterable<string>;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'unknown'
  );
}

function classifyCa(obs: Observation, ctx: ClassifyContext): Dependency[] {
  const tls = obs.tls;
  if (!tls?.issuer) return [];
  const m = ctx.catalogue.matchIssuer(tls.issuer);
  if (m) {
    const dep: Dependency = {
      layer: 'ca',
      provider: m.provider,
      evidence: [{ signal: 'issuer', value: m.value }],
    };
    if (m.service) dep.service = m.service;
    return [dep];
  }
  const issuer = [tls.issuer.O && `O=${tls.issuer.O}`, tls.issuer.CN && `CN=${tls.issuer.CN}`]
    .filter(Boolean)
    .join(', ');
  const selfSigned = tls.subject && tls.subject.CN === tls.issuer.CN && tls.subject.O === tls.issuer.O;
  // A company's own issuing CA ("Halden Systems AS Issuing CA" for haldensystems.no) is self too.
  const own = isOwnName(tls.issuer.O ?? '', ctx) || isOwnName(tls.issuer.CN ?? '', ctx);
  const provider = selfSigned || own ? 'self' : slug(tls.issuer.O ?? tls.issuer.CN ?? 'unknown');
  return [{ layer: 'ca', provider, evidence: [{ signal: 'issuer', value: issuer.slice(0, 200) }] }];
}

function sortDependencies(deps: Dependency[]): Dependency[] {
  const layerIndex = (d: Dependency) => LAYERS.indexOf(d.layer);
  for (const d of deps) {
    d.order ??= 0;
    // Most dependencies have one piece of evidence: nothing to sort or merge (and no copy).
    if (d.evidence.length < 2) continue;
    d.evidence.sort((a, b) => a.signal.localeCompare(b.signal) || a.value.localeCompare(b.value));
    d.evidence = d.evidence.filter(
      (e, i, all) => i === 0 || e.signal !== all[i - 1]!.signal || e.value !== all[i - 1]!.value,
    );
  }
  return deps.sort(
    (a, b) =>
      layerIndex(a) - layerIndex(b) ||
      (a.direction ?? '').localeCompare(b.direction ?? '') ||
      a.order! - b.order! ||
      a.provider.localeCompare(b.provider),
  );
}

/**
 * runsOn relations outside the web layers (a CA issuing from another CA's hierarchy, a DNS
 * brand on another's name servers): the provider underneath is added in series, `via` the brand.
 */
function applyRelations(deps: Dependency[], ctx: ClassifyContext): Dependency[] {
  const out = [...deps];
  for (const d of deps) {
    if (d.layer === 'cdn' || d.layer === 'cloud' || d.provider === 'self' || d.direction === 'reports')
      continue;
    for (const rel of ctx.catalogue.runsOn(d.provider)) {
      if (rel.from !== d.layer) continue;
      const same = (x: Dependency) =>
        x.layer === rel.layer &&
        x.provider === rel.provider &&
        (rel.layer !== d.layer || x.direction === d.direction);
      if (out.some(same)) continue;
      const dep: Dependency = {
        layer: rel.layer,
        provider: rel.provider,
        via: d.provider,
        order: rel.layer === d.layer ? (d.order ?? 0) : 0,
        evidence: [{ signal: 'relation', value: `${d.provider} runs on ${rel.provider}` }],
      };
      if (rel.service) dep.service = rel.service;
      if (d.direction && rel.layer === d.layer) dep.direction = d.direction;
      // As on the web layers, the provider a brand runs on stands in front of it, in series.
      if (rel.layer === d.layer) d.order = (d.order ?? 0) + 1;
      out.push(dep);
    }
  }
  return out;
}

/**
 * The name servers that make the DNS layer: with direct checks, only those the parent delegates
 * to that answer authoritatively and in step (lame, undelegated, unreachable and out-of-sync ones
 * are findings, never an alternative); without checks, or when none passed, the resolver's view.
 */
export function dnsHosts(obs: Observation) {
  const j = judgeDelegation(obs.dns.delegation, resolverDigest(obs.dns.cnames, obs.dns.addresses));
  return j && j.usable.length > 0 ? j.usable : obs.dns.ns.hosts;
}

/** Observations to dependencies: pure, no I/O; the same observation always gives the same answer. */
export function classify(obs: Observation, catalogue: Catalogue, opts: ClassifyOptions = {}): Dependency[] {
  const ctx: ClassifyContext = {
    catalogue,
    site: registrable(obs.domain),
    ownAsns: new Set(opts.ownAsns ?? []),
    ownDomains: new Set(opts.ownDomains ?? []),
  };
  const deps = [
    ...classifyHostSet('ns', 'dns', dnsHosts(obs), ctx),
    ...unionVantages(classifyWeb(obs, ctx), obs, ctx),
    ...classifyCa(obs, ctx),
    ...classifyHostSet('mx', 'email', obs.dns.mx.hosts, ctx),
    ...classifyOutbound(obs, ctx),
    ...classifyReports(obs, ctx),
  ];
  const related = applyRelations(deps, ctx);
  const dnsOrders = related.filter((d) => d.layer === 'dns').map((d) => d.order ?? 0);
  const steering = classifySteering(obs, ctx, dnsOrders.length ? Math.max(...dnsOrders) : -1);
  return sortDependencies(steering.length ? [...related, ...steering] : related);
}
