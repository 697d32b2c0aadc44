import { ConfigError } from '../errors.js';
import type { DnsAnswer, VantageObservation } from '../types.js';
import { withDeadline } from './deadline.js';
import type { DnsClient, QueryOptions } from './dns/client.js';
import { type EcsSubnet, parseSubnet } from './dns/ecs.js';
import type { Ask } from './dns/hosts.js';
import { addressBranch } from './dns/observe.js';
import { formatResolver, type ResolverAddress } from './dns/resolver-address.js';

// Other vantage points on the same name: the answer a client in another region would get (EDNS
// Client Subnet), or the answer of another resolver. A CDN-steering zone answers differently by
// region, so one vantage point can show one CDN where users elsewhere reach another.

/**
 * One /24 per continent from a well-known network of a regional Internet institution, so that
 * any geolocation database places it on that continent. The prefix is only a label inside the
 * query (RFC 7871): no packet is ever sent to it.
 */
export const VANTAGE_PRESETS: Readonly<Record<string, string>> = {
  /** RIPE NCC, Amsterdam (193.0.0.0/21, ripe.net). */
  eu: '193.0.0.0/24',
  /** ICANN, Los Angeles (192.0.32.0/20, icann.org). */
  na: '192.0.32.0/24',
  /** NIC.br, São Paulo (200.160.0.0/20, registro.br). */
  sa: '200.160.0.0/24',
  /** JPNIC, Tokyo (192.41.192.0/24, nic.ad.jp). */
  asia: '192.41.192.0/24',
  /** AFRINIC, Ebène, Mauritius (196.216.2.0/24, afrinic.net). */
  africa: '196.216.2.0/24',
  /** APNIC, Brisbane (202.12.29.0/24, apnic.net). */
  oceania: '202.12.29.0/24',
};

/** Vantages per run: each costs a CNAME chain and A/AAAA per domain. */
export const MAX_VANTAGES = 16;

export interface Vantage {
  label: string;
  subnet?: EcsSubnet;
  /** Pinned resolver ("ip:port"); absent = the configured resolvers, with failover. */
  resolver?: string;
}

const HELP = `expected ${Object.keys(VANTAGE_PRESETS).join(', ')}, all, resolvers, or a prefix such as 203.0.113.0/24 or 2001:db8::/48`;

/**
 * `--vantage` values to vantages. When any is given and several resolvers are configured, each
 * resolver is a vantage too (`resolvers` asks for those alone).
 */
export function parseVantages(specs: readonly string[], resolvers: readonly ResolverAddress[]): Vantage[] {
  const out = new Map<string, Vantage>();
  let perResolver = false;
  for (const raw of specs) {
    const spec = raw.trim().toLowerCase();
    if (spec === 'resolvers') {
      perResolver = true;
      continue;
    }
    const presets = spec === 'all' ? Object.keys(VANTAGE_PRESETS) : [spec];
    for (const name of presets) {
      const preset = VANTAGE_PRESETS[name];
      let subnet: EcsSubnet;
      try {
        subnet = parseSubnet(preset ?? raw.trim());
      } catch (err) {
        if (!preset && !spec.includes('/')) throw new ConfigError(`invalid --vantage "${raw}": ${HELP}`);
        throw new ConfigError(`invalid --vantage "${raw}": ${(err as Error).message}`);
      }
      const label = preset ? name : subnet.text;
      out.set(label, { label, subnet });
    }
    perResolver ||= resolvers.length > 1;
  }
  if (perResolver && resolvers.length > 1) {
    for (const r of resolvers) {
      const at = formatResolver(r);
      out.set(`resolver ${at}`, { label: `resolver ${at}`, resolver: at });
    }
  }
  if (out.size > MAX_VANTAGES)
    throw new ConfigError(`too many vantages (${out.size}): at most ${MAX_VANTAGES} per run`);
  return [...out.values()];
}

/** The CNAME chain and addresses of a name as seen from one vantage. */
export async function observeVantage(
  name: string,
  vantage: Vantage,
  client: DnsClient,
  opts: { maxCnameHops?: number; deadlineMs?: number } = {},
): Promise<VantageObservation> {
  const query: QueryOptions = {};
  if (vantage.subnet) query.subnet = vantage.subnet;
  if (vantage.resolver) query.resolver = vantage.resolver;
  const answers: DnsAnswer[] = [];
  // Questions past the deadline answer TIMEOUT at once, so a slow vantage cannot hold a domain.
  const { ask, stop } = withDeadline(
    (n, t) => client.query(n, t, query),
    opts.deadlineMs ?? 4 * client.queryBudgetMs(),
  );
  const recording: Ask = async (n, t) => {
    const a = await ask(n, t);
    answers.push(a);
    return a;
  };
  try {
    const seen = await addressBranch(
      name.toLowerCase().replace(/\.$/, ''),
      recording,
      opts.maxCnameHops ?? 8,
    );
    const out: VantageObservation = {
      vantage: vantage.label,
      resolver: answers.find((a) => a.resolver)?.resolver ?? vantage.resolver ?? '',
      ...seen,
      ecs: 'none',
    };
    if (vantage.subnet) {
      out.subnet = vantage.subnet.text;
      // The reply for the name itself tells: that is where a steering zone answers by region.
      const first = answers.find((a) => a.status === 'NOERROR' || a.status === 'NXDOMAIN');
      out.ecs = !first ? 'unknown' : first.ecs?.scope !== undefined ? 'used' : 'ignored';
      if (first?.ecs?.scope !== undefined) out.scope = first.ecs.scope;
    }
    return out;
  } finally {
    stop();
  }
}
