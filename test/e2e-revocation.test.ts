import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// The CA's revocation service as a provider's provider (IMC 2020): a certificate without a stapled
// OCSP response makes the site depend on the CA's responder, and so on whoever serves that
// responder's name (its CDN) and its zone (its DNS). The hosts are only resolved, in the lab.

const DIGICERT = { O: 'DigiCert Inc', CN: 'DigiCert Global G2 TLS RSA SHA256 2020 CA1' };
const LE = { O: "Let's Encrypt", CN: 'R12' };
const OCSP = { ocsp: ['http://ocsp.digicert.com'], crl: ['http://crl3.digicert.com/G2.crl'] };

const cloudflareNs = (zone: string) => [
  { name: zone, type: 'NS' as const, data: 'ada.ns.cloudflare.com' },
  { name: zone, type: 'A' as const, data: '104.16.1.1' },
];

const fixture: LabFixture = {
  zones: [
    'unstapled.test',
    'also.test',
    'stapled.test',
    'crlonly.test',
    'cloudflare.com',
    'cloudflare.net',
    'digicert.com',
    'edgecastcdn.net',
    'nsone.net',
    'lencr.org',
  ],
  records: [
    ...['unstapled.test', 'also.test', 'stapled.test', 'crlonly.test'].flatMap(cloudflareNs),
    { name: 'cloudflare.com', type: 'NS', data: 'ada.ns.cloudflare.com' },
    { name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' },
    { name: 'ocsp.digicert.com', type: 'CNAME', data: 'cs9.wac.edgecastcdn.net' },
    { name: 'cs9.wac.edgecastcdn.net', type: 'A', data: '192.229.211.108' },
    // Not UltraDNS: DigiCert owns it, so its name servers would be the CA's own.
    { name: 'digicert.com', type: 'NS', data: 'dns1.p01.nsone.net' },
    { name: 'dns1.p01.nsone.net', type: 'A', data: '198.51.44.1' },
    { name: 'r12.c.lencr.org', type: 'CNAME', data: 'crl.lencr.org.cdn.cloudflare.net' },
    { name: 'crl.lencr.org.cdn.cloudflare.net', type: 'A', data: '104.18.20.1' },
    { name: 'lencr.org', type: 'NS', data: 'ada.ns.cloudflare.com' },
  ],
  sites: {
    'unstapled.test': { issuer: DIGICERT, revocation: OCSP },
    'also.test': { issuer: DIGICERT, revocation: OCSP },
    'stapled.test': { issuer: DIGICERT, revocation: { ...OCSP, staple: true } },
    'crlonly.test': { issuer: LE, revocation: { crl: ['http://r12.c.lencr.org/42.crl'] } },
  },
};

let lab: Lab;
let doc: AuditDocument;
let file: string;
const byName: Record<string, DomainResult> = {};
const caPaths = (r: DomainResult) =>
  (r.indirect ?? [])
    .filter((d) => d.through.layer === 'ca')
    .map((d) => `${d.path.join(' > ')}: ${d.layer} ${d.provider}`);

beforeAll(async () => {
  lab = await startLab(fixture);
  const run = await runCli(['audit', '-', '--format', 'json', '--dns-checks', 'off', ...lab.args()], {
    stdin: Object.keys(fixture.sites).join('\n'),
  });
  expect(run.code, run.stderr).toBe(0);
  doc = JSON.parse(run.stdout) as AuditDocument;
  for (const d of doc.domains) byName[d.domain] = d;
  file = join(mkdtempSync(join(tmpdir(), 'singlepath-revocation-')), 'run.json');
  writeFileSync(file, run.stdout);
}, 60_000);
afterAll(() => lab?.close());

describe('revocation hosts as the CA’s own dependencies', () => {
  it('no staple: the OCSP responder’s CDN and its zone’s DNS sit under the CA', () => {
    const r = byName['unstapled.test']!;
    expect(r.observations.tls?.revocation?.stapled).toBe(false);
    expect(r.observations.dns.revocationHosts?.map((h) => `${h.kind} ${h.host}`)).toEqual([
      'ocsp ocsp.digicert.com',
    ]);
    expect(caPaths(r)).toEqual([
      'ca: digicert > dns of digicert.com: dns ns1',
      'ca: digicert > ocsp ocsp.digicert.com: cdn edgio',
    ]);
  });

  it('a stapled response: the responder is not needed, nothing is resolved or added', () => {
    const r = byName['stapled.test']!;
    expect(r.observations.tls?.revocation?.stapled).toBe(true);
    expect(r.observations.dns.revocationHosts).toBeUndefined();
    expect(caPaths(r)).toEqual([]);
  });

  it('a CRL-only CA (Let’s Encrypt since 2025): the CRL host is followed, and said to be one', () => {
    const r = byName['crlonly.test']!;
    expect(r.observations.tls?.revocation).toMatchObject({
      ocsp: [],
      crl: ['http://r12.c.lencr.org/42.crl'],
    });
    expect(caPaths(r)).toEqual([
      'ca: letsencrypt > crl r12.c.lencr.org: cdn cloudflare',
      'ca: letsencrypt > dns of lencr.org: dns cloudflare',
    ]);
  });

  it('each revocation host is resolved once per run', () => {
    expect(lab.dns.count('ocsp.digicert.com', 'A')).toBe(1);
    expect(lab.dns.count('crl3.digicert.com')).toBe(0);
  });

  it('the study: critical CA dependency needs no staple; the CA’s CDN is amplified through it', () => {
    const study = doc.summary.study!;
    expect(study.layers.find((l) => l.layer === 'ca')).toMatchObject({
      thirdParty: 4,
      critical: 3,
      stapled: 1,
      crlOnly: 1,
    });
    expect(study.amplification.find((a) => a.provider === 'edgio')).toEqual({
      provider: 'edgio',
      direct: 0,
      indirect: 2,
      total: 2,
      ratio: null,
      paths: [{ path: 'ca: digicert → cdn', domains: 2 }],
    });
    expect(study.providerDependencies).toContainEqual({
      layer: 'ca',
      provider: 'digicert',
      dependsOn: { layer: 'cdn', provider: 'edgio' },
      domains: 2,
      critical: 2,
    });
  });

  it('blast radius and whatif count the CA’s CDN as a provider’s provider', async () => {
    const edgio = doc.summary.blastRadius.find((b) => b.provider === 'edgio');
    expect(edgio).toMatchObject({ downCount: 0, degradedCount: 0, degradedIndirectCount: 2 });
    expect(edgio?.degradedIndirect).toEqual(['also.test', 'unstapled.test']);
    const run = await runCli(['whatif', '--provider', 'edgio', file, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.degraded).toEqual([
      { domain: 'also.test', layers: ['ca'], via: ['ca: digicert → ocsp ocsp.digicert.com: edgio'] },
      { domain: 'unstapled.test', layers: ['ca'], via: ['ca: digicert → ocsp ocsp.digicert.com: edgio'] },
    ]);
    expect(out.unaffected).toEqual(['crlonly.test', 'stapled.test']);
    const md = await runCli(['whatif', '--provider', 'edgio', file, '--format', 'markdown']);
    expect(md.stdout).toContain(
      '| unstapled.test | degraded | ca | via ca: digicert → ocsp ocsp.digicert.com: edgio |',
    );
  });

  it('reports show the tier: markdown, html, prometheus', async () => {
    const md = await runCli(['report', file, '--format', 'markdown']);
    expect(md.stdout).toContain("## Degraded via a provider's provider");
    expect(md.stdout).toContain('| edgio | 2 | also.test, unstapled.test |');
    const page = await runCli(['report', file, '--format', 'html']);
    expect(page.stdout).toContain("degraded via a provider's provider: </span>");
    const prom = await runCli(['report', file, '--format', 'prometheus']);
    expect(prom.stdout).toContain(
      'singlepath_blast_radius_domains{provider="edgio",impact="degraded_indirect"} 2',
    );
  });
});
