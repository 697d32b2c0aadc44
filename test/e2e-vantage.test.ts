import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WhatIfResult } from '../src/analyse/whatif.js';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import type { LabRecord } from './helpers/dns-server.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// Multi-vantage resolution and indirect dependencies, through the real executable and the
// loopback lab. The EDNS client subnets are labels inside the queries: every packet goes to the
// lab on 127.0.0.1.

const EU = '193.0.0.0/24'; // the `eu` preset
const NA = '192.0.32.0/24'; // the `na` preset

const rec = (name: string, type: LabRecord['type'], data: string, subnet?: string): LabRecord =>
  subnet ? { name, type, data, subnet } : { name, type, data };

const FIXTURE: LabFixture = {
  zones: [
    'globex-shop.com',
    'initech-news.com',
    'umbrella-media.com',
    'cloudflare.com',
    'cloudflare.net',
    'fastly.net',
    'edgekey.net',
    'akamaiedge.net',
    'akam.net',
    'ultradns.net',
    'nsone.net',
    'awsdns-01.com',
  ],
  ignoreEcs: ['initech-news.com'],
  records: [
    // Cloudflare for the default view and for EU clients, Fastly for North America.
    rec('globex-shop.com', 'NS', 'ada.ns.cloudflare.com'),
    rec('globex-shop.com', 'NS', 'bob.ns.cloudflare.com'),
    rec('www.globex-shop.com', 'CNAME', 'www.globex-shop.com.cdn.cloudflare.net'),
    rec('www.globex-shop.com', 'CNAME', 'www.globex-shop.com.cdn.cloudflare.net', EU),
    rec('www.globex-shop.com', 'CNAME', 'globex.map.fastly.net', NA),
    rec('www.globex-shop.com.cdn.cloudflare.net', 'A', '104.16.132.229'),
    rec('globex.map.fastly.net', 'A', '151.101.1.57'),
    rec('ada.ns.cloudflare.com', 'A', '173.245.58.61'),
    rec('bob.ns.cloudflare.com', 'A', '173.245.59.61'),
    rec('cloudflare.com', 'NS', 'ns3.cloudflare.com'),
    rec('cloudflare.net', 'NS', 'ns1.cloudflare.net'),
    rec('fastly.net', 'NS', 'ns1.fastly.net'),
    // A zone whose answers ignore ECS: its EU answer is never served, its replies echo no ECS.
    rec('initech-news.com', 'NS', 'dns1.p01.nsone.net'),
    rec('initech-news.com', 'NS', 'dns2.p01.nsone.net'),
    rec('www.initech-news.com', 'CNAME', 'initech.map.fastly.net'),
    rec('www.initech-news.com', 'CNAME', 'www.initech-news.com.cdn.cloudflare.net', EU),
    rec('api.initech-news.com', 'CNAME', 'initech.map.fastly.net'),
    rec('initech.map.fastly.net', 'A', '151.101.65.57'),
    rec('dns1.p01.nsone.net', 'A', '198.51.44.1'),
    rec('dns2.p01.nsone.net', 'A', '198.51.45.1'),
    // NS1's own zone is served by Route 53: a DNS provider's provider.
    rec('nsone.net', 'NS', 'ns-1.awsdns-01.com'),
    rec('nsone.net', 'NS', 'ns-2.awsdns-01.com'),
    rec('ns-1.awsdns-01.com', 'A', '205.251.192.1'),
    rec('ns-2.awsdns-01.com', 'A', '205.251.194.1'),
    rec('awsdns-01.com', 'NS', 'ns-1.awsdns-01.com'),
    // Akamai edge whose akamaiedge.net zone is served by UltraDNS alone.
    rec('umbrella-media.com', 'NS', 'a1-64.akam.net'),
    rec('umbrella-media.com', 'NS', 'a7-65.akam.net'),
    rec('www.umbrella-media.com', 'CNAME', 'www.umbrella-media.com.edgekey.net'),
    rec('cdn.umbrella-media.com', 'CNAME', 'www.umbrella-media.com.edgekey.net'),
    rec('www.umbrella-media.com.edgekey.net', 'CNAME', 'e1234.a.akamaiedge.net'),
    rec('e1234.a.akamaiedge.net', 'A', '23.45.1.1'),
    rec('a1-64.akam.net', 'A', '193.108.91.64'),
    rec('a7-65.akam.net', 'A', '23.61.199.65'),
    rec('akam.net', 'NS', 'a1-64.akam.net'),
    rec('edgekey.net', 'NS', 'a1-64.akam.net'),
    rec('akamaiedge.net', 'NS', 'pdns1.ultradns.net'),
    rec('akamaiedge.net', 'NS', 'pdns2.ultradns.net'),
    rec('pdns1.ultradns.net', 'A', '204.74.108.1'),
    rec('pdns2.ultradns.net', 'A', '204.74.109.1'),
    rec('ultradns.net', 'NS', 'pdns1.ultradns.net'),
  ],
  sites: {},
};

const DOMAINS = [
  'www.globex-shop.com',
  'www.initech-news.com',
  'api.initech-news.com',
  'www.umbrella-media.com',
  'cdn.umbrella-media.com',
].join('\n');

let lab: Lab;

beforeAll(async () => {
  lab = await startLab(FIXTURE);
  // startLab passes zones, records and faults; the ECS switch is set on the server itself.
  lab.dns.setData({ zones: FIXTURE.zones, records: FIXTURE.records, ignoreEcs: FIXTURE.ignoreEcs });
});
afterAll(() => lab?.close());

async function audit(...extra: string[]): Promise<{ doc: AuditDocument; stderr: string }> {
  const run = await runCli(['audit', '-', '--no-http', '--format', 'json', ...lab.args(), ...extra], {
    stdin: DOMAINS,
  });
  expect([0, 1], run.stderr).toContain(run.code);
  return { doc: JSON.parse(run.stdout) as AuditDocument, stderr: run.stderr };
}

const find = (doc: AuditDocument, name: string): DomainResult => {
  const d = doc.domains.find((x) => x.domain === name);
  if (!d) throw new Error(`${name} missing`);
  return d;
};
const risks = (d: DomainResult) =>
  d.risks.map((r) => `${r.kind}${r.layer ? ` ${r.layer}` : ''}${r.provider ? ` ${r.provider}` : ''}`);
const cdn = (d: DomainResult) =>
  d.dependencies
    .filter((x) => x.layer === 'cdn')
    .map((x) => `${x.provider}#${x.order ?? 0}${x.vantages ? `@${x.vantages.join('+')}` : ''}`);

describe('multi-vantage resolution (--vantage)', () => {
  let doc: AuditDocument;
  beforeAll(async () => {
    ({ doc } = await audit('--vantage', 'eu', '--vantage', 'na'));
  }, 30_000);

  it('sees Cloudflare and Fastly as alternatives at the edge, each with its vantages', () => {
    const d = find(doc, 'www.globex-shop.com');
    expect(cdn(d)).toEqual(['cloudflare#0@default+eu', 'fastly#0@na']);
    expect(risks(d)).not.toContain('single-provider cdn cloudflare');
    const multi = d.risks.find((r) => r.kind === 'multi-cdn');
    expect(multi).toMatchObject({
      severity: 'info',
      layer: 'cdn',
      args: { providers: ['cloudflare', 'fastly'], seen: ['cloudflare: default, eu', 'fastly: na'] },
    });
  });

  it('keeps each vantage in the observation, with the ECS scope the resolver returned', () => {
    const vantages = find(doc, 'www.globex-shop.com').observations.dns.vantages ?? [];
    expect(vantages.map((v) => [v.vantage, v.subnet, v.ecs, v.scope, v.cnames.at(-1)])).toEqual([
      ['eu', EU, 'used', 24, 'www.globex-shop.com.cdn.cloudflare.net'],
      ['na', NA, 'used', 24, 'globex.map.fastly.net'],
    ]);
    expect(vantages[1]!.addresses[0]).toMatchObject({ ip: '151.101.1.57', asn: 54113 });
  });

  it('reports a resolver that ignores ECS once, and does not present its answers as regional', () => {
    const notes = doc.summary.notes ?? [];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      code: 'ecs-ignored',
      resolver: lab.resolver,
      count: 2,
      examples: ['api.initech-news.com', 'www.initech-news.com'],
    });
    const d = find(doc, 'www.initech-news.com');
    expect(d.observations.dns.vantages?.map((v) => v.ecs)).toEqual(['ignored', 'ignored']);
    expect(cdn(d)).toEqual(['fastly#0']);
    expect(risks(d)).toContain('single-provider cdn fastly');
    expect(risks(d)).not.toContain('multi-cdn cdn');
  });

  it('sends the subnet only in vantage queries', () => {
    expect(lab.dns.ecsQueries).toBeGreaterThan(0);
  });
});

describe('one vantage point hides the second CDN', () => {
  it('without --vantage the same domain is a single path at the edge', async () => {
    const { doc } = await audit();
    const d = find(doc, 'www.globex-shop.com');
    expect(cdn(d)).toEqual(['cloudflare#0']);
    expect(risks(d)).toContain('single-provider cdn cloudflare');
    expect(risks(d)).not.toContain('multi-cdn cdn');
    expect(d.observations.dns.vantages).toBeUndefined();
    expect(doc.summary.notes).toBeUndefined();
  });

  it('refuses a bad --vantage naming it', async () => {
    const run = await runCli(['audit', '-', '--no-http', ...lab.args(), '--vantage', 'mars'], {
      stdin: DOMAINS,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--vantage "mars"/);
  });
});

describe('indirect dependencies (--depth)', () => {
  let doc: AuditDocument;
  beforeAll(async () => {
    ({ doc } = await audit());
  }, 30_000);

  it('finds the DNS of the CDN zone at depth 1 (the default), with its path', () => {
    const d = find(doc, 'www.umbrella-media.com');
    expect(d.indirect).toEqual([
      expect.objectContaining({
        layer: 'dns',
        provider: 'ultradns',
        indirect: true,
        through: { layer: 'cdn', provider: 'akamai' },
        zone: 'akamaiedge.net',
        depth: 1,
        path: ['cdn: akamai', 'dns of akamaiedge.net'],
      }),
    ]);
    expect(d.indirect![0]!.evidence).toContainEqual({ signal: 'ns', value: 'pdns1.ultradns.net' });
    // Direct analysis unchanged: UltraDNS is no direct dependency and makes no finding.
    expect(d.dependencies.map((x) => x.provider)).not.toContain('ultradns');
    expect(d.risks.map((r) => r.provider)).not.toContain('ultradns');
  });

  it('finds the DNS of a DNS provider’s own zone', () => {
    const d = find(doc, 'www.initech-news.com');
    expect(d.indirect?.map((x) => `${x.path.join(' > ')}: ${x.provider}`)).toEqual([
      'dns: ns1 > dns of nsone.net: aws',
    ]);
  });

  it("leaves a provider's own zones out (Cloudflare's, Akamai's edgekey.net)", () => {
    expect(find(doc, 'www.globex-shop.com').indirect).toBeUndefined();
  });

  it('asks each provider zone once per run, however many domains reach it', async () => {
    const before = lab.dns.count('akamaiedge.net', 'NS');
    await audit();
    expect(lab.dns.count('akamaiedge.net', 'NS') - before).toBe(1);
  });

  it('puts the domains in the blast radius tier "down via a provider\'s provider"', () => {
    const ultradns = doc.summary.blastRadius.find((b) => b.provider === 'ultradns');
    expect(ultradns?.down).toEqual([]);
    expect(ultradns?.downIndirect).toEqual(['cdn.umbrella-media.com', 'www.umbrella-media.com']);
    const aws = doc.summary.blastRadius.find((b) => b.provider === 'aws');
    expect(aws?.downIndirect).toEqual(['api.initech-news.com', 'www.initech-news.com']);
  });

  it('has none at --depth 0', async () => {
    const { doc: flat } = await audit('--depth', '0');
    for (const d of flat.domains) {
      expect(d.indirect).toBeUndefined();
      expect(d.observations.dns.providerZones).toBeUndefined();
    }
    expect(flat.summary.blastRadius.some((b) => b.downIndirect)).toBe(false);
  });

  it('whatif lists the domains behind the failed DNS provider of their CDN in the indirect tier', async () => {
    const run = await runCli(
      ['whatif', '-', '-p', 'ultradns', '--no-http', '--format', 'json', ...lab.args()],
      { stdin: DOMAINS },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as WhatIfResult;
    expect(result.down).toEqual([]);
    expect(result.downIndirect).toEqual([
      {
        domain: 'cdn.umbrella-media.com',
        layers: ['cdn'],
        via: ['cdn: akamai → dns of akamaiedge.net: ultradns'],
      },
      {
        domain: 'www.umbrella-media.com',
        layers: ['cdn'],
        via: ['cdn: akamai → dns of akamaiedge.net: ultradns'],
      },
    ]);
    expect(result.unaffected).not.toContain('www.umbrella-media.com');
  });

  it('shows them in the table, markdown and HTML reports', async () => {
    const out = async (format: string) =>
      (await runCli(['audit', '-', '--no-http', '--format', format, ...lab.args()], { stdin: DOMAINS }))
        .stdout;
    const table = await out('table');
    expect(table).toContain("Indirect dependencies (a provider's provider):");
    expect(table).toMatch(/www\.umbrella-media\.com {2}cdn: akamai → dns of akamaiedge\.net: ultradns/);
    expect(table).toMatch(/ultradns +down 0 +degraded 0 +down via a provider's provider 2/);
    const md = await out('markdown');
    expect(md).toContain(
      '| www\\.umbrella-media.com | dns | ultradns | cdn: akamai → dns of akamaiedge.net: ultradns |',
    );
    expect(md).toContain("## Down via a provider's provider");
    const page = await out('html');
    expect(page).toContain('Indirect dependencies');
    expect(page).toContain('cdn: akamai → dns of akamaiedge.net');
  });
});
