import type { AsnDb } from '../asn/index.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { AutoConcurrencyStats, ConcurrencySetting } from '../collect/auto-concurrency.js';
import type { DnsClientStats } from '../collect/dns/client.js';
import type { ProbeThreadStats } from '../collect/probe/threads.js';
import { MAX_DEPTH } from '../collect/zones.js';
import { ConfigError } from '../errors.js';
import type { DomainResult, ResolverUse } from '../types.js';

export interface AuditOptions {
  /** Resolver specs "IP[:PORT]"; default: nameservers of /etc/resolv.conf, still through our client. */
  resolvers?: string[];
  timeoutMs?: number;
  retries?: number;
  /** DNS packets a second to each resolver (--qps); 0 or absent: no limit. */
  qps?: number;
  /**
   * Most a domain may take from start to result, all stages together (--domain-timeout; default
   * 60000, 0 = none). Past it the result carries what was finished and the error TIMEOUT.
   */
  domainTimeoutMs?: number;
  /** Domains in each network stage at once, or `auto`: found as it goes (collect/auto-concurrency.ts). */
  concurrency?: ConcurrencySetting;
  /**
   * With `concurrency: 'auto'`, retransmit a DNS query after a timeout learnt from the round trips
   * (TCP's RTO, within timeoutMs) rather than after timeoutMs itself (default true).
   */
  adaptiveTimeout?: boolean;
  /** false = DNS-only audit (no HTTP/TLS probes). */
  http?: boolean;
  /**
   * Worker threads for the HTTP/TLS probes (--probe-threads); 0 (the library default) probes in
   * the calling thread. The TLS handshakes then use other cores while this thread does DNS,
   * classification and output. Needs the built package (falls back to 0 when run from sources).
   */
  probeThreads?: number;
  /** curl-style HOST1:PORT1:HOST2:PORT2 rules for the HTTP/TLS probes. */
  connectTo?: string[];
  /** PEM files of extra trusted roots for certificate validation. */
  caFiles?: string[];
  /** User catalogue files adding or overriding providers. */
  catalogFiles?: string[];
  /** Folder of published address lists written by `update-data` (extra CIDR signals). */
  rangesDir?: string;
  /** AS numbers that are the organisation's own (not third-party). */
  ownAsns?: number[];
  /** Registrable domains that are the organisation's own (their hosts are `self`). */
  ownDomains?: string[];
  /** Probe addresses in private, loopback, link-local, CGNAT and metadata ranges (off by default). */
  allowPrivate?: boolean;
  /** Refuse resolvers and probe targets outside loopback (the test lab's safety net). */
  loopbackOnly?: boolean;
  /**
   * Other vantage points (--vantage): region presets ("eu", "na", ...), "all", client subnets
   * ("203.0.113.0/24") sent as EDNS Client Subnet, "resolvers" (each configured resolver).
   */
  vantages?: string[];
  /** Levels of providers' own DNS to follow for indirect dependencies (--depth); 0 = none. */
  depth?: number;
  /**
   * Direct checks of each zone's delegation and name servers (--dns-checks; the CLI's default is
   * on, the library's off): walk from the root, ask every name server without recursion.
   */
  dnsChecks?: boolean;
  /** Root hints file (BIND/Unbound format) for the checks' walk; default IANA's root servers. */
  rootHints?: string;
  /** Where the direct checks reach a server address (tests: a fake hierarchy on loopback ports). */
  directRoute?: (ip: string) => { host: string; port: number };
  /** Already-loaded catalogue / ASN db (tests, long-lived callers). null asnDb = no ASN data. */
  catalogue?: Catalogue;
  asnDb?: AsnDb | null;
  /** Called as each domain finishes (progress, streaming output). */
  onResult?: (result: DomainResult, done: number) => void;
  now?: () => Date;
}

/** Upper bound of --probe-threads. */
export const MAX_PROBE_THREADS = 64;

export const DEFAULTS = {
  timeoutMs: 3000,
  retries: 2,
  concurrency: 50,
  http: true,
  depth: 1,
  domainTimeoutMs: 60_000,
  probeThreads: 0,
} as const;

/** The DNS client's counters and the direct checks' (zones checked, questions and packets to name servers). */
export interface AuditStats extends DnsClientStats {
  zonesChecked: number;
  directQuestions: number;
  directSent: number;
  directTimeouts: number;
}

export interface Auditor {
  auditDomain(domain: string): Promise<DomainResult>;
  /** Parents of providers (linode -> akamai), for the portfolio analysis. */
  readonly parents: Record<string, string>;
  readonly catalogue: Catalogue;
  stats(): AuditStats;
  /** The resolvers asked so far, with how many of their questions were answered. */
  resolverUse(): ResolverUse[];
  /** Web probe threads started and the probes they answered; null when probes run in this thread. */
  probeStats(): ProbeThreadStats | null;
  /** Domains that may be in flight now (with --concurrency auto, the controller's window). */
  inFlightLimit(): number;
  /** The --concurrency auto controller's figures; null with a fixed concurrency. */
  concurrencyStats(): AutoConcurrencyStats | null;
  close(): Promise<void>;
}

export function checkDepth(depth: number): number {
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH)
    throw new ConfigError(`invalid depth ${depth}: expected an integer from 0 to ${MAX_DEPTH}`);
  return depth;
}

export function checkProbeThreads(probeThreads: number): number {
  if (!Number.isInteger(probeThreads) || probeThreads < 0 || probeThreads > MAX_PROBE_THREADS)
    throw new ConfigError(
      `invalid probe threads ${probeThreads}: expected an integer from 0 to ${MAX_PROBE_THREADS}`,
    );
  return probeThreads;
}

export function checkDomainTimeout(domainTimeoutMs: number): number {
  if (!Number.isInteger(domainTimeoutMs) || domainTimeoutMs < 0 || domainTimeoutMs > 3_600_000)
    throw new ConfigError(`invalid domain timeout ${domainTimeoutMs}: expected an integer from 0 to 3600000`);
  return domainTimeoutMs;
}
