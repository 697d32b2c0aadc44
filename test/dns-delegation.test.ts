import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatIf } from '../src/analyse/whatif.js';
import { audit } from '../src/audit.js';
import { loadCatalogue } from '../src/catalogue/load.js';
import { FORMATS, render } from '../src/report/index.js';
import { diffDocuments } from '../src/snapshot/diff.js';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { type AuthWorld, type AuthZone, startAuthWorld } from './helpers/auth-world.js';
import { type LabDnsServer, startDnsServer } from './helpers/dns-server.js';

// The delegation walk and the per-server questions against a fake hierarchy of authoritative
// servers on loopback ports (no root, no real DNS software needed): what is asked, how often,
// and what the verdicts become. Real NSD/Knot/BIND: test/e2e-dns-world.test.ts.

const CF = { ada: '173.245.58.51', bob: '173.245.59.41' };
const R53 = { one: '205.251.192.10', two: '205.251.196.20' };
const ROOT = '198.41.0.4';
const COM = '192.5.6.30';
const NET = '192.33.14.30';
const CF_NS = ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'];
const R53_NS = ['ns-1.awsdns-01.net', 'ns-2.awsdns-01.net'];

function world(overrides: Partial<Record<string, Partial<AuthZone>>> = {}): AuthZone[] {
  const zones: AuthZone[] = [
    { name: '', servers: [ROOT], ns: ['a.root-servers.net'] },
    { name: 'com', servers: [COM], ns: ['ns.nic.com'], a: { 'ns.nic.com': [COM] } },
    { name: 'net', servers: [NET], ns: ['ns.nic.net'], a: { 'ns.nic.net': [NET] } },
    {
      name: 'cloudflare.com',
      servers: [CF.ada, CF.bob],
      ns: CF_NS,
      a: { 'ada.ns.cloudflare.com': [CF.ada], 'bob.ns.cloudflare.com': [CF.bob] },
    },
    {
      name: 'awsdns-01.net',
      servers: [R53.one, R53.two],
      ns: R53_NS,
      a: { 'ns-1.awsdns-01.net': [R53.one], 'ns-2.awsdns-01.net': [R53.two] },
    },
    {
      name: 'example.com',
      servers: [CF.ada, CF.bob, R53.one, R53.two],
      ns: [...CF_NS, ...R53_NS],
      serial: 7,
      a: {
        'www.example.com': ['192.0.2.10'],
        'api.example.com': ['192.0.2.11'],
        'example.com': ['192.0.2.12'],
      },
    },
  ];
  return zones.map((z) => ({ ...z, ...overrides[z.name] }));
}

/** The recursive resolver's view (the lab server answers as a resolver presents answers). */
function resolverData() {
  return {
    zones: ['example.com', 'cloudflare.com', 'awsdns-01.net'],
    records: [
      ...[...CF_NS, ...R53_NS].map((h) => ({ name: 'example.com', type: 'NS' as const, data: h })),
      { name: 'www.example.com', type: 'A' as const, data: '192.0.2.10' },
      { name: 'api.example.com', type: 'A' as const, data: '192.0.2.11' },
      { name: 'example.com', type: 'A' as const, data: '192.0.2.12' },
      { name: 'ada.ns.cloudflare.com', type: 'A' as const, data: CF.ada },
      { name: 'bob.ns.cloudflare.com', type: 'A' as const, data: CF.bob },
      { name: 'ns-1.awsdns-01.net', type: 'A' as const, data: R53.one },
      { name: 'ns-2.awsdns-01.net', type: 'A' as const, data: R53.two },
    ],
  };
}

const catalogue = loadCatalogue();
let resolver: LabDnsServer;
let hints: string;

beforeAll(async () => {
  resolver = await startDnsServer(resolverData());
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-hints-'));
  hints = join(dir, 'root.hints');
  writeFileSync(hints, `.  3600000  NS  a.root-servers.net.\na.root-servers.net.  3600000  A  ${ROOT}\n`);
});
afterAll(() => resolver?.close());

async function run(zones: AuthZone[], domains: string[], silent: string[] = [], via?: LabDnsServer) {
  const w: AuthWorld = await startAuthWorld(zones, { silent });
  try {
    const doc = await audit(domains, {
      resolvers: [(via ?? resolver).address],
      http: false,
      depth: 0,
      timeoutMs: 300,
      retries: 0,
      dnsChecks: true,
      rootHints: hints,
      directRoute: w.route,
      catalogue,
      asnDb: null,
    });
    return { doc, w };
  } finally {
    await w.close();
  }
}

const codes = (r: DomainResult | undefined) =>
  (r?.risks ?? []).map((f) => [f.severity, f.kind, f.provider].filter(Boolean).join(' ')).sort();
const get = (doc: AuditDocument, name: string) => doc.domains.find((d) => d.domain === name);

describe('delegation checks against a fake hierarchy', () => {
  it('walks root → com → example.com, asks every server, and finds two providers in sync', async () => {
    const { doc } = await run(world(), ['www.example.com']);
    const r = get(doc, 'www.example.com')!;
    const d = r.observations.dns.delegation!;
    expect(d).toMatchObject({ zone: 'example.com', status: 'OK', parent: 'com' });
    expect(d.parentNs).toEqual([...CF_NS, ...R53_NS].sort());
    expect(d.childNs).toEqual([...CF_NS, ...R53_NS].sort());
    expect(d.servers.map((s) => [s.host, s.ip, s.status, s.authoritative, s.serial, s.answer])).toEqual([
      ['ada.ns.cloudflare.com', CF.ada, 'NOERROR', true, 7, '192.0.2.10'],
      ['bob.ns.cloudflare.com', CF.bob, 'NOERROR', true, 7, '192.0.2.10'],
      ['ns-1.awsdns-01.net', R53.one, 'NOERROR', true, 7, '192.0.2.10'],
      ['ns-2.awsdns-01.net', R53.two, 'NOERROR', true, 7, '192.0.2.10'],
    ]);
    expect(codes(r)).toEqual(['info redundant']);
  });

  it('a zone shared by several domains is checked once; the root and com are asked once', async () => {
    const { w } = await run(world(), ['www.example.com', 'api.example.com', 'example.com']);
    // Root: `com NS`; com: `example.com NS` (one question each, shared by the three domains).
    expect(w.asked(ROOT)).toBe(1);
    expect(w.asked(COM)).toBe(1);
    // Each server: SOA + NS of the zone once, and the A of each of the three names.
    for (const ip of [CF.ada, CF.bob, R53.one, R53.two]) expect(w.asked(ip)).toBe(2 + 3);
  });

  it('a lame second provider (delegated, refuses the zone) is no alternative', async () => {
    const zones = world({ 'example.com': { servers: [CF.ada, CF.bob] } });
    const { doc } = await run(zones, ['www.example.com']);
    const r = get(doc, 'www.example.com')!;
    expect(r.dependencies.filter((x) => x.layer === 'dns').map((x) => x.provider)).toEqual(['cloudflare']);
    expect(codes(r)).toEqual(
      expect.arrayContaining(['high single-provider cloudflare', 'high lame-delegation aws']),
    );
    expect(codes(r)).not.toContain('info redundant');
  });

  it('a provider the parent does not delegate to does not count', async () => {
    const zones = world({ 'example.com': { parentNs: CF_NS } });
    const { doc } = await run(zones, ['www.example.com']);
    const r = get(doc, 'www.example.com')!;
    expect(r.observations.dns.delegation?.parentNs).toEqual(CF_NS);
    expect(codes(r)).toEqual(
      expect.arrayContaining(['high single-provider cloudflare', 'medium delegation-mismatch']),
    );
  });

  it('a secondary with an older serial is out of sync', async () => {
    const zones = world({ 'example.com': { serialAt: { [R53.one]: 5, [R53.two]: 5 } } });
    const { doc } = await run(zones, ['www.example.com']);
    const r = get(doc, 'www.example.com')!;
    expect(codes(r)).toEqual(
      expect.arrayContaining(['medium ns-out-of-sync aws', 'high single-provider cloudflare']),
    );
  });

  it('unreachable servers are lame with TIMEOUT once the root has answered', async () => {
    // The Route 53 addresses are listed, but nothing answers there.
    const zones = world({ 'awsdns-01.net': { servers: [] }, 'example.com': { servers: [CF.ada, CF.bob] } });
    const { doc } = await run(zones, ['www.example.com'], [R53.one, R53.two]);
    const r = get(doc, 'www.example.com')!;
    const lame = r.risks.find((f) => f.kind === 'lame-delegation');
    expect(lame?.provider).toBe('aws');
    expect(lame?.severity).toBe('high');
    expect(lame?.args.servers).toEqual([
      `ns-1.awsdns-01.net ${R53.one}: no answer (TIMEOUT)`,
      `ns-2.awsdns-01.net ${R53.two}: no answer (TIMEOUT)`,
    ]);
    expect(codes(r)).toContain('high single-provider cloudflare');
  });

  it('when not even the root answers: the resolver view, one note, no lame findings', async () => {
    const zones = world({ '': { servers: [] } });
    const { doc } = await run(zones, ['www.example.com', 'api.example.com'], [ROOT]);
    for (const name of ['www.example.com', 'api.example.com']) {
      const r = get(doc, name)!;
      expect(r.observations.dns.delegation?.status).toBe('NO_DIRECT');
      expect(codes(r)).toEqual(['info redundant']);
    }
    expect(doc.summary.notes?.map((n) => [n.code, n.count])).toEqual([['dns-checks-unavailable', 2]]);
  });

  it('checks off: no delegation observed, nothing sent to the hierarchy', async () => {
    const w = await startAuthWorld(world());
    try {
      const doc = await audit(['www.example.com'], {
        resolvers: [resolver.address],
        http: false,
        depth: 0,
        timeoutMs: 300,
        dnsChecks: false,
        rootHints: hints,
        directRoute: w.route,
        catalogue,
        asnDb: null,
      });
      expect(doc.domains[0]?.observations.dns.delegation).toBeUndefined();
      for (const ip of [ROOT, COM, CF.ada, R53.one]) expect(w.asked(ip)).toBe(0);
    } finally {
      await w.close();
    }
  });

  it('drift: a provider going lame is news in diff, and whatif of the one left takes the name down', async () => {
    const before = (await run(world(), ['www.example.com'])).doc;
    const after = (await run(world({ 'example.com': { servers: [CF.ada, CF.bob] } }), ['www.example.com']))
      .doc;
    const diff = diffDocuments(before, after);
    expect(diff.findings.new.map((f) => [f.kind, f.provider])).toEqual(
      expect.arrayContaining([
        ['lame-delegation', 'aws'],
        ['single-provider', 'cloudflare'],
      ]),
    );
    expect(diff.findings.resolved.map((f) => f.kind)).toContain('redundant');
    expect(whatIf(before.domains, ['cloudflare']).survived.map((s) => s.domain)).toEqual(['www.example.com']);
    expect(whatIf(after.domains, ['cloudflare']).down.map((d) => d.domain)).toEqual(['www.example.com']);
  });

  it('every format carries the new findings; table and HTML show the server grid', async () => {
    const { doc } = await run(world({ 'example.com': { servers: [CF.ada, CF.bob] } }), ['www.example.com']);
    for (const format of FORMATS) {
      // The table lists findings by kind with --explain (its one-line rows count them).
      const out = render(doc, format, { color: false, explain: true });
      expect(out, format).toContain(format === 'prometheus' ? 'kind="lame-delegation"' : 'lame-delegation');
    }
    const table = render(doc, 'table', { color: false });
    expect(table).toMatch(/ns-1\.awsdns-01\.net\s+205\.251\.192\.10\s+aws\s+parent\+zone\s+REFUSED\s+no/);
    const html = render(doc, 'html', { color: false });
    expect(html).toContain('Name servers of example.com');
    expect(html).toMatch(/<td>ns-1\.awsdns-01\.net<\/td><td>205\.251\.192\.10<\/td><td>aws<\/td>/);
  });

  it('many names and addresses at one provider: the budget still reaches the second provider', async () => {
    // Eight Cloudflare names with four addresses each (32 addresses, 10 names in all): the 16
    // servers asked and the 8 names are spread, so Route 53 is asked and the layer is redundant.
    const cfNames = Array.from({ length: 8 }, (_, i) => `n${i}.ns.cloudflare.com`);
    const cfIps = (i: number) => [1, 2, 3, 4].map((k) => `173.245.${58 + (i % 2)}.${i * 10 + k}`);
    const zones = world({
      'cloudflare.com': {
        servers: cfNames.flatMap((_, i) => cfIps(i)),
        ns: cfNames,
        a: Object.fromEntries(cfNames.map((h, i) => [h, cfIps(i)])),
      },
      'example.com': {
        servers: [...cfNames.flatMap((_, i) => cfIps(i)), R53.one, R53.two],
        ns: [...cfNames, ...R53_NS],
      },
    });
    const lab = await startDnsServer({
      zones: ['example.com', 'cloudflare.com', 'awsdns-01.net'],
      records: [
        ...[...cfNames, ...R53_NS].map((h) => ({ name: 'example.com', type: 'NS' as const, data: h })),
        { name: 'www.example.com', type: 'A' as const, data: '192.0.2.10' },
        ...cfNames.flatMap((h, i) => cfIps(i).map((ip) => ({ name: h, type: 'A' as const, data: ip }))),
        { name: 'ns-1.awsdns-01.net', type: 'A' as const, data: R53.one },
        { name: 'ns-2.awsdns-01.net', type: 'A' as const, data: R53.two },
      ],
    });
    try {
      const { doc } = await run(zones, ['www.example.com'], [], lab);
      const r = doc.domains[0]!;
      const d = r.observations.dns.delegation!;
      expect(d.servers).toHaveLength(16);
      expect(d.servers.map((s) => s.ip)).toEqual(expect.arrayContaining([R53.one, R53.two]));
      expect(d.parentNs).toHaveLength(10);
      expect(codes(r)).toContain('info redundant');
      expect(codes(r).some((c) => c.includes('delegation-mismatch'))).toBe(false);
      expect(codes(r).some((c) => c.includes('lame-delegation'))).toBe(false);
    } finally {
      await lab.close();
    }
  });

  it('IPv6 servers that time out before any IPv6 reply came are unchecked, not lame (IPv6 routes, no IPv6 reach)', async () => {
    // Route 53 is delegated by name only (no glue), its names resolve to IPv6 addresses alone, and
    // nothing answers there: the host has no working IPv6.
    const zones = world({ 'example.com': { servers: [CF.ada, CF.bob] } });
    zones.find((z) => z.name === 'awsdns-01.net')!.a = {};
    const lab = await startDnsServer({
      ...resolverData(),
      records: [
        ...resolverData().records.filter((r) => !r.name.endsWith('awsdns-01.net')),
        { name: 'ns-1.awsdns-01.net', type: 'AAAA' as const, data: '2600:9000:5300::1' },
        { name: 'ns-2.awsdns-01.net', type: 'AAAA' as const, data: '2600:9000:5301::1' },
      ],
    });
    try {
      const { doc } = await run(zones, ['www.example.com'], [], lab);
      const r = doc.domains[0]!;
      expect(
        r.observations.dns.delegation?.servers.filter((s) => s.ip.includes(':')).map((s) => s.status),
      ).toEqual(['SKIPPED', 'SKIPPED']);
      expect(codes(r).some((c) => c.includes('lame-delegation'))).toBe(false);
      expect(codes(r)).toContain('info redundant');
    } finally {
      await lab.close();
    }
  });
});
