import type { WorldSpec } from './dns-world.js';

// The DNS situations of docs/dns-checks.md as one world of real DNS software (test/helpers/dns-world.ts),
// and what singlepath must say about each: test/e2e-dns-world.test.ts asserts it, and
// scripts/zonemaster-compare.ts runs zonemaster-cli on the same world for the side-by-side table.

export const CF = ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'];
export const R53 = ['ns-1.awsdns-01.net', 'ns-2.awsdns-01.net'];
export const GOOGLE = ['ns-cloud-a1.googledomains.com', 'ns-cloud-a2.googledomains.com'];
const WWW = ['www IN A 192.0.2.80'];

/** A customer zone, its www record and who loads it. */
const customer = (
  name: string,
  servers: string[],
  ns: string[],
  extra: Partial<WorldSpec['zones'][number]> = {},
) => ({
  name,
  servers,
  ns,
  records: WWW,
  ...extra,
});

export const WORLD: WorldSpec = {
  servers: [
    { id: 'gtld', software: 'bind', ips: ['192.5.6.30', '192.33.14.30'] },
    { id: 'cloudflare', software: 'nsd', ips: ['173.245.58.51', '173.245.59.41'] },
    { id: 'route53', software: 'knot', ips: ['205.251.192.10', '205.251.196.20'] },
    { id: 'google', software: 'bind', ips: ['216.239.32.106', '216.239.34.106'] },
    { id: 'self-a', software: 'nsd', ips: ['192.0.2.53', '192.0.2.54'] },
    { id: 'self-b', software: 'knot', ips: ['198.51.100.53'] },
  ],
  zones: [
    { name: 'com', servers: ['gtld'], ns: ['a.gtld-servers.net', 'b.gtld-servers.net'] },
    { name: 'net', servers: ['gtld'], ns: ['a.gtld-servers.net', 'b.gtld-servers.net'] },
    { name: 'org', servers: ['gtld'], ns: ['a.gtld-servers.net', 'b.gtld-servers.net'] },
    { name: 'cloudflare.com', servers: ['cloudflare'], ns: CF },
    { name: 'awsdns-01.net', servers: ['route53'], ns: R53 },
    { name: 'googledomains.com', servers: ['google'], ns: GOOGLE },
    // Healthy: two providers, both delegated, authoritative, in sync.
    customer('two-ok.com', ['cloudflare', 'route53'], [...CF, ...R53]),
    // Healthy: vanity names on one provider's addresses (a single provider, correctly named).
    customer('vanity.com', ['cloudflare'], ['ns1.vanity.com', 'ns2.vanity.com']),
    // Lame: Google is delegated but does not load the zone (REFUSED).
    customer('lame.com', ['cloudflare'], [...CF, ...GOOGLE]),
    // Undelegated: the zone lists Route 53, the parent does not.
    customer('undelegated.com', ['cloudflare', 'route53'], [...CF, ...R53], { parentNs: CF }),
    // Stale child: the parent lists Route 53, which serves the zone, but the zone's NS set does not.
    customer('stale-child.com', ['cloudflare', 'route53'], CF, { parentNs: [...CF, ...R53] }),
    // Unresolvable, unregistered: the second NS is under a domain nobody registered.
    customer('unregistered-ns.com', ['cloudflare'], [...CF, 'ns1.expired-dns.org']),
    // Unresolvable, registered: a name Cloudflare's zone does not have.
    customer('missing-ns.com', ['cloudflare'], [...CF, 'ns9.cloudflare.com']),
    // Out of sync: Route 53's copy has an older serial.
    customer('old-serial.com', ['cloudflare', 'route53'], [...CF, ...R53], {
      serial: 5,
      perServer: { route53: { serial: 3 } },
    }),
    // Out of sync: same serial, another answer for www.
    customer('diff-answer.com', ['cloudflare', 'route53'], [...CF, ...R53], {
      records: [],
      perServer: { cloudflare: { records: WWW }, route53: { records: ['www IN A 192.0.2.99'] } },
    }),
    // Unreachable: the second name server's address (NS1's block) has no server.
    customer('unreachable.com', ['cloudflare'], [...CF, 'dns1.p01.nsone.net']),
    // Self-hosted: one server; two names on one address; one /24; spread over two networks.
    customer('one-server.com', ['self-a'], ['ns1.one-server.com']),
    customer('one-ip.com', ['self-a'], ['ns1.one-ip.com', 'ns2.one-ip.com']),
    customer('one-net.com', ['self-a'], ['ns1.one-net.com', 'ns2.one-net.com']),
    customer('spread-self.com', ['self-a', 'self-b'], ['ns1.spread-self.com', 'ns2.spread-self.com']),
    // Every name server under .com for a .org zone.
    customer('one-tld.org', ['cloudflare'], CF),
  ],
  hosts: {
    'a.gtld-servers.net': ['192.5.6.30'],
    'b.gtld-servers.net': ['192.33.14.30'],
    'ada.ns.cloudflare.com': ['173.245.58.51'],
    'bob.ns.cloudflare.com': ['173.245.59.41'],
    'ns-1.awsdns-01.net': ['205.251.192.10'],
    'ns-2.awsdns-01.net': ['205.251.196.20'],
    'ns-cloud-a1.googledomains.com': ['216.239.32.106'],
    'ns-cloud-a2.googledomains.com': ['216.239.34.106'],
    'ns1.vanity.com': ['173.245.58.51'],
    'ns2.vanity.com': ['173.245.59.41'],
    'dns1.p01.nsone.net': ['198.51.44.1'],
    'ns1.one-server.com': ['192.0.2.53'],
    'ns1.one-ip.com': ['192.0.2.53'],
    'ns2.one-ip.com': ['192.0.2.53'],
    'ns1.one-net.com': ['192.0.2.53'],
    'ns2.one-net.com': ['192.0.2.54'],
    'ns1.spread-self.com': ['192.0.2.53'],
    'ns2.spread-self.com': ['198.51.100.53'],
  },
};

/** Each situation: the findings (severity kind provider) that must be there, and those that must not. */
export const SITUATIONS: { zone: string; what: string; has: string[]; not?: string[] }[] = [
  { zone: 'two-ok.com', what: 'two providers in sync', has: ['info redundant'], not: ['lame-delegation'] },
  {
    zone: 'vanity.com',
    what: "vanity NS on one provider's addresses",
    has: ['high single-provider cloudflare'],
    not: ['lame-delegation', 'ns-same-network'],
  },
  {
    zone: 'lame.com',
    what: 'lame second provider',
    has: ['high lame-delegation google', 'high single-provider cloudflare'],
    not: ['info redundant'],
  },
  {
    zone: 'undelegated.com',
    what: 'provider listed by the zone only',
    has: ['medium delegation-mismatch', 'high single-provider cloudflare'],
    not: ['info redundant'],
  },
  {
    zone: 'stale-child.com',
    what: 'provider listed by the parent only (still serving)',
    has: ['medium delegation-mismatch', 'info redundant'],
  },
  {
    zone: 'unregistered-ns.com',
    what: 'NS under an unregistered domain',
    has: ['high ns-unresolvable expired-dns.org', 'high single-provider cloudflare'],
    not: ['info redundant'],
  },
  {
    zone: 'missing-ns.com',
    what: 'NS name that does not exist',
    has: ['medium ns-unresolvable cloudflare.com'],
  },
  {
    zone: 'old-serial.com',
    what: 'secondary with an older serial',
    has: ['medium ns-out-of-sync aws', 'high single-provider cloudflare'],
    not: ['info redundant'],
  },
  {
    zone: 'diff-answer.com',
    what: 'same serial, other answer (reported; steering may do it by design)',
    has: ['low ns-out-of-sync', 'info redundant'],
    not: ['single-provider'],
  },
  {
    zone: 'unreachable.com',
    what: 'name server that does not answer',
    has: ['high lame-delegation', 'high single-provider cloudflare'],
    not: ['info redundant'],
  },
  {
    zone: 'one-server.com',
    what: 'one self-hosted server',
    has: ['medium single-provider self', 'medium ns-too-few'],
  },
  {
    zone: 'one-ip.com',
    what: 'two NS names on one IP',
    has: ['medium single-provider self', 'medium ns-same-network'],
  },
  {
    zone: 'one-net.com',
    what: 'both servers in one /24',
    has: ['medium single-provider self', 'low ns-same-network'],
  },
  {
    zone: 'spread-self.com',
    what: 'self-hosted on two networks',
    has: [],
    not: ['single-provider', 'ns-same-network', 'ns-too-few'],
  },
  {
    zone: 'one-tld.org',
    what: 'every NS under another TLD',
    has: ['low ns-single-tld', 'high single-provider cloudflare'],
  },
];

/**
 * The audit both the e2e test and the Zonemaster comparison run on the world: JSON, DNS only, a
 * short timeout. The self-hosted servers stand on documentation ranges (192.0.2.0/24,
 * 198.51.100.0/24), which are not public: `--allow-private` lets them be asked.
 */
export function worldAudit(resolver: string, extra: string[] = []): string[] {
  return [
    'audit',
    '-',
    '--format',
    'json',
    '--no-http',
    '--depth',
    '0',
    '--timeout',
    '400',
    '--retries',
    '0',
    '--allow-private',
    '--resolver',
    resolver,
    ...extra,
  ];
}
