import { isIPv4 } from 'node:net';
import type { Catalogue } from '../catalogue/catalogue.js';
import { judgeDelegation, resolverDigest } from '../classify/delegation.js';
import { classifyHost, registrable } from '../classify/hosts.js';
import { dnsHosts } from '../classify/index.js';
import type { AddressInfo, Dependency, Finding, HostAddresses, Observation, Severity } from '../types.js';

// Findings of the DNS layer as its name servers see it (docs/dns-checks.md has the spec of each
// kind: when it fires, its severity, why, and what removes it). Lame, undelegated, unreachable
// and out-of-sync servers were already kept out of the DNS dependencies by classification; these
// findings say which ones and how they failed.

export type DraftFinding = Omit<Finding, 'message'>;

export interface DnsFindingOptions {
  ownAsns?: Iterable<number>;
  ownDomains?: Iterable<string>;
}

/** Most servers named in one finding's list. */
const MAX_LISTED = 16;

export function dnsFindings(
  obs: Observation,
  deps: readonly Dependency[],
  catalogue: Catalogue,
  opts: DnsFindingOptions = {},
): DraftFinding[] {
  const out: DraftFinding[] = [];
  const ctx = {
    catalogue,
    site: registrable(obs.domain),
    ownAsns: new Set(opts.ownAsns ?? []),
    ownDomains: new Set(opts.ownDomains ?? []),
  };
  const d = obs.dns.delegation;
  const j = judgeDelegation(d, resolverDigest(obs.dns.cnames, obs.dns.addresses));
  const dnsDeps = deps.filter((x) => x.layer === 'dns');
  const providers = [...new Set(dnsDeps.map((x) => x.provider))];
  if (d && j) {
    const zone = d.zone;
    const providerOf = (host: string): string => {
      const addresses: AddressInfo[] = d.servers
        .filter((s) => s.host === host)
        .map((s) => {
          const a: AddressInfo = { ip: s.ip, family: isIPv4(s.ip) ? 4 : 6 };
          if (s.asn !== undefined) a.asn = s.asn;
          if (s.asnOrg !== undefined) a.asnOrg = s.asnOrg;
          return a;
        });
      return classifyHost('ns', 'dns', { host, status: 'NOERROR', addresses }, ctx).provider;
    };
    // Lame and unreachable servers, per provider.
    const failing = new Map<string, string[]>();
    const working = new Set<string>();
    for (const js of j.servers) {
      const p = providerOf(js.server.host);
      if (js.state === 'ok') working.add(p);
      if (js.state !== 'lame' && js.state !== 'unreachable') continue;
      failing.set(p, [...(failing.get(p) ?? []), `${js.server.host} ${js.server.ip}: ${js.why}`]);
    }
    for (const [provider, servers] of [...failing].sort(([a], [b]) => byString(a, b)))
      out.push({
        kind: 'lame-delegation',
        severity: working.has(provider) ? 'medium' : 'high',
        layer: 'dns',
        provider,
        args: { zone, servers: servers.slice(0, MAX_LISTED) },
      });
    const behind = [...j.servers.filter((js) => js.state === 'out-of-sync'), ...j.answerDiffers];
    if (behind.length > 0) {
      const who = [...new Set(behind.map((js) => providerOf(js.server.host)))];
      const f: DraftFinding = {
        kind: 'ns-out-of-sync',
        severity: behind.some((js) => js.state === 'out-of-sync') ? 'medium' : 'low',
        layer: 'dns',
        args: {
          zone,
          servers: behind.map((js) => `${js.server.host} ${js.server.ip}: ${js.why}`).slice(0, MAX_LISTED),
          ...(j.serial !== undefined ? { serial: j.serial } : {}),
        },
      };
      if (who.length === 1) f.provider = who[0]!;
      out.push(f);
    }
    if (d.childNs.length > 0) {
      const parentOnly = d.parentNs.filter((h) => !d.childNs.includes(h));
      const childOnly = d.childNs.filter((h) => !d.parentNs.includes(h));
      if (parentOnly.length + childOnly.length > 0) {
        const both = new Set(d.parentNs.filter((h) => d.childNs.includes(h)).map(providerOf));
        const oneSided = [...parentOnly, ...childOnly].map(providerOf).filter((p) => !both.has(p));
        out.push({
          kind: 'delegation-mismatch',
          severity: oneSided.length > 0 ? 'medium' : 'low',
          layer: 'dns',
          args: { zone, parentOnly, childOnly, ...(oneSided.length ? { providers: unique(oneSided) } : {}) },
        });
      }
    }
    for (const n of d.names) {
      if (n.addresses.length > 0) continue;
      out.push({
        kind: 'ns-unresolvable',
        severity: n.registered === false ? 'high' : 'medium',
        layer: 'dns',
        provider: registrable(n.host),
        args: {
          host: n.host,
          status: n.status,
          registered: n.registered === undefined ? 'unknown' : n.registered ? 'yes' : 'no',
        },
      });
    }
    const counts = [d.parentNs.length, ...(d.childNs.length ? [d.childNs.length] : [])];
    if (Math.min(...counts) < 2)
      out.push({
        kind: 'ns-too-few',
        severity: 'medium',
        layer: 'dns',
        args: { zone, parent: d.parentNs.length, child: d.childNs.length },
      });
    const all = unique([...d.parentNs, ...d.childNs]);
    const tlds = unique(all.map((h) => h.slice(h.lastIndexOf('.') + 1)));
    // Names under the zone's own TLD add nothing: the zone fails with that TLD anyway.
    const ownTld = zone.slice(zone.lastIndexOf('.') + 1);
    if (all.length >= 2 && tlds.length === 1 && tlds[0] !== ownTld)
      out.push({ kind: 'ns-single-tld', severity: 'low', layer: 'dns', args: { zone, tld: tlds[0]! } });
  }
  const hosts = dnsHosts(obs);
  const network = sameNetwork(hosts);
  const selfOnly = providers.length === 1 && providers[0] === 'self';
  if (network) {
    const severity: Severity = network.scope === 'ip' || providers.length >= 2 ? 'medium' : 'low';
    if (
      (network.scope === 'ip' && hosts.length >= 2) ||
      (network.scope !== 'ip' && (selfOnly || providers.length >= 2))
    )
      out.push({
        kind: 'ns-same-network',
        severity,
        layer: 'dns',
        args: {
          scope: network.scope,
          network: network.value,
          servers: hosts.map((h) => h.host).slice(0, MAX_LISTED),
        },
      });
    if (selfOnly)
      out.push({
        kind: 'single-provider',
        severity: 'medium',
        layer: 'dns',
        provider: 'self',
        args: { network: network.scope, value: network.value },
      });
  }
  return out;
}

/**
 * The narrowest network every name server address shares: one IP, one prefix (IPv4 /24, IPv6
 * /48), one AS. Null when they are spread, or when nothing is known about them.
 */
export function sameNetwork(
  hosts: readonly HostAddresses[],
): { scope: 'ip' | 'prefix' | 'asn'; value: string } | null {
  const addresses = hosts.flatMap((h) => h.addresses);
  if (addresses.length === 0) return null;
  const ips = new Set(addresses.map((a) => a.ip));
  if (ips.size === 1) return { scope: 'ip', value: addresses[0]!.ip };
  const prefixes = new Set(addresses.map((a) => prefixOf(a.ip)));
  if (prefixes.size === 1) return { scope: 'prefix', value: [...prefixes][0]! };
  const asns = new Set(addresses.map((a) => a.asn));
  const asn = [...asns][0];
  if (asns.size === 1 && asn !== undefined) return { scope: 'asn', value: `AS${asn}` };
  return null;
}

function prefixOf(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const groups = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail.split(':');
  const full =
    tail === undefined
      ? groups
      : [...groups, ...Array(Math.max(0, 8 - groups.length - t.length)).fill('0'), ...t];
  return `${full
    .slice(0, 3)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/48`;
}

function unique(items: string[]): string[] {
  return [...new Set(items)].sort(byString);
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
