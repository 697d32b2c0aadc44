import { isIP } from 'node:net';
import type { AddressInfo, RevocationHostObservation, TlsObservation } from '../types.js';
import type { DnsClient } from './dns/client.js';
import { addressBranch } from './dns/observe.js';
import { type ZoneLookup, zoneOf } from './zones.js';

// The CA's revocation service as DNS sees it: the hosts of the OCSP responder (or of the CRLs,
// when the certificate names no responder) resolved like any host, so that their CDN and DNS
// providers become the CA's own dependencies. Only resolved: an OCSP or CRL URL is never fetched.
// Every certificate of one CA names the same few hosts, so each is resolved once per run.

/** Revocation hosts followed per certificate. */
export const MAX_REVOCATION_HOSTS = 4;
const MAX_CNAMES = 8;

export interface RevocationTarget {
  host: string;
  kind: 'ocsp' | 'crl';
}

function hostOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    const host = u.hostname.toLowerCase().replace(/\.$/, '');
    return host && !isIP(host.replace(/^\[|\]$/g, '')) ? host : null;
  } catch {
    return null;
  }
}

/**
 * The hosts a client would ask about this certificate: its OCSP responders, or its CRL hosts when
 * it names no responder (a CRL-only CA: said so by `kind`, not guessed). None when the server
 * stapled a response: the client need not ask anyone.
 */
export function revocationTargets(tls: TlsObservation | undefined): RevocationTarget[] {
  const r = tls?.revocation;
  if (!r || r.stapled) return [];
  const kind = r.ocsp.length > 0 ? 'ocsp' : 'crl';
  const hosts = new Set<string>();
  for (const url of kind === 'ocsp' ? r.ocsp : r.crl) {
    const h = hostOf(url);
    if (h) hosts.add(h);
    if (hosts.size >= MAX_REVOCATION_HOSTS) break;
  }
  return [...hosts].sort().map((host) => ({ host, kind }));
}

export interface RevocationLookupOptions {
  annotate?: (a: AddressInfo) => AddressInfo;
  /** Hosts remembered per run (default 10000). */
  maxEntries?: number;
}

/** One resolution per revocation host per run, shared by every domain (in-flight ones joined). */
export class RevocationLookup {
  readonly #client: DnsClient;
  readonly #zones: ZoneLookup;
  readonly #annotate: (a: AddressInfo) => AddressInfo;
  readonly #maxEntries: number;
  readonly #known = new Map<string, Promise<RevocationHostObservation>>();

  constructor(client: DnsClient, zones: ZoneLookup, opts: RevocationLookupOptions = {}) {
    this.#client = client;
    this.#zones = zones;
    this.#annotate = opts.annotate ?? ((a) => a);
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  lookup(target: RevocationTarget): Promise<RevocationHostObservation> {
    const key = `${target.kind} ${target.host}`;
    const known = this.#known.get(key);
    if (known) return known;
    const pending = this.#ask(target);
    if (this.#known.size < this.#maxEntries) this.#known.set(key, pending);
    return pending;
  }

  async #ask({ host, kind }: RevocationTarget): Promise<RevocationHostObservation> {
    const zone = zoneOf(host) ?? host;
    const [branch, ns] = await Promise.all([
      addressBranch(host, (name, type) => this.#client.query(name, type), MAX_CNAMES),
      this.#zones.lookup(zone),
    ]);
    return {
      host,
      kind,
      status: branch.status,
      cnames: branch.cnames,
      addresses: branch.addresses.map(this.#annotate),
      zone,
      ns,
    };
  }
}

/** The revocation hosts of a TLS observation, resolved (empty when stapled or none named). */
export function observeRevocation(
  tls: TlsObservation | undefined,
  lookup: RevocationLookup,
): Promise<RevocationHostObservation[]> {
  return Promise.all(revocationTargets(tls).map((t) => lookup.lookup(t)));
}
