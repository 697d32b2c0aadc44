import type { DnsClient } from '../collect/dns/client.js';
import { DelegationChecker } from '../collect/dns/delegation.js';
import { DirectClient, type DirectStats } from '../collect/dns/direct.js';
import { IANA_ROOT, readRootHints } from '../collect/dns/hints.js';
import { isLoopback } from '../collect/dns/resolver-address.js';
import { isPublicAddress } from '../net/private.js';
import type { AddressInfo } from '../types.js';
import type { AuditOptions } from './options.js';

export type Checker = DelegationChecker & { close(): Promise<void>; directStats(): DirectStats };

/**
 * The delegation checker of a run, or null when checks are off. With the loopback-only safety
 * net and a root outside loopback, nothing may be sent: the checks are skipped. Without
 * --root-hints only public addresses are asked (a delegation pointing into a private network is
 * not followed) unless --allow-private; a private root given by the user is asked as given.
 */
export function dnsChecker(
  opts: AuditOptions,
  timeoutMs: number,
  client: DnsClient,
  annotate: (a: AddressInfo) => AddressInfo,
): Checker | null {
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
