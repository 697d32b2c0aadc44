import { readFileSync } from 'node:fs';
import { dnsFindings } from './analyse/dns-checks.js';
import { domainRisks, sortFindings } from './analyse/domain.js';
import { mailFindings } from './analyse/mail-checks.js';
import { describeFinding } from './analyse/messages.js';
import { SummaryBuilder } from './analyse/portfolio.js';
import { plainHttpOnly, webFindings } from './analyse/web-checks.js';
import { type AsnDb, loadAsnDb } from './asn/index.js';
import type { Catalogue } from './catalogue/catalogue.js';
import { loadCatalogue } from './catalogue/load.js';
import { classify } from './classify/index.js';
import { classifyIndirect } from './classify/indirect.js';
import { matchHost } from './classify/memo.js';
import { isSteering } from './classify/steering.js';
import {
  AUTO_MAX,
  type AutoConcurrencyStats,
  type ConcurrencySetting,
  checkConcurrency,
  startAutoConcurrency,
} from './collect/auto-concurrency.js';
import { observeBeyond } from './collect/beyond.js';
import { parseConnectTo } from './collect/connect-to.js';
import { DnsClient, type DnsClientStats } from './collect/dns/client.js';
import { DelegationChecker } from './collect/dns/delegation.js';
import { DirectClient, type DirectStats } from './collect/dns/direct.js';
import { createGate } from './collect/dns/gate.js';
import { IANA_ROOT, readRootHints } from './collect/dns/hints.js';
import { DEADLINE_QUERIES, observeDns } from './collect/dns/observe.js';
import { isLoopback, parseResolver, readSystemResolvers } from './collect/dns/resolver-address.js';
import { createWebProber, type ProbeOptions, type WebProber } from './collect/probe/index.js';
import {
  createThreadedProber,
  type ProbeThreadStats,
  probeThreadsAvailable,
  type ThreadedProber,
} from './collect/probe/threads.js';
import { ResolverTally } from './collect/resolver-use.js';
import { observeRevocation, RevocationLookup } from './collect/revocation.js';
import { parseVantages } from './collect/vantage.js';
import { MAX_DEPTH, ZoneLookup } from './collect/zones.js';
import { ConfigError } from './errors.js';
import { isPublicAddress } from './net/private.js';
import { packageVersion } from './package-root.js';
import type {
  AddressInfo,
  AuditDocument,
  DomainResult,
  ErrorInfo,
  HostAddresses,
  MxHost,
  Observation,
  ResolverUse,
  Status,
} from './types.js';

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

function readCa(files: string[]): string[] {
  return files.map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read --ca-file ${f}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  });
}

export function parentsOf(catalogue: Catalogue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, spec] of catalogue.providers) if (spec.parent) out[id] = spec.parent;
  return out;
}

function pickAddress(addresses: AddressInfo[]): string | null {
  return (addresses.find((a) => a.family === 4) ?? addresses[0])?.ip ?? null;
}

const GOOD: ReadonlySet<Status> = new Set(['NOERROR', 'OK']);

/** The first stage that failed names the domain's error; later stages may still have facts. */
function domainError(obs: Observation): ErrorInfo | undefined {
  const dns = obs.dns;
  if (!GOOD.has(dns.status))
    return { code: dns.status, message: `DNS lookup of ${dns.finalName}: ${dns.status}` };
  // Plain HTTP only is a finding (no-https), not a failure: the site answered.
  const httpOnly = plainHttpOnly(obs);
  for (const [stage, o] of [
    ['HTTPS', httpOnly ? undefined : obs.tls],
    ['HTTP', obs.http],
  ] as const) {
    if (o && !GOOD.has(o.status))
      return { code: o.status, message: `${stage} probe: ${o.error?.message ?? o.status}`.slice(0, 300) };
  }
  return undefined;
}

/**
 * Packets a domain's DNS stage sends at most in the usual case (chain, A, AAAA, zone, NS, MX, and
 * the TXT of SPF and DMARC; a sender's include is shared by many domains and usually cached).
 */
const PACKETS_PER_DOMAIN = 14;

/**
 * Domains let into the DNS stage at once. Under `--qps` the wait for tokens counts against each
 * domain's deadline, so only as many enter as the rate can serve in half of it: queued behind
 * the others, a domain never runs out of time merely waiting its turn.
 */
export function dnsStageLimit(concurrency: number, qps: number | undefined, deadlineMs: number): number {
  if (!qps) return concurrency;
  const served = Math.floor((qps * deadlineMs) / 1000 / 2 / PACKETS_PER_DOMAIN);
  return Math.max(1, Math.min(concurrency, served));
}

/** Builds the per-run machinery once (client, prober, catalogue, ASN data) and audits domains with it. */
export async function createAuditor(opts: AuditOptions = {}): Promise<Auditor> {
  const specs = opts.resolvers?.length ? opts.resolvers : undefined;
  const resolvers = specs ? specs.map(parseResolver) : readSystemResolvers();
  if (!resolvers.length)
    throw new ConfigError('no resolver: give --resolver IP[:PORT] (none found in /etc/resolv.conf)');
  const vantages = parseVantages(opts.vantages ?? [], resolvers);
  const depth = opts.depth ?? DEFAULTS.depth;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH)
    throw new ConfigError(`invalid depth ${depth}: expected an integer from 0 to ${MAX_DEPTH}`);
  const connectTo = (opts.connectTo ?? []).map(parseConnectTo);
  const catalogue =
    opts.catalogue ?? loadCatalogue({ extraFiles: opts.catalogFiles, rangesDir: opts.rangesDir });
  const asnDb = opts.asnDb === undefined ? await loadAsnDb() : opts.asnDb;
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const concurrency = checkConcurrency(opts.concurrency ?? DEFAULTS.concurrency);
  const auto = concurrency === 'auto' ? startAutoConcurrency(timeoutMs, opts.adaptiveTimeout ?? true) : null;
  const client = new DnsClient({
    resolvers,
    timeoutMs,
    retries: opts.retries ?? DEFAULTS.retries,
    qps: opts.qps,
    loopbackOnly: opts.loopbackOnly,
    ...(auto ? { signals: auto } : {}),
  });
  const tally = new ResolverTally(resolvers, specs ? 'flag' : 'system');
  tally.watch(client);
  const probeThreads = opts.probeThreads ?? DEFAULTS.probeThreads;
  if (!Number.isInteger(probeThreads) || probeThreads < 0 || probeThreads > MAX_PROBE_THREADS)
    throw new ConfigError(
      `invalid probe threads ${probeThreads}: expected an integer from 0 to ${MAX_PROBE_THREADS}`,
    );
  let threaded: ThreadedProber | null = null;
  let prober: WebProber | null = null;
  if (opts.http ?? DEFAULTS.http) {
    const probeOptions: ProbeOptions = {
      timeoutMs,
      connectTo,
      ca: readCa(opts.caFiles ?? []),
      loopbackOnly: opts.loopbackOnly,
      allowPrivate: opts.allowPrivate,
    };
    if (probeThreads > 0 && probeThreadsAvailable()) {
      threaded = createThreadedProber(probeOptions, probeThreads);
      prober = threaded.probe;
    } else prober = createWebProber(probeOptions);
  }
  const parents = parentsOf(catalogue);
  // Each network stage has its own bound, so a library caller that fans out auditDomain()
  // without auditStream() still cannot open unbounded sockets.
  const dnsBound = dnsStageLimit(
    auto ? AUTO_MAX : (concurrency as number),
    opts.qps,
    DEADLINE_QUERIES * client.queryBudgetMs(),
  );
  auto?.cap(dnsBound);
  const inFlightLimit = auto ? () => auto.limit : () => concurrency as number;
  const dnsLimit = createGate(auto ? inFlightLimit : dnsBound);
  const probeLimit = createGate(auto ? inFlightLimit : (concurrency as number));
  if (auto) auto.busy = dnsLimit.full;
  // Literals rather than spreads: a spread followed by new properties gave each copy a map of
  // its own here (a fresh map in old space per address, and megamorphic reads downstream).
  const annotate = (a: AddressInfo): AddressInfo => {
    const info = asnDb?.lookup(a.ip);
    return info ? { ip: a.ip, family: a.family, asn: info.asn, asnOrg: info.org.slice(0, 100) } : a;
  };
  const annotateHosts = <T extends HostAddresses>(hosts: T[]): T[] =>
    hosts.map((h) => withAddresses(h, h.addresses.map(annotate)));
  const checker = dnsChecker(opts, timeoutMs, client, annotate);
  const beyond = {
    client,
    vantages,
    depth,
    zones: new ZoneLookup(client, { annotate: annotateHosts }),
    annotate,
    isProviderHost: (host: string) => matchHost(catalogue, 'cname', host) !== null,
  };
  const revocation = new RevocationLookup(client, beyond.zones, { annotate });

  /** The result of what was observed: dependencies, risks, indirect ones and the first error. */
  function conclude(domain: string, obs: Observation, late?: ErrorInfo): DomainResult {
    const own = { ownAsns: opts.ownAsns, ...(opts.ownDomains ? { ownDomains: opts.ownDomains } : {}) };
    const dependencies = classify(obs, catalogue, own);
    const result: DomainResult = {
      domain,
      observations: obs,
      dependencies,
      // A name that does not resolve serves nothing: its zone's facts are kept, but no
      // provider can "take it down", so it carries no risk and no blast radius.
      risks: GOOD.has(obs.dns.status) ? domainRisks(dependencies, { parents }) : [],
    };
    if (GOOD.has(obs.dns.status)) {
      // The delegation checks judge the zone's name servers; a steering step is not one of them.
      const zoneDns = dependencies.filter((d) => !isSteering(d));
      const more = [...dnsFindings(obs, zoneDns, catalogue, own), ...mailFindings(obs), ...webFindings(obs)];
      if (more.length > 0) {
        for (const f of more) result.risks.push({ ...f, message: describeFinding(f) });
        sortFindings(result.risks);
      }
    }
    const indirect = classifyIndirect(obs, catalogue, { ownAsns: opts.ownAsns, direct: dependencies });
    if (indirect.length > 0) result.indirect = indirect;
    const error = late ?? domainError(obs);
    if (error) result.error = error;
    return result;
  }

  /** What one domain's stages have finished, for a result given before the last one ends. */
  interface Progress {
    stage: 'DNS' | 'provider DNS and vantages' | 'web probe' | 'revocation DNS';
    dns?: Observation['dns'];
  }

  async function stages(domain: string, progress: Progress): Promise<DomainResult> {
    const dns = await dnsLimit(() => observeDns(domain, client));
    dns.addresses = dns.addresses.map(annotate);
    dns.ns.hosts = annotateHosts(dns.ns.hosts);
    dns.mx.hosts = annotateHosts(dns.mx.hosts);
    // observeBeyond sets whole fields (vantages, providerZones): a copy taken meanwhile is whole.
    progress.dns = dns;
    progress.stage = 'provider DNS and vantages';
    const apex = dns.zone.apex;
    await dnsLimit(() =>
      Promise.all([
        observeBeyond(domain, dns, beyond),
        checker && apex
          ? checker.observe(domain, apex).then((d) => {
              dns.delegation = d;
            })
          : undefined,
      ]),
    );
    progress.stage = 'web probe';
    const obs: Observation = { domain, dns };
    if (prober && GOOD.has(dns.status)) {
      const web = await probeLimit(() => prober(domain, pickAddress(dns.addresses)));
      obs.http = web.http;
      if (web.tls) obs.tls = web.tls;
    }
    // The CA's revocation hosts are its providers' providers: followed as --depth follows zones.
    if (depth > 0 && obs.tls) {
      progress.stage = 'revocation DNS';
      const tls = obs.tls;
      const hosts = await dnsLimit(() => observeRevocation(tls, revocation));
      if (hosts.length > 0) dns.revocationHosts = hosts;
    }
    return conclude(domain, obs);
  }

  const domainTimeoutMs = opts.domainTimeoutMs ?? DEFAULTS.domainTimeoutMs;
  if (!Number.isInteger(domainTimeoutMs) || domainTimeoutMs < 0 || domainTimeoutMs > 3_600_000)
    throw new ConfigError(`invalid domain timeout ${domainTimeoutMs}: expected an integer from 0 to 3600000`);

  /**
   * Past the domain's time limit: what is finished, with TIMEOUT. The stages still running keep
   * their concurrency slots until their own bounds end them, so the limits on sockets hold.
   */
  function lateResult(domain: string, progress: Progress): DomainResult {
    const late: ErrorInfo = {
      code: 'TIMEOUT',
      message: `not finished within --domain-timeout ${domainTimeoutMs} ms (${progress.stage} still running)`,
    };
    if (!progress.dns) {
      const failed = failedResult(domain, late);
      failed.observations.dns.status = 'TIMEOUT';
      return failed;
    }
    // A copy: the probe still running must not change a result already handed out.
    return conclude(domain, { domain, dns: structuredClone(progress.dns) }, late);
  }

  async function auditDomain(domain: string): Promise<DomainResult> {
    const progress: Progress = { stage: 'DNS' };
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = stages(domain, progress);
      if (domainTimeoutMs === 0) return await work;
      const late = new Promise<DomainResult>((resolve) => {
        timer = setTimeout(() => resolve(lateResult(domain, progress)), domainTimeoutMs);
      });
      // The losing stage may still fail later: nobody is waiting for it then.
      work.catch(() => {});
      return await Promise.race([work, late]);
    } catch (err) {
      // A bug in one domain's processing must not lose the others: record it and go on.
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return failedResult(domain, { code: 'ERROR', message });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    auditDomain,
    parents,
    catalogue,
    stats: () => {
      const direct = checker?.directStats();
      return {
        ...client.stats(),
        zonesChecked: checker?.zonesChecked ?? 0,
        directQuestions: direct?.questions ?? 0,
        directSent: direct?.sent ?? 0,
        directTimeouts: direct?.timeouts ?? 0,
      };
    },
    resolverUse: () => tally.list(),
    probeStats: () => threaded?.stats() ?? null,
    inFlightLimit,
    concurrencyStats: () => auto?.stats() ?? null,
    close: async () => {
      auto?.stop();
      await threaded?.close();
      await client.close();
      await checker?.close();
    },
  };
}

/**
 * The delegation checker of a run, or null when checks are off. With the loopback-only safety
 * net and a root outside loopback, nothing may be sent: the checks are skipped. Without
 * --root-hints only public addresses are asked (a delegation pointing into a private network is
 * not followed) unless --allow-private; a private root given by the user is asked as given.
 */
function dnsChecker(
  opts: AuditOptions,
  timeoutMs: number,
  client: DnsClient,
  annotate: (a: AddressInfo) => AddressInfo,
): (DelegationChecker & { close(): Promise<void>; directStats(): DirectStats }) | null {
  if (!(opts.dnsChecks ?? false)) return null;
  const root = opts.rootHints ? readRootHints(opts.rootHints) : IANA_ROOT;
  const rootIps = new Set(root.flatMap((s) => s.addresses));
  if (opts.loopbackOnly && ![...rootIps].some(isLoopback)) return null;
  // A root given by the user is asked as given; what it delegates to is not (glue pointing into a
  // private network or at a metadata address is not followed) unless --allow-private.
  const allow = opts.loopbackOnly
    ? isLoopback
    : opts.allowPrivate
      ? () => true
      : (ip: string) => rootIps.has(ip) || isPublicAddress(ip);
  const direct = new DirectClient({
    timeoutMs,
    retries: 1,
    qps: opts.qps,
    allow,
    ...(opts.directRoute ? { route: opts.directRoute } : {}),
  });
  const checker = new DelegationChecker({
    direct,
    ask: (name, type, shared) => client.query(name, type, shared ? { shared: true } : {}),
    root,
    annotate,
  });
  return Object.assign(checker, { close: () => direct.close(), directStats: () => direct.stats() });
}

/** A name server, or a mail host with its priority, with other addresses (same keys, same order). */
function withAddresses<T extends HostAddresses>(h: T, addresses: AddressInfo[]): T {
  const priority = (h as Partial<MxHost>).priority;
  return (
    priority === undefined
      ? { host: h.host, status: h.status, addresses }
      : { host: h.host, status: h.status, addresses, priority }
  ) as T;
}

/** A domain with nothing observed and why (messages cut to 300 characters). */
export function failedResult(domain: string, error: ErrorInfo): DomainResult {
  return {
    domain,
    error: { code: error.code, message: error.message.slice(0, 300) },
    observations: emptyObservation(domain),
    dependencies: [],
    risks: [],
  };
}

export function emptyObservation(domain: string): Observation {
  return {
    domain,
    dns: {
      status: 'ERROR',
      cnames: [],
      finalName: domain,
      addresses: [],
      zone: { apex: null, source: 'none' },
      ns: { status: 'ERROR', hosts: [] },
      mailDomain: domain,
      mx: { status: 'ERROR', hosts: [] },
      queries: 0,
    },
  };
}

export function documentOptions(opts: AuditOptions): Record<string, unknown> {
  return {
    resolvers: opts.resolvers ?? [],
    timeoutMs: opts.timeoutMs ?? DEFAULTS.timeoutMs,
    retries: opts.retries ?? DEFAULTS.retries,
    concurrency: opts.concurrency ?? DEFAULTS.concurrency,
    http: opts.http ?? DEFAULTS.http,
    connectTo: opts.connectTo ?? [],
    catalogFiles: opts.catalogFiles ?? [],
    ownAsns: opts.ownAsns ?? [],
    ...(opts.ownDomains?.length ? { ownDomains: opts.ownDomains } : {}),
    ...(opts.vantages?.length ? { vantages: opts.vantages } : {}),
    ...(opts.depth !== undefined && opts.depth !== DEFAULTS.depth ? { depth: opts.depth } : {}),
    ...(opts.dnsChecks ? { dnsChecks: true } : {}),
    ...(opts.rootHints ? { rootHints: opts.rootHints } : {}),
    ...(opts.domainTimeoutMs !== undefined && opts.domainTimeoutMs !== DEFAULTS.domainTimeoutMs
      ? { domainTimeoutMs: opts.domainTimeoutMs }
      : {}),
  };
}

/**
 * Audits domains as they come (a file read line by line, a generator) with at most
 * 2 × `concurrency` in flight (each network stage bounded by the auditor's own), and yields
 * each result as it finishes — so a run of a million domains holds only the ones in flight.
 * Input is pulled only while there is room.
 */
export async function* auditStream(
  domains: Iterable<string> | AsyncIterable<string>,
  auditor: Auditor,
  concurrency: ConcurrencySetting = DEFAULTS.concurrency,
): AsyncGenerator<DomainResult> {
  const bound = concurrency === 'auto' ? () => auditor.inFlightLimit() : () => concurrency;
  const source = (Symbol.asyncIterator in domains ? domains : toAsync(domains))[Symbol.asyncIterator]();
  // Finished results wait in a queue in the order they finished; one waiter is woken per finish
  // (a Promise.race over every domain in flight cost O(concurrency) per result).
  let finished: DomainResult[] = [];
  let head = 0;
  let failure: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  let inFlight = 0;
  let exhausted = false;
  let pulling = false;
  const wakeUp = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onResult = (result: DomainResult): void => {
    inFlight--;
    finished.push(result);
    wakeUp();
    pull();
  };
  const onError = (err: unknown): void => {
    inFlight--;
    failure ??= { err };
    wakeUp();
  };
  // Input is pulled in the background, one line at a time while there is room: a finished result
  // never waits for the next line (a source fed by the consumer, such as `audit --jobs` feeding
  // a child over a pipe, would otherwise wait for results held back by the wait itself). Twice
  // the stage bound in flight: while some domains wait on DNS, others fill every probe slot (each
  // stage still has its own `concurrency` gate in auditDomain).
  let stopped = false;
  // Results not yet taken count against the bound too: a slow consumer holds back the input.
  const pull = (): void => {
    if (pulling || exhausted || failure || stopped || inFlight + finished.length - head >= 2 * bound())
      return;
    pulling = true;
    source.next().then(
      (next) => {
        pulling = false;
        if (next.done) exhausted = true;
        else {
          inFlight++;
          auditor.auditDomain(next.value).then(onResult, onError);
        }
        wakeUp();
        pull();
      },
      (err: unknown) => {
        pulling = false;
        failure ??= { err };
        wakeUp();
      },
    );
  };
  try {
    while (true) {
      pull();
      while (head === finished.length) {
        if (failure) throw failure.err;
        if (exhausted && inFlight === 0) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const result = finished[head]!;
      finished[head++] = undefined as unknown as DomainResult;
      if (head === finished.length) {
        finished = [];
        head = 0;
      }
      yield result;
    }
  } finally {
    // The consumer stopped (break, error) or all is done: read no further.
    stopped = true;
    if (!exhausted) void source.return?.(undefined)?.catch(() => {});
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** Audits every domain (bounded concurrency) and returns the sorted document. */
export async function audit(domains: Iterable<string>, opts: AuditOptions = {}): Promise<AuditDocument> {
  const auditor = await createAuditor(opts);
  const results: DomainResult[] = [];
  try {
    for await (const r of auditStream(new Set(domains), auditor, opts.concurrency)) {
      results.push(r);
      opts.onResult?.(r, results.length);
    }
  } finally {
    await auditor.close();
  }
  return buildDocument(results, opts, auditor.parents, auditor.resolverUse());
}

export function buildDocument(
  results: DomainResult[],
  opts: AuditOptions,
  parents: Record<string, string>,
  resolvers?: ResolverUse[],
): AuditDocument {
  const sorted = [...results].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  const summary = new SummaryBuilder({ parents });
  for (const r of sorted) summary.add(r);
  return { ...documentHead(opts, resolvers), domains: sorted, summary: summary.finish() };
}

/** What a document says before its domains: schema, tool, time, options, resolvers used. */
export function documentHead(
  opts: AuditOptions,
  resolvers?: ResolverUse[],
): Pick<AuditDocument, 'schema' | 'tool' | 'generatedAt' | 'options' | 'resolvers'> {
  const head: Pick<AuditDocument, 'schema' | 'tool' | 'generatedAt' | 'options' | 'resolvers'> = {
    schema: 1,
    tool: { name: 'singlepath', version: packageVersion() },
    generatedAt: (opts.now?.() ?? new Date()).toISOString(),
    options: documentOptions(opts),
  };
  if (resolvers) head.resolvers = resolvers;
  return head;
}
