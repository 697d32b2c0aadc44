import { getDomain } from 'tldts';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { AddressInfo, Dependency, Evidence, HostAddresses, Layer } from '../types.js';
import { matchAddress, matchHost } from './memo.js';

// Name servers and MX hosts are classified the same way: the host name first, then — for
// vanity or white-label hosts — the network their addresses are in, then "self" or the
// unknown operator's registrable domain.

export interface ClassifyContext {
  catalogue: Catalogue;
  /** The audited domain's registrable domain (example.com for www.example.com). */
  site: string;
  /** AS numbers the user declared as the organisation's own (--own-asn). */
  ownAsns: ReadonlySet<number>;
  /** Registrable domains the user declared as the organisation's own (--own-domain, config ownDomains). */
  ownDomains?: ReadonlySet<string>;
}

const REGISTRABLE_MEMO = 16_384;
const registrables = new Map<string, string>();

/** Remembered (bounded): the same name servers and mail hosts come back for domain after domain. */
export function registrable(host: string): string {
  let found = registrables.get(host);
  if (found === undefined) {
    found = getDomain(host, { allowPrivateDomains: false }) ?? host;
    if (registrables.size >= REGISTRABLE_MEMO) registrables.clear();
    registrables.set(host, found);
  }
  return found;
}

export function asnEvidence(addr: AddressInfo, host?: string): Evidence {
  const org = addr.asnOrg ? ` ${addr.asnOrg}` : '';
  return { signal: 'asn', value: `AS${addr.asn}${org} (${addr.ip}${host ? ` of ${host}` : ''})` };
}

/**
 * Is this organisation name the site's own? The site's label (4+ characters) must be one word of
 * the name, or consecutive words run together: "Example Networks" and "Halden Systems AS" are
 * example.com's and haldensystems.no's, but "Cloudflare, Inc." is not cloud.com's.
 */
export function isOwnName(name: string, ctx: ClassifyContext): boolean {
  const label = (ctx.site.split('.')[0] ?? '').replace(/-/g, '');
  if (label.length < 4) return false;
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    for (let j = i; j < words.length && joined.length < label.length; j++) {
      joined += words[j];
      if (joined === label) return true;
    }
  }
  return false;
}

/** Is this address the organisation's own network? Declared ASNs, or an AS named after the site. */
export function isOwnAddress(addr: AddressInfo, ctx: ClassifyContext): boolean {
  if (addr.asn === undefined) return false;
  return ctx.ownAsns.has(addr.asn) || isOwnName(addr.asnOrg ?? '', ctx);
}

type HostKind = 'ns' | 'mx';

export function classifyHost(
  kind: HostKind,
  layer: Layer,
  h: HostAddresses,
  ctx: ClassifyContext,
): Dependency {
  const byName = matchHost(ctx.catalogue, kind, h.host);
  if (byName) {
    const dep: Dependency = { layer, provider: byName.provider, evidence: [{ signal: kind, value: h.host }] };
    if (byName.service) dep.service = byName.service;
    if (byName.region) dep.region = byName.region;
    return dep;
  }
  for (const addr of h.addresses) {
    if (addr.asn !== undefined && ctx.ownAsns.has(addr.asn)) continue;
    const byAddr = matchAddress(ctx.catalogue, addr.ip, addr.asn);
    if (byAddr) {
      const evidence: Evidence =
        byAddr.signal === 'cidr'
          ? { signal: 'cidr', value: `${addr.ip} of ${h.host}` }
          : asnEvidence(addr, h.host);
      return { layer, provider: byAddr.provider, evidence: [{ signal: kind, value: h.host }, evidence] };
    }
  }
  const owner = registrable(h.host);
  const own =
    owner === ctx.site ||
    ctx.ownDomains?.has(owner) === true ||
    h.addresses.some((a) => isOwnAddress(a, ctx));
  return { layer, provider: own ? 'self' : owner, evidence: [{ signal: kind, value: h.host }] };
}

/** Several hosts (NS set, MX set) are alternatives: one dependency per provider, evidence merged. */
export function classifyHostSet(
  kind: HostKind,
  layer: Layer,
  hosts: HostAddresses[],
  ctx: ClassifyContext,
): Dependency[] {
  const byProvider = new Map<string, Dependency>();
  for (const h of hosts) {
    const dep = classifyHost(kind, layer, h, ctx);
    const prev = byProvider.get(dep.provider);
    if (prev) prev.evidence.push(...dep.evidence);
    else byProvider.set(dep.provider, dep);
  }
  return [...byProvider.values()];
}
