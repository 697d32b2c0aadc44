import { readFileSync } from 'node:fs';
import type { ConnectToRule } from '../collect/connect-to.js';
import type { Gate } from '../collect/dns/gate.js';
import { createWebProber, type ProbeOptions, type WebProber } from '../collect/probe/index.js';
import {
  createThreadedProber,
  probeThreadsAvailable,
  type ThreadedProber,
} from '../collect/probe/threads.js';
import { observeRevocation, type RevocationLookup } from '../collect/revocation.js';
import { ConfigError } from '../errors.js';
import type { AddressInfo, DnsObservation, Observation, TlsObservation } from '../types.js';
import { GOOD } from './conclude.js';
import { type AuditOptions, DEFAULTS } from './options.js';

export interface Probers {
  prober: WebProber | null;
  /** The worker threads behind `prober`, when it runs in them. */
  threaded: ThreadedProber | null;
}

/** The run's HTTP/TLS prober (none for a DNS-only audit), in worker threads when asked and built. */
export function createProbers(
  opts: AuditOptions,
  timeoutMs: number,
  connectTo: ConnectToRule[],
  probeThreads: number,
): Probers {
  if (!(opts.http ?? DEFAULTS.http)) return { prober: null, threaded: null };
  const probeOptions: ProbeOptions = {
    timeoutMs,
    connectTo,
    ca: readCa(opts.caFiles ?? []),
    loopbackOnly: opts.loopbackOnly,
    allowPrivate: opts.allowPrivate,
  };
  if (probeThreads > 0 && probeThreadsAvailable()) {
    const threaded = createThreadedProber(probeOptions, probeThreads);
    return { prober: threaded.probe, threaded };
  }
  return { prober: createWebProber(probeOptions), threaded: null };
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

function pickAddress(addresses: AddressInfo[]): string | null {
  return (addresses.find((a) => a.family === 4) ?? addresses[0])?.ip ?? null;
}

/** The observation with the HTTP and TLS probes of a name that resolved. */
export async function webStage(
  domain: string,
  dns: DnsObservation,
  prober: WebProber | null,
  probeLimit: Gate,
): Promise<Observation> {
  const obs: Observation = { domain, dns };
  if (prober && GOOD.has(dns.status)) {
    const web = await probeLimit(() => prober(domain, pickAddress(dns.addresses)));
    obs.http = web.http;
    if (web.tls) obs.tls = web.tls;
  }
  return obs;
}

/** The CA's revocation hosts are its providers' providers: followed as --depth follows zones. */
export async function revocationStage(
  tls: TlsObservation,
  dns: DnsObservation,
  revocation: RevocationLookup,
  dnsLimit: Gate,
): Promise<void> {
  const hosts = await dnsLimit(() => observeRevocation(tls, revocation));
  if (hosts.length > 0) dns.revocationHosts = hosts;
}
