import { domainRisks } from '../../src/analyse/domain.js';
import { summarise } from '../../src/analyse/portfolio.js';
import type { AuditDocument, Dependency, DomainResult, ErrorInfo, Layer } from '../../src/types.js';

// Hand-built domain results that look like what `audit` writes: dependencies from tuples, risks
// from the real analysis, a resolved (or, with an error, SERVFAIL) DNS observation.

export type Dep = [Layer, string, Partial<Dependency>?];

export function result(domain: string, deps: Dep[], error?: ErrorInfo): DomainResult {
  const dependencies: Dependency[] = deps.map(([layer, provider, extra]) => ({
    layer,
    provider,
    ...extra,
    evidence: [{ signal: 'ns', value: `${provider}.test` }],
  }));
  const r: DomainResult = {
    domain,
    observations: {
      domain,
      dns: {
        status: error ? 'SERVFAIL' : 'NOERROR',
        cnames: [],
        finalName: domain,
        addresses: [],
        zone: { apex: domain, source: 'soa' },
        ns: { status: 'NOERROR', hosts: [] },
        mailDomain: domain,
        mx: { status: 'NOERROR', hosts: [] },
        queries: 4,
      },
    },
    dependencies,
    risks: domainRisks(dependencies),
  };
  if (error) r.error = error;
  return r;
}

/**
 * Results in domain order without what differs between two runs of the same audit: durations,
 * the DNS query count (cache sharing depends on timing) and the HTTP date header.
 */
export function withoutTimings(rs: DomainResult[]): DomainResult[] {
  return [...rs]
    .sort((a, b) => (a.domain < b.domain ? -1 : 1))
    .map((x) => {
      const o = x.observations;
      return {
        ...x,
        observations: {
          ...o,
          dns: { ...o.dns, queries: 0, durationMs: 0 },
          ...(o.http ? { http: { ...o.http, durationMs: 0, headers: { ...o.http.headers, date: [] } } } : {}),
          ...(o.tls ? { tls: { ...o.tls, durationMs: 0 } } : {}),
        },
      };
    });
}

/** A snapshot of hand-built results, its summary from the real analysis (as `audit` writes it). */
export function snapshotDoc(
  results: DomainResult[],
  generatedAt = '2026-01-15T09:30:00.000Z',
): AuditDocument {
  return {
    schema: 1,
    tool: { name: 'singlepath', version: '0.1.0' },
    generatedAt,
    options: {},
    domains: results,
    summary: summarise(results),
  };
}
