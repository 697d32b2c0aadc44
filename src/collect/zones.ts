import { getDomain } from 'tldts';
import type { HostAddresses, ProviderZoneObservation, RecordType, Status } from '../types.js';
import type { DnsClient } from './dns/client.js';
import { recordsOf, resolveHost } from './dns/hosts.js';

// The name servers of the zones a domain's providers answer from (cloudfront.net,
// akamaiedge.net, awsdns-25.com): who a CDN or DNS provider itself depends on for DNS. Every
// domain behind one CDN shares these zones, so each is asked once per run.

/** Zones followed per domain, all depths together: bounds the fan-out of a long NS chain. */
export const MAX_ZONES_PER_DOMAIN = 16;
/** Name servers resolved per zone. */
export const MAX_ZONE_NS = 8;
/** Deepest --depth accepted. */
export const MAX_DEPTH = 3;

type ZoneNs = ProviderZoneObservation['ns'];

export interface ZoneLookupOptions {
  /** Adds ASN data to the name servers' addresses (vanity name servers are told by network). */
  annotate?: (hosts: HostAddresses[]) => HostAddresses[];
  /** Zones remembered per run (default 10000); past it a zone is asked again when needed. */
  maxEntries?: number;
}

/** One NS lookup per zone per run, shared by every domain (in-flight lookups joined). */
export class ZoneLookup {
  readonly #client: DnsClient;
  readonly #annotate: (hosts: HostAddresses[]) => HostAddresses[];
  readonly #maxEntries: number;
  readonly #known = new Map<string, Promise<ZoneNs>>();

  constructor(client: DnsClient, opts: ZoneLookupOptions = {}) {
    this.#client = client;
    this.#annotate = opts.annotate ?? ((h) => h);
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  lookup(zone: string): Promise<ZoneNs> {
    const known = this.#known.get(zone);
    if (known) return known;
    const pending = this.#ask(zone);
    if (this.#known.size < this.#maxEntries) this.#known.set(zone, pending);
    return pending;
  }

  async #ask(zone: string): Promise<ZoneNs> {
    const ask = (name: string, type: RecordType) => this.#client.query(name, type);
    const ns = await ask(zone, 'NS');
    const names = [...new Set(recordsOf(ns, 'NS').map((r) => r.data))]
      .filter((h) => h !== '.')
      .sort()
      .slice(0, MAX_ZONE_NS);
    const hosts = await Promise.all(names.map((h) => resolveHost(h, ask)));
    const status: Status = ns.status;
    return { status, hosts: this.#annotate(hosts) };
  }
}

/** The registrable domain of a host, the unit a provider's zone is counted in. */
export function zoneOf(host: string): string | null {
  return getDomain(host, { allowPrivateDomains: false }) ?? null;
}

/**
 * Breadth first from the zones of the domain's provider endpoints (`start`: CNAME targets a
 * provider owns, the domain's name servers) to `depth` levels of name-server zones. The site's
 * own zone is not a provider's and is never followed.
 */
export async function observeProviderZones(
  start: readonly string[],
  site: string,
  depth: number,
  lookup: ZoneLookup,
): Promise<ProviderZoneObservation[]> {
  const seen = new Set<string>([site]);
  const take = (hosts: Iterable<string>): string[] => {
    const out: string[] = [];
    for (const h of hosts) {
      const z = zoneOf(h);
      if (!z || seen.has(z) || seen.size > MAX_ZONES_PER_DOMAIN) continue;
      seen.add(z);
      out.push(z);
    }
    return out.sort();
  };
  const out: ProviderZoneObservation[] = [];
  let frontier = take(start);
  for (let level = 1; level <= depth && frontier.length > 0; level++) {
    const found = await Promise.all(frontier.map(async (zone) => ({ zone, ns: await lookup.lookup(zone) })));
    for (const f of found) out.push({ zone: f.zone, depth: level, ns: f.ns });
    frontier = take(found.flatMap((f) => f.ns.hosts.map((h) => h.host)));
  }
  return out;
}
