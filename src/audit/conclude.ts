import { dnsFindings } from '../analyse/dns-checks.js';
import { domainRisks, sortFindings } from '../analyse/domain.js';
import { mailFindings } from '../analyse/mail-checks.js';
import { describeFinding } from '../analyse/messages.js';
import { plainHttpOnly, webFindings } from '../analyse/web-checks.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { classify } from '../classify/index.js';
import { classifyIndirect } from '../classify/indirect.js';
import { isSteering } from '../classify/steering.js';
import type { DomainResult, ErrorInfo, Observation, Status } from '../types.js';
import type { AuditOptions } from './options.js';

// The stages after collection: classify what was observed, then analyse it into risks.

export const GOOD: ReadonlySet<Status> = new Set(['NOERROR', 'OK']);

export interface ConcludeContext {
  catalogue: Catalogue;
  parents: Record<string, string>;
  opts: Pick<AuditOptions, 'ownAsns' | 'ownDomains'>;
}

/** The result of what was observed: dependencies, risks, indirect ones and the first error. */
export function conclude(
  ctx: ConcludeContext,
  domain: string,
  obs: Observation,
  late?: ErrorInfo,
): DomainResult {
  const { catalogue, parents, opts } = ctx;
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
