import type { AddressInfo, DnsObservation } from '../types.js';
import type { DnsClient } from './dns/client.js';
import { observeVantage, type Vantage } from './vantage.js';
import { observeProviderZones, type ZoneLookup, zoneOf } from './zones.js';

// What the main DNS observation cannot see from where it stands: the same name from other
// vantage points, and the DNS of the zones the domain's providers answer from.

export interface BeyondContext {
  client: DnsClient;
  vantages: readonly Vantage[];
  /** Levels of provider zones to follow; 0 = none. */
  depth: number;
  zones: ZoneLookup;
  annotate: (a: AddressInfo) => AddressInfo;
  /** Whether a CNAME target is a provider's endpoint (the catalogue knows its suffix). */
  isProviderHost: (host: string) => boolean;
}

/** Adds `vantages` and `providerZones` to an observation (only when there is something to add). */
export async function observeBeyond(domain: string, dns: DnsObservation, ctx: BeyondContext): Promise<void> {
  if (ctx.vantages.length > 0) {
    const seen = await Promise.all(ctx.vantages.map((v) => observeVantage(domain, v, ctx.client)));
    dns.vantages = seen.map((v) => ({ ...v, addresses: v.addresses.map(ctx.annotate) }));
  }
  if (ctx.depth <= 0) return;
  const targets = [...dns.cnames, ...(dns.vantages ?? []).flatMap((v) => v.cnames)].filter(
    ctx.isProviderHost,
  );
  const start = [...targets, ...dns.ns.hosts.map((h) => h.host)];
  const site = zoneOf(domain) ?? domain;
  const zones = await observeProviderZones(start, site, ctx.depth, ctx.zones);
  if (zones.length > 0) dns.providerZones = zones;
}
