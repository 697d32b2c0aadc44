import { domainRisks } from '../../src/analyse/domain.js';
import type { Dependency, DomainResult, ErrorInfo, Layer } from '../../src/types.js';

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
