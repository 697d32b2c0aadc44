import { SummaryBuilder } from './analyse/portfolio.js';
import { loadAsnDb } from './asn/index.js';
import { createAnnotator } from './audit/annotate.js';
import { dnsChecker } from './audit/checker.js';
import { dnsStageLimit } from './audit/dns-stage.js';
import {
  type AuditOptions,
  type Auditor,
  checkDepth,
  checkDomainTimeout,
  checkProbeThreads,
  DEFAULTS,
} from './audit/options.js';
import { auditDomain, type Pipeline } from './audit/pipeline.js';
import { createProbers } from './audit/web-stage.js';
import type { Catalogue } from './catalogue/catalogue.js';
import { loadCatalogue } from './catalogue/load.js';
import { matchHost } from './classify/memo.js';
import {
  AUTO_MAX,
  type ConcurrencySetting,
  checkConcurrency,
  startAutoConcurrency,
} from './collect/auto-concurrency.js';
import { parseConnectTo } from './collect/connect-to.js';
import { DnsClient } from './collect/dns/client.js';
import { createGate } from './collect/dns/gate.js';
import { DEADLINE_QUERIES } from './collect/dns/observe.js';
import { parseResolver, readSystemResolvers } from './collect/dns/resolver-address.js';
import { ResolverTally } from './collect/resolver-use.js';
import { RevocationLookup } from './collect/revocation.js';
import { parseVantages } from './collect/vantage.js';
import { ZoneLookup } from './collect/zones.js';
import { ConfigError } from './errors.js';
import { packageVersion } from './package-root.js';
import type { AuditDocument, DomainResult, ResolverUse } from './types.js';

export { emptyObservation, failedResult } from './audit/conclude.js';
export { dnsStageLimit } from './audit/dns-stage.js';
export {
  type AuditOptions,
  type Auditor,
  type AuditStats,
  DEFAULTS,
  MAX_PROBE_THREADS,
} from './audit/options.js';

export function parentsOf(catalogue: Catalogue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, spec] of catalogue.providers) if (spec.parent) out[id] = spec.parent;
  return out;
}

/** Builds the per-run machinery once (client, prober, catalogue, ASN data) and audits domains with it. */
export async function createAuditor(opts: AuditOptions = {}): Promise<Auditor> {
  const specs = opts.resolvers?.length ? opts.resolvers : undefined;
  const resolvers = specs ? specs.map(parseResolver) : readSystemResolvers();
  if (!resolvers.length)
    throw new ConfigError('no resolver: give --resolver IP[:PORT] (none found in /etc/resolv.conf)');
  const vantages = parseVantages(opts.vantages ?? [], resolvers);
  const depth = checkDepth(opts.depth ?? DEFAULTS.depth);
  const domainTimeoutMs = checkDomainTimeout(opts.domainTimeoutMs ?? DEFAULTS.domainTimeoutMs);
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
  const probeThreads = checkProbeThreads(opts.probeThreads ?? DEFAULTS.probeThreads);
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
  const annotator = createAnnotator(asnDb);
  const { annotate, annotateHosts } = annotator;
  const checker = dnsChecker(opts, timeoutMs, client, annotate);
  const zones = new ZoneLookup(client, { annotate: annotateHosts });
  const beyond = {
    client,
    vantages,
    depth,
    zones,
    annotate,
    isProviderHost: (host: string) => matchHost(catalogue, 'cname', host) !== null,
  };
  // Probe threads last: whatever above throws (a bad option, an unreadable root hints file)
  // leaves no thread running behind the error.
  const { prober, threaded } = createProbers(opts, timeoutMs, connectTo, probeThreads);
  const pipeline: Pipeline = {
    client,
    dnsLimit,
    annotator,
    beyond,
    checker,
    probeLimit,
    prober,
    depth,
    revocation: new RevocationLookup(client, zones, { annotate }),
    conclude: { catalogue, parents, opts },
    domainTimeoutMs,
  };

  return {
    auditDomain: (domain) => auditDomain(domain, pipeline),
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
