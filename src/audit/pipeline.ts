import type { Gate } from '../collect/dns/gate.js';
import type { WebProber } from '../collect/probe/index.js';
import type { RevocationLookup } from '../collect/revocation.js';
import type { DomainResult, ErrorInfo, Observation } from '../types.js';
import { type ConcludeContext, conclude, failedResult } from './conclude.js';
import { type DnsStageContext, delegationStage, resolveStage } from './dns-stage.js';
import { revocationStage, webStage } from './web-stage.js';

/** What one domain's stages have finished, for a result given before the last one ends. */
export interface Progress {
  stage: 'DNS' | 'provider DNS and vantages' | 'web probe' | 'revocation DNS';
  dns?: Observation['dns'];
}

/** The run's machinery each stage uses, built once by createAuditor. */
export interface Pipeline extends DnsStageContext {
  probeLimit: Gate;
  prober: WebProber | null;
  /** Levels of providers' DNS to follow (--depth); the revocation hosts are followed when > 0. */
  depth: number;
  revocation: RevocationLookup;
  conclude: ConcludeContext;
  /** --domain-timeout in ms; 0 = none. */
  domainTimeoutMs: number;
}

/** One domain through every stage: resolve, delegation and beyond, web probe, revocation, conclude. */
async function stages(domain: string, progress: Progress, p: Pipeline): Promise<DomainResult> {
  const dns = await resolveStage(domain, p);
  // observeBeyond sets whole fields (vantages, providerZones): a copy taken meanwhile is whole.
  progress.dns = dns;
  progress.stage = 'provider DNS and vantages';
  await delegationStage(domain, dns, p);
  progress.stage = 'web probe';
  const obs = await webStage(domain, dns, p.prober, p.probeLimit);
  if (p.depth > 0 && obs.tls) {
    progress.stage = 'revocation DNS';
    await revocationStage(obs.tls, dns, p.revocation, p.dnsLimit);
  }
  return conclude(p.conclude, domain, obs);
}

/**
 * Past the domain's time limit: what is finished, with TIMEOUT. The stages still running keep
 * their concurrency slots until their own bounds end them, so the limits on sockets hold.
 */
function lateResult(domain: string, progress: Progress, p: Pipeline): DomainResult {
  const late: ErrorInfo = {
    code: 'TIMEOUT',
    message: `not finished within --domain-timeout ${p.domainTimeoutMs} ms (${progress.stage} still running)`,
  };
  if (!progress.dns) {
    const failed = failedResult(domain, late);
    failed.observations.dns.status = 'TIMEOUT';
    return failed;
  }
  // A copy: the probe still running must not change a result already handed out.
  return conclude(p.conclude, domain, { domain, dns: structuredClone(progress.dns) }, late);
}

/** One domain's result within its time limit; a bug in its processing is its error, not the run's. */
export async function auditDomain(domain: string, p: Pipeline): Promise<DomainResult> {
  const progress: Progress = { stage: 'DNS' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = stages(domain, progress, p);
    if (p.domainTimeoutMs === 0) return await work;
    const late = new Promise<DomainResult>((resolve) => {
      timer = setTimeout(() => resolve(lateResult(domain, progress, p)), p.domainTimeoutMs);
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
