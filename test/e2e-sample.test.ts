import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { ROOT, runCli } from './helpers/cli.js';
import { type Lab, readFixture, startLab } from './helpers/lab.js';

// The bundled sample portfolio, audited by the real executable through the loopback lab.

let lab: Lab;
let doc: AuditDocument;
let stderr: string;

beforeAll(async () => {
  lab = await startLab(readFixture(join(ROOT, 'samples', 'lab.json')));
  const run = await runCli([
    'audit',
    join(ROOT, 'samples', 'domains.txt'),
    '--format',
    'json',
    ...lab.args(),
  ]);
  expect(run.code, run.stderr).toBe(0);
  stderr = run.stderr;
  doc = JSON.parse(run.stdout) as AuditDocument;
});
afterAll(() => lab?.close());

function domain(name: string): DomainResult {
  const d = doc.domains.find((x) => x.domain === name);
  if (!d) throw new Error(`${name} missing from the result`);
  return d;
}

/** "layer:provider[/service][@region][<via][#order][>direction]" per dependency, in document order. */
function deps(name: string): string[] {
  return domain(name).dependencies.map(
    (d) =>
      `${d.layer}:${d.provider}${d.service ? `/${d.service}` : ''}${d.region ? `@${d.region}` : ''}${d.via ? `<${d.via}` : ''}${d.order ? `#${d.order}` : ''}${d.direction ? `>${d.direction}` : ''}`,
  );
}

function risks(name: string): string[] {
  return domain(name).risks.map(
    (r) => `${r.severity} ${r.kind}${r.layer ? ` ${r.layer}` : ''}${r.provider ? ` ${r.provider}` : ''}`,
  );
}

const strip = (list: string[]) => list.map((s) => s.replace(/\/[^@<#>]*/, ''));

describe('sample portfolio end to end', () => {
  it('lists every input domain once, sorted, with schema 1', () => {
    expect(doc.schema).toBe(1);
    const names = doc.domains.map((d) => d.domain);
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(15);
    expect(stderr).not.toMatch(/skipped/);
  });

  it.each([
    ['www.northwind-retail.com', ['dns:cloudflare', 'cdn:cloudflare', 'ca:google', 'email:google']],
    [
      'shop.northwind-retail.com',
      ['dns:cloudflare', 'cdn:cloudflare<shopify', 'cdn:shopify#1', 'ca:google', 'email:google'],
    ],
    ['www.contoso-travel.com', ['dns:aws', 'cdn:aws', 'cloud:aws', 'ca:aws', 'email:microsoft']],
    ['api.contoso-travel.com', ['dns:aws', 'cloud:aws@us-east-1', 'ca:aws', 'email:microsoft']],
    [
      'www.fabrikam-media.com',
      ['dns:akamai', 'dns:ultradns', 'cdn:akamai', 'ca:digicert', 'email:proofpoint'],
    ],
    [
      'www.tailspin-news.com',
      [
        'dns:aws',
        'dns:ns1',
        'cdn:fastly',
        'ca:globalsign',
        'email:mimecast@us',
        'email:mailchimp>outbound',
        'email:mimecast>outbound',
        'email:valimail>reports',
      ],
    ],
    ['www.woodgrove-bank.com', ['dns:microsoft', 'cdn:microsoft', 'ca:microsoft', 'email:microsoft']],
    ['www.adventure-works.org', ['dns:self', 'ca:letsencrypt', 'email:self']],
    ['docs.litware-labs.io', ['dns:cloudflare', 'cdn:fastly<github', 'cdn:github#1', 'ca:letsencrypt']],
    ['app.litware-labs.io', ['dns:cloudflare', 'cdn:vercel', 'cloud:aws<vercel', 'ca:letsencrypt']],
    ['status.litware-labs.io', ['dns:cloudflare', 'cdn:heroku', 'cloud:aws<heroku', 'ca:sectigo']],
    ['www.proseware-health.com', ['dns:aws', 'cdn:cloudflare', 'cdn:aws#1', 'ca:google', 'email:google']],
    ['www.blue-yonder-air.com', ['dns:google', 'cdn:google', 'cloud:google', 'ca:google', 'email:google']],
  ])('%s depends on %j', (name, expected) => {
    expect(strip(deps(name))).toEqual(expected);
    expect(domain(name).error).toBeUndefined();
  });

  it('names services and regions where they are visible', () => {
    expect(deps('www.contoso-travel.com')).toContain('cdn:aws/cloudfront');
    expect(deps('api.contoso-travel.com')).toContain('cloud:aws/elb@us-east-1');
    expect(deps('www.proseware-health.com')).toContain('cdn:aws/cloudfront#1');
  });

  it('flags single providers and shared fate with severities', () => {
    expect(risks('www.northwind-retail.com')).toEqual([
      'critical shared-fate cloudflare',
      'high single-provider dns cloudflare',
      'high single-provider cdn cloudflare',
      'medium shared-fate google',
      'medium single-provider ca google',
      'medium single-provider email google',
    ]);
    expect(risks('www.woodgrove-bank.com')[0]).toBe('critical shared-fate microsoft');
    expect(risks('www.fabrikam-media.com')).toContain('info redundant dns');
    expect(risks('www.fabrikam-media.com')).not.toContain('high single-provider dns akamai');
    // Self-hosted, but both name servers in 198.51.100.0/24: one network is a single path too.
    expect(risks('www.adventure-works.org')).toEqual([
      'medium single-provider dns self',
      'medium single-provider ca letsencrypt',
      'low ns-same-network dns',
    ]);
    expect(risks('shop.northwind-retail.com')).toEqual(
      expect.arrayContaining(['high single-provider cdn cloudflare', 'high single-provider cdn shopify']),
    );
  });

  it('records failures per domain and goes on', () => {
    expect(domain('www.margies-travel.com').error?.code).toBe('NXDOMAIN');
    expect(domain('legacy.proseware-health.com').error?.code).toBe('SERVFAIL');
    expect(doc.summary.failed).toBe(2);
  });

  it('keeps the raw observations: cert validated against --ca-file, headers, NS and MX with ASNs', () => {
    const obs = domain('www.northwind-retail.com').observations;
    expect(obs.tls).toMatchObject({
      status: 'OK',
      authorized: true,
      issuer: { O: 'Google Trust Services', CN: 'WE1' },
    });
    expect(obs.http?.headers['cf-ray']).toEqual(['8f1d2c3b4a5e6f70-FRA']);
    expect(obs.dns.ns.hosts.map((h) => h.host)).toEqual(['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com']);
    expect(obs.dns.addresses[0]).toMatchObject({ asn: 13335 });
    expect(obs.dns.mx.hosts[0]).toMatchObject({ host: 'aspmx.l.google.com', priority: 1 });
  });

  it('asks the NS of a shared zone once for the whole run', () => {
    expect(lab.dns.count('northwind-retail.com', 'NS')).toBe(1);
    expect(lab.dns.count('litware-labs.io', 'NS')).toBe(1);
  });

  it('summarises the portfolio: shares, HHI and blast radius', () => {
    const dns = doc.summary.layers.find((l) => l.layer === 'dns')!;
    // www.margies-travel.com (NXDOMAIN) is in Cloudflare's zone but serves nothing: not counted.
    expect(dns.providers[0]).toMatchObject({ provider: 'cloudflare', domains: 5 });
    expect(doc.summary.blastRadius.find((b) => b.provider === 'cloudflare')!.down).not.toContain(
      'www.margies-travel.com',
    );
    expect(dns.hhi).toBeGreaterThan(0);
    const aws = doc.summary.blastRadius.find((b) => b.provider === 'aws')!;
    expect(aws.down).toEqual(
      expect.arrayContaining([
        'api.contoso-travel.com',
        'app.litware-labs.io',
        'status.litware-labs.io',
        'www.contoso-travel.com',
      ]),
    );
    expect(aws.down).not.toContain('www.tailspin-news.com');
  });
});
