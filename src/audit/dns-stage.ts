import type { BeyondContext } from '../collect/beyond.js';
import { observeBeyond } from '../collect/beyond.js';
import type { DnsClient } from '../collect/dns/client.js';
import type { Gate } from '../collect/dns/gate.js';
import { observeDns } from '../collect/dns/observe.js';
import type { DnsObservation } from '../types.js';
import type { Annotator } from './annotate.js';
import type { Checker } from './checker.js';

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

export interface DnsStageContext {
  client: DnsClient;
  dnsLimit: Gate;
  annotator: Annotator;
  beyond: BeyondContext;
  checker: Checker | null;
}

/** The domain as the resolver sees it: CNAME chain, addresses, zone, NS and MX, with their ASNs. */
export async function resolveStage(domain: string, ctx: DnsStageContext): Promise<DnsObservation> {
  const { annotate, annotateHosts } = ctx.annotator;
  const dns = await ctx.dnsLimit(() => observeDns(domain, ctx.client));
  dns.addresses = dns.addresses.map(annotate);
  dns.ns.hosts = annotateHosts(dns.ns.hosts);
  dns.mx.hosts = annotateHosts(dns.mx.hosts);
  return dns;
}

/** What the resolver's view cannot show: other vantages, providers' zones, the zone's delegation. */
export async function delegationStage(
  domain: string,
  dns: DnsObservation,
  ctx: DnsStageContext,
): Promise<void> {
  const { checker } = ctx;
  const apex = dns.zone.apex;
  await ctx.dnsLimit(() =>
    Promise.all([
      observeBeyond(domain, dns, ctx.beyond),
      checker && apex
        ? checker.observe(domain, apex).then((d) => {
            dns.delegation = d;
          })
        : undefined,
    ]),
  );
}
