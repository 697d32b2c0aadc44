import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import { observeDns } from '../src/collect/dns/observe.js';
import { type LabDnsData, type LabDnsOptions, type LabRecord, startDnsServer } from './helpers/dns-server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const chain = (prefix: string, zone: string, hops: number): LabRecord[] => [
  ...Array.from({ length: hops }, (_, i) => ({
    name: `${prefix}${i}.${zone}`,
    type: 'CNAME' as const,
    data: `${prefix}${i + 1}.${zone}`,
  })),
  { name: `${prefix}${hops}.${zone}`, type: 'A', data: '192.0.2.200' },
];

const DATA: LabDnsData = {
  zones: ['a.test', 'dept.a.test', 'b.test', 'cdn.test', 'dns.test', 'mail.test', 'nomail.test', 'long.test'],
  records: [
    { name: 'a.test', type: 'A', data: '192.0.2.1' },
    { name: 'a.test', type: 'AAAA', data: '2001:db8::1' },
    { name: 'a.test', type: 'NS', data: 'ns2.dns.test' },
    { name: 'a.test', type: 'NS', data: 'ns1.dns.test' },
    { name: 'a.test', type: 'MX', data: 'mx2.mail.test', priority: 20 },
    { name: 'a.test', type: 'MX', data: 'missing.mail.test', priority: 30 },
    { name: 'a.test', type: 'MX', data: 'mx1.mail.test', priority: 10 },
    { name: 'ns1.dns.test', type: 'A', data: '198.51.100.1' },
    { name: 'ns2.dns.test', type: 'A', data: '198.51.100.2' },
    { name: 'ns2.dns.test', type: 'AAAA', data: '2001:db8:53::2' },
    { name: 'mx1.mail.test', type: 'A', data: '203.0.113.1' },
    { name: 'mx2.mail.test', type: 'A', data: '203.0.113.2' },
    { name: 'www.a.test', type: 'CNAME', data: 'edge.cdn.test' },
    { name: 'edge.cdn.test', type: 'CNAME', data: 'edge-2.cdn.test' },
    { name: 'edge-2.cdn.test', type: 'A', data: '198.51.100.10' },
    { name: 'edge-2.cdn.test', type: 'A', data: '198.51.100.9' },
    { name: 'txt-only.a.test', type: 'TXT', data: 'no address here' },
    { name: 'dangling.a.test', type: 'CNAME', data: 'gone.a.test' },
    { name: 'ext.a.test', type: 'CNAME', data: 'elsewhere.invalid' },
    { name: 'l1.a.test', type: 'CNAME', data: 'l2.a.test' },
    { name: 'l2.a.test', type: 'CNAME', data: 'l1.a.test' },
    { name: 'sf.a.test', type: 'A', data: '192.0.2.77' },
    { name: 'host.dept.a.test', type: 'A', data: '192.0.2.5' },
    { name: 'dept.a.test', type: 'NS', data: 'ns1.dns.test' },
    { name: 'b.test', type: 'NS', data: 'ns1.dns.test' },
    { name: 'www.b.test', type: 'CNAME', data: 'cdn.test' },
    { name: 'cdn.test', type: 'A', data: '198.51.100.20' },
    { name: 'nomail.test', type: 'A', data: '192.0.2.9' },
    { name: 'nomail.test', type: 'MX', data: '.', priority: 0 },
    ...chain('c', 'long.test', 8),
    ...chain('d', 'long.test', 9),
  ],
  faults: { 'sf.a.test': 'servfail' },
};

async function lab(serverOpts: LabDnsOptions = {}) {
  const server = await startDnsServer(DATA, serverOpts);
  const client = new DnsClient({
    resolvers: [{ host: server.host, port: server.port }],
    timeoutMs: 1000,
    retries: 0,
    loopbackOnly: true,
  });
  cleanup.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client };
}

const v4 = (ip: string) => ({ ip, family: 4 });
const v6 = (ip: string) => ({ ip, family: 6 });

describe('observeDns', () => {
  it('collects addresses, zone, name servers and mail hosts, sorted', async () => {
    const { server, client } = await lab();
    const obs = await observeDns('A.test.', client);
    expect(obs).toEqual({
      status: 'NOERROR',
      cnames: [],
      finalName: 'a.test',
      addresses: [v4('192.0.2.1'), v6('2001:db8::1')],
      zone: { apex: 'a.test', source: 'soa' },
      ns: {
        status: 'NOERROR',
        hosts: [
          { host: 'ns1.dns.test', status: 'NOERROR', addresses: [v4('198.51.100.1')] },
          { host: 'ns2.dns.test', status: 'NOERROR', addresses: [v4('198.51.100.2'), v6('2001:db8:53::2')] },
        ],
      },
      mailDomain: 'a.test',
      mx: {
        status: 'NOERROR',
        hosts: [
          { host: 'mx1.mail.test', priority: 10, status: 'NOERROR', addresses: [v4('203.0.113.1')] },
          { host: 'mx2.mail.test', priority: 20, status: 'NOERROR', addresses: [v4('203.0.113.2')] },
          { host: 'missing.mail.test', priority: 30, status: 'NXDOMAIN', addresses: [] },
        ],
      },
      spf: { status: 'NOERROR', includes: [], direct: [], lookups: 0, error: 'no-policy' },
      dmarc: { status: 'NXDOMAIN', reports: [] },
      queries: server.queries,
    });
    // A AAAA SOA NS MX TXT (SPF) TXT (_dmarc), then A+AAAA of 2 name servers and 3 mail hosts
    expect(obs.queries).toBe(17);
  });

  it('follows a CNAME chain returned whole by the resolver', async () => {
    const { server, client } = await lab();
    const obs = await observeDns('www.a.test', client);
    expect(obs).toMatchObject({
      status: 'NOERROR',
      cnames: ['edge.cdn.test', 'edge-2.cdn.test'],
      finalName: 'edge-2.cdn.test',
      addresses: [v4('198.51.100.9'), v4('198.51.100.10')],
    });
    expect(server.count('www.a.test', 'A')).toBe(1);
    expect(server.count('edge-2.cdn.test', 'A')).toBe(0);
  });

  it('asks each target when the server answers with one CNAME at a time', async () => {
    const { server, client } = await lab({ followCnames: false });
    const obs = await observeDns('www.a.test', client);
    expect(obs).toMatchObject({
      status: 'NOERROR',
      cnames: ['edge.cdn.test', 'edge-2.cdn.test'],
      finalName: 'edge-2.cdn.test',
      addresses: [v4('198.51.100.9'), v4('198.51.100.10')],
    });
    expect(server.count('edge.cdn.test', 'A')).toBe(1);
    expect(server.count('edge-2.cdn.test', 'A')).toBe(1);
  });

  it.each([
    ['l1.a.test', {}, 'CNAME_LOOP'],
    ['c0.long.test', {}, 'NOERROR'], // exactly 8 hops
    ['d0.long.test', {}, 'CNAME_TOO_LONG'], // 9 hops
    ['c0.long.test', { maxCnameHops: 7 }, 'CNAME_TOO_LONG'],
  ] as [string, { maxCnameHops?: number }, string][])('%s %j → %s', async (domain, opts, status) => {
    const { client } = await lab();
    const obs = await observeDns(domain, client, opts);
    expect(obs.status).toBe(status);
    expect(obs.cnames.length).toBeLessThanOrEqual(opts.maxCnameHops ?? 8);
    if (status !== 'NOERROR') expect(obs.addresses).toEqual([]);
  });

  it('detects a loop on a server that returns one CNAME at a time', async () => {
    const { client } = await lab({ followCnames: false });
    const obs = await observeDns('l1.a.test', client);
    expect(obs).toMatchObject({ status: 'CNAME_LOOP', cnames: ['l2.a.test'] });
  });

  it.each([
    ['missing.a.test', 'NXDOMAIN', [], 'missing.a.test'],
    ['dangling.a.test', 'NXDOMAIN', ['gone.a.test'], 'gone.a.test'],
    ['txt-only.a.test', 'NO_ADDRESS', [], 'txt-only.a.test'],
    ['sf.a.test', 'SERVFAIL', [], 'sf.a.test'],
    // The lab cannot resolve outside its zones: the client asks the target itself.
    ['ext.a.test', 'REFUSED', ['elsewhere.invalid'], 'elsewhere.invalid'],
  ])('%s → %s', async (domain, status, cnames, finalName) => {
    const { client } = await lab();
    const obs = await observeDns(domain, client);
    expect(obs).toMatchObject({ status, cnames, finalName, addresses: [] });
  });

  it.each([
    ['host.dept.a.test', { apex: 'dept.a.test', source: 'soa' }], // delegated sub-zone, not the PSL answer
    ['missing.a.test', { apex: 'a.test', source: 'soa' }], // SOA in the NXDOMAIN authority
    ['www.b.test', { apex: 'b.test', source: 'psl' }], // SOA belongs to the CNAME target's zone
    ['sf.a.test', { apex: 'a.test', source: 'psl' }], // no SOA at all
    ['test', { apex: null, source: 'none' }],
  ])('zone apex of %s', async (domain, zone) => {
    const { client } = await lab();
    const obs = await observeDns(domain, client);
    expect(obs.zone).toEqual(zone);
    if (zone.apex === null) expect(obs.ns).toEqual({ status: 'SKIPPED', hosts: [] });
  });

  it('asks for a zone NS and a name server address once across domains', async () => {
    const { server, client } = await lab();
    const results = await Promise.all(
      ['a.test', 'www.a.test', 'txt-only.a.test'].map((d) => observeDns(d, client)),
    );
    await observeDns('b.test', client);
    for (const r of results) expect(r.ns.hosts.map((h) => h.host)).toEqual(['ns1.dns.test', 'ns2.dns.test']);
    expect(server.count('a.test', 'NS')).toBe(1);
    expect(server.count('a.test', 'MX')).toBe(1);
    expect(server.count('ns1.dns.test', 'A')).toBe(1);
    expect(server.count('mx1.mail.test', 'AAAA')).toBe(1);
    expect(client.stats().cacheHits).toBeGreaterThan(0);
  });

  it('bounds name servers and MX hosts', async () => {
    const { client } = await lab();
    const obs = await observeDns('a.test', client, { maxNameServers: 1, maxMx: 2 });
    expect(obs.ns.hosts.map((h) => h.host)).toEqual(['ns1.dns.test']);
    expect(obs.mx.hosts.map((h) => h.host)).toEqual(['mx1.mail.test', 'mx2.mail.test']);
  });

  it('takes the mail domain from the registrable domain and honours a null MX', async () => {
    const { server, client } = await lab();
    const sub = await observeDns('host.dept.a.test', client);
    expect(sub.mailDomain).toBe('a.test');
    expect(sub.mx.hosts).toHaveLength(3);
    const nomail = await observeDns('nomail.test', client);
    expect(nomail.mx).toEqual({ status: 'NOERROR', hosts: [] });
    expect(server.count('.', 'A')).toBe(0);
  });
});
