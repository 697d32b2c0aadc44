import { describe, expect, it } from 'vitest';
import { dnsFindings, sameNetwork } from '../src/analyse/dns-checks.js';
import { domainRisks } from '../src/analyse/domain.js';
import { loadCatalogue } from '../src/catalogue/load.js';
import { judgeDelegation, serialNewer } from '../src/classify/delegation.js';
import { classify } from '../src/classify/index.js';
import { IANA_ROOT, parseRootHints } from '../src/collect/dns/hints.js';
import { ConfigError } from '../src/errors.js';
import type { DelegationObservation, NsNameCheck, NsServerCheck, Observation } from '../src/types.js';
import { addr, host, observation } from './helpers/observation.js';

// The DNS layer judged from the delegation down, on hand-made observations: which servers make
// a path, and which findings say why the others do not. The same situations run end to end on
// real DNS software in test/e2e-dns-world.test.ts.

const catalogue = loadCatalogue();

const CF = [
  ['ada.ns.cloudflare.com', '173.245.58.51', 13335],
  ['bob.ns.cloudflare.com', '173.245.59.41', 13335],
] as const;
const R53 = [
  ['ns-1.awsdns-01.net', '205.251.192.10', 16509],
  ['ns-2.awsdns-02.org', '205.251.196.20', 16509],
] as const;

type ServerSpec = readonly [string, string, number, Partial<NsServerCheck>?];

interface Spec {
  parent?: string[];
  child?: string[];
  servers: readonly ServerSpec[];
  names?: Partial<Record<string, Partial<NsNameCheck>>>;
  status?: DelegationObservation['status'];
}

/** A checked zone: every server authoritative, serial 7, serving `child` unless told otherwise. */
function delegation(zone: string, spec: Spec): DelegationObservation {
  const hosts = [...new Set(spec.servers.map((s) => s[0]))];
  const parent = spec.parent ?? hosts;
  const child = spec.child ?? hosts;
  const servers: NsServerCheck[] = spec.servers.map(([h, ip, asn, over]) => ({
    host: h,
    ip,
    status: 'NOERROR',
    authoritative: true,
    asn,
    serial: 7,
    ns: [...child].sort(),
    answer: '192.0.2.10',
    ...over,
  }));
  const all = [...new Set([...parent, ...child, ...hosts])].sort();
  const names: NsNameCheck[] = all.map((h) => ({
    host: h,
    parent: parent.includes(h),
    child: child.includes(h),
    status: 'NOERROR',
    addresses: spec.servers.filter((s) => s[0] === h).map((s) => s[1]),
    ...spec.names?.[h],
  }));
  return {
    zone,
    status: spec.status ?? 'OK',
    parent: zone.split('.').slice(1).join('.'),
    parentNs: [...parent].sort(),
    childNs: [...child].sort(),
    names,
    servers,
  };
}

function obsOf(
  domain: string,
  d: DelegationObservation,
  nsHosts?: Observation['dns']['ns']['hosts'],
): Observation {
  const ns =
    nsHosts ??
    d.names
      .filter((n) => n.child)
      .map((n) =>
        host(n.host, ...d.servers.filter((s) => s.host === n.host).map((s) => addr(s.ip, s.asn, 'X'))),
      );
  const obs = observation({ domain, ns, addresses: [addr('192.0.2.10')] });
  obs.dns.delegation = d;
  return obs;
}

/** Findings as "severity kind layer provider", as a reader sees them. */
function verdict(obs: Observation): string[] {
  const deps = classify(obs, catalogue);
  const all = [...domainRisks(deps), ...dnsFindings(obs, deps, catalogue)];
  return all.map((f) => [f.severity, f.kind, f.layer, f.provider].filter(Boolean).join(' ')).sort();
}

function dnsProviders(obs: Observation): string[] {
  return classify(obs, catalogue)
    .filter((d) => d.layer === 'dns')
    .map((d) => d.provider);
}

describe('DNS checks: which name servers make a path', () => {
  it('two providers, both delegated, authoritative and in sync: redundant', () => {
    const obs = obsOf('www.example.com', delegation('example.com', { servers: [...CF, ...R53] }));
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toEqual(['info redundant dns']);
  });

  it('a second provider delegated but refusing the zone (lame) is no alternative', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF,
        ...R53.map(([h, ip, asn]) => [h, ip, asn, { status: 'REFUSED', authoritative: false }] as const),
      ],
      child: CF.map((s) => s[0]),
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['cloudflare']);
    const v = verdict(obs);
    expect(v).toContain('high single-provider dns cloudflare');
    expect(v).toContain('high lame-delegation dns aws');
    expect(v).not.toContain('info redundant dns');
    const lame = dnsFindings(obs, classify(obs, catalogue), catalogue).find(
      (f) => f.kind === 'lame-delegation',
    );
    expect(lame?.args.servers).toEqual([
      'ns-1.awsdns-01.net 205.251.192.10: REFUSED',
      'ns-2.awsdns-02.org 205.251.196.20: REFUSED',
    ]);
  });

  it('a provider the zone lists but the parent does not is never asked by a cold resolver', () => {
    const d = delegation('example.com', { servers: [...CF, ...R53], parent: CF.map((s) => s[0]) });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['cloudflare']);
    const v = verdict(obs);
    expect(v).toContain('high single-provider dns cloudflare');
    expect(v).toContain('medium delegation-mismatch dns');
    const f = dnsFindings(obs, classify(obs, catalogue), catalogue).find(
      (x) => x.kind === 'delegation-mismatch',
    );
    expect(f?.args).toMatchObject({ parentOnly: [], childOnly: R53.map((s) => s[0]), providers: ['aws'] });
  });

  it('an NS name that does not resolve is no second provider; unregistered is high', () => {
    const d = delegation('example.com', {
      servers: CF,
      parent: [...CF.map((s) => s[0]), 'ns1.expired-dns.net'],
      child: [...CF.map((s) => s[0]), 'ns1.expired-dns.net'],
      names: { 'ns1.expired-dns.net': { status: 'NXDOMAIN', registered: false, addresses: [] } },
    });
    const nsView = [
      ...CF.map(([h, ip, asn]) => host(h, addr(ip, asn))),
      { host: 'ns1.expired-dns.net', status: 'NXDOMAIN' as const, addresses: [] },
    ];
    const obs = obsOf('www.example.com', d, nsView);
    expect(dnsProviders(obs)).toEqual(['cloudflare']);
    const v = verdict(obs);
    expect(v).toContain('high single-provider dns cloudflare');
    expect(v).toContain('high ns-unresolvable dns expired-dns.net');
  });

  it('servers out of step (an older serial) do not count', () => {
    const d = delegation('example.com', {
      servers: [...CF, ...R53.map(([h, ip, asn]) => [h, ip, asn, { serial: 6 }] as const)],
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['cloudflare']);
    const v = verdict(obs);
    expect(v).toContain('medium ns-out-of-sync dns aws');
    expect(v).toContain('high single-provider dns cloudflare');
  });

  it('servers with the same serial but another answer for the name are out of step too', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF,
        R53[0] && [R53[0][0], R53[0][1], R53[0][2], { answer: '198.51.100.99' }],
      ] as ServerSpec[],
    });
    const obs = obsOf('www.example.com', d);
    const f = dnsFindings(obs, classify(obs, catalogue), catalogue).find((x) => x.kind === 'ns-out-of-sync');
    expect(f?.args.servers).toEqual([
      'ns-1.awsdns-01.net 205.251.192.10: answers 198.51.100.99, not 192.0.2.10',
    ]);
  });

  it('serials compare as RFC 1982 says (wrap-around)', () => {
    expect(serialNewer(5, 3)).toBe(true);
    expect(serialNewer(3, 5)).toBe(false);
    expect(serialNewer(1, 4294967290)).toBe(true);
    const d = delegation('example.com', {
      servers: [...CF.map(([h, ip, asn]) => [h, ip, asn, { serial: 4294967290 }] as const), R53[0]!].map(
        (s, i) => (i === 2 ? ([s[0], s[1], s[2], { serial: 2 }] as const) : s),
      ),
    });
    expect(judgeDelegation(d)?.serial).toBe(2);
  });

  it('an unreachable provider is reported with how it failed, and does not count', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF,
        ...R53.map(([h, ip, asn]) => [h, ip, asn, { status: 'TIMEOUT', authoritative: false }] as const),
      ],
      child: CF.map((s) => s[0]),
    });
    const obs = obsOf('www.example.com', d);
    const f = dnsFindings(obs, classify(obs, catalogue), catalogue).find((x) => x.kind === 'lame-delegation');
    expect(f).toMatchObject({ severity: 'high', provider: 'aws' });
    expect(f?.args.servers).toContain('ns-1.awsdns-01.net 205.251.192.10: no answer (TIMEOUT)');
  });

  it('one of two servers of a provider lame: medium, and the provider still counts', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF,
        R53[0]!,
        [R53[1][0], R53[1][1], R53[1][2], { status: 'SERVFAIL', authoritative: false }],
      ],
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toContain('medium lame-delegation dns aws');
  });

  it('providers kept in step by API number their own serials (another SOA primary): not out of sync', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF.map(
          ([h, ip, asn]) => [h, ip, asn, { serial: 2345678901, soaMname: 'ada.ns.cloudflare.com' }] as const,
        ),
        ...R53.map(([h, ip, asn]) => [h, ip, asn, { serial: 1, soaMname: 'ns-1.awsdns-01.net' }] as const),
      ],
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toEqual(['info redundant dns']);
  });

  it('an older serial from the same primary is out of sync', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF.map(([h, ip, asn]) => [h, ip, asn, { serial: 9, soaMname: 'ns1.example.com' }] as const),
        ...R53.map(([h, ip, asn]) => [h, ip, asn, { serial: 8, soaMname: 'ns1.example.com' }] as const),
      ],
    });
    expect(verdict(obsOf('www.example.com', d))).toEqual(
      expect.arrayContaining(['medium ns-out-of-sync dns aws', 'high single-provider dns cloudflare']),
    );
  });

  it('another answer for the name with the same serial is reported (low) but the server still counts', () => {
    const d = delegation('example.com', {
      servers: [...CF, ...R53.map(([h, ip, asn]) => [h, ip, asn, { answer: '192.0.2.11' }] as const)],
    });
    const obs = obsOf('www.example.com', d, undefined);
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toEqual(
      expect.arrayContaining(['info redundant dns', 'low ns-out-of-sync dns aws']),
    );
  });

  it('a name none of whose addresses was asked (past the budget) is unchecked, not unreachable', () => {
    const d = delegation('example.com', { servers: CF });
    d.names.push({
      host: 'ns-1.awsdns-01.net',
      parent: true,
      child: true,
      status: 'NOERROR',
      addresses: ['205.251.192.10'],
    });
    d.parentNs.push('ns-1.awsdns-01.net');
    d.childNs.push('ns-1.awsdns-01.net');
    const obs = obsOf('www.example.com', d, [
      ...CF.map(([h, ip, asn]) => host(h, addr(ip, asn))),
      host('ns-1.awsdns-01.net', addr('205.251.192.10', 16509)),
    ]);
    expect(judgeDelegation(d)?.names.get('ns-1.awsdns-01.net')).toBe('unchecked');
    expect(verdict(obs)).not.toContain('high lame-delegation dns aws');
  });

  it('servers that could not be asked from here (no IPv6 route) are no verdict: the provider still counts', () => {
    const d = delegation('example.com', {
      servers: [
        ...CF,
        ...R53.map(
          ([h, , asn]) => [h, '2600:9000:5300::1', asn, { status: 'SKIPPED', authoritative: false }] as const,
        ),
      ],
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toEqual(['info redundant dns']);
  });

  it('the resolver view stands when the checks could not run', () => {
    for (const status of ['NO_DIRECT', 'PARENT_FAILED', 'SKIPPED'] as const) {
      const d = delegation('example.com', {
        status,
        servers: [
          ...CF,
          ...R53.map(([h, ip, asn]) => [h, ip, asn, { status: 'REFUSED', authoritative: false }] as const),
        ],
      });
      const obs = obsOf('www.example.com', d);
      expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
      expect(verdict(obs)).toEqual(['info redundant dns']);
    }
  });

  it('every server lame: nothing works, the listed providers stay (and each is reported)', () => {
    const d = delegation('example.com', {
      servers: [...CF, ...R53].map(
        ([h, ip, asn]) => [h, ip, asn, { status: 'REFUSED', authoritative: false }] as const,
      ),
    });
    const obs = obsOf('www.example.com', d);
    expect(dnsProviders(obs)).toEqual(['aws', 'cloudflare']);
    expect(verdict(obs)).toEqual(
      expect.arrayContaining(['high lame-delegation dns aws', 'high lame-delegation dns cloudflare']),
    );
  });
});

describe('DNS checks: self-hosted DNS is judged too', () => {
  it('a single self-run server: single path of its own, too few servers', () => {
    const d = delegation('example.com', { servers: [['ns1.example.com', '192.0.2.53', 64500]] });
    const obs = obsOf('www.example.com', d);
    expect(verdict(obs)).toEqual(['medium ns-too-few dns', 'medium single-provider dns self']);
  });

  it('two NS names on one IP are one server', () => {
    const d = delegation('example.com', {
      servers: [
        ['ns1.example.com', '192.0.2.53', 64500],
        ['ns2.example.com', '192.0.2.53', 64500],
      ],
    });
    const obs = obsOf('www.example.com', d);
    expect(verdict(obs)).toEqual(['medium ns-same-network dns', 'medium single-provider dns self']);
    expect(dnsFindings(obs, classify(obs, catalogue), catalogue)[0]?.args).toMatchObject({
      scope: 'ip',
      network: '192.0.2.53',
    });
  });

  it('two servers in one /24, then in one AS, then spread', () => {
    const two = (a: string, b: string, asnB = 64500) =>
      obsOf(
        'www.example.com',
        delegation('example.com', {
          servers: [
            ['ns1.example.com', a, 64500],
            ['ns2.example.com', b, asnB],
          ],
        }),
      );
    expect(verdict(two('192.0.2.53', '192.0.2.54'))).toEqual([
      'low ns-same-network dns',
      'medium single-provider dns self',
    ]);
    expect(verdict(two('192.0.2.53', '198.51.100.53'))).toEqual([
      'low ns-same-network dns',
      'medium single-provider dns self',
    ]);
    expect(verdict(two('192.0.2.53', '198.51.100.53', 64501))).toEqual([]);
  });

  it('IPv6 servers share a /48', () => {
    const hosts = [host('a', addr('2001:db8:1:1::53', 1)), host('b', addr('2001:db8:1:ff::53', 2))];
    expect(sameNetwork(hosts)).toEqual({ scope: 'prefix', value: '2001:db8:1::/48' });
    expect(
      sameNetwork([host('a', addr('2001:db8:1::53', 1)), host('b', addr('2001:db8:2::53', 2))]),
    ).toBeNull();
  });

  it('is judged from the resolver view too (checks off)', () => {
    const obs = observation({
      domain: 'www.example.com',
      ns: [
        host('ns1.example.com', addr('192.0.2.53', 64500)),
        host('ns2.example.com', addr('192.0.2.53', 64500)),
      ],
    });
    expect(verdict(obs)).toEqual(['medium ns-same-network dns', 'medium single-provider dns self']);
  });
});

describe('DNS checks: names', () => {
  it("every NS name under one TLD other than the zone's is low", () => {
    expect(verdict(obsOf('www.example.org', delegation('example.org', { servers: CF })))).toEqual([
      'high single-provider dns cloudflare',
      'low ns-single-tld dns',
    ]);
    // Under the zone's own TLD they add nothing: the zone fails with .com anyway.
    expect(verdict(obsOf('www.example.com', delegation('example.com', { servers: CF })))).toEqual([
      'high single-provider dns cloudflare',
    ]);
  });

  it('names only the parent lists are a low mismatch when the same provider is on both sides', () => {
    const d = delegation('example.com', {
      servers: [...CF, ['cy.ns.cloudflare.com', '173.245.58.99', 13335]],
      child: CF.map((s) => s[0]),
    });
    const obs = obsOf('www.example.com', d);
    const f = dnsFindings(obs, classify(obs, catalogue), catalogue).find(
      (x) => x.kind === 'delegation-mismatch',
    );
    expect(f).toMatchObject({
      severity: 'low',
      args: { parentOnly: ['cy.ns.cloudflare.com'], childOnly: [] },
    });
  });
});

describe('root hints', () => {
  it('reads the named.root format', () => {
    const hints = parseRootHints(
      [
        ';       This file holds the information on root name servers',
        '.                        3600000      NS    A.ROOT-SERVERS.NET.',
        'A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4',
        'A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30',
        '.                        3600000  IN  NS    B.ROOT-SERVERS.NET.',
        'B.ROOT-SERVERS.NET.      3600000  IN  A     170.247.170.2',
        '; End of file',
      ].join('\n'),
    );
    expect(hints).toEqual([
      { host: 'a.root-servers.net', addresses: ['198.41.0.4', '2001:503:ba3e::2:30'] },
      { host: 'b.root-servers.net', addresses: ['170.247.170.2'] },
    ]);
    expect(IANA_ROOT).toHaveLength(13);
  });

  it('keeps IPv6 root addresses in the form replies come from', () => {
    expect(parseRootHints('. NS a.\na. AAAA 2001:DB8:0:0:0:0:0:1\n')[0]?.addresses).toEqual(['2001:db8::1']);
  });

  it('names the line of a bad record', () => {
    expect(() => parseRootHints('. NS a.\na. A 300.1.1.1\n', 'hints.txt')).toThrow(
      /hints\.txt line 2: .*IPv4/,
    );
    expect(() => parseRootHints('. NS a.\na. MX 10 b.\n', 'h')).toThrow(ConfigError);
    expect(() => parseRootHints('; nothing\n', 'h')).toThrow(/no root server/);
  });
});
