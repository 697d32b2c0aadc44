import { describe, expect, it } from 'vitest';
import { SummaryBuilder, summarise } from '../src/analyse/portfolio.js';
import type { Dependency, DomainResult, Finding, Layer } from '../src/types.js';

const dep = (layer: Layer, provider: string, extra: Partial<Dependency> = {}): Dependency => ({
  layer,
  provider,
  evidence: [],
  ...extra,
});

const result = (
  domain: string,
  dependencies: Dependency[],
  extra: Partial<DomainResult> = {},
): DomainResult => ({
  domain,
  observations: {} as DomainResult['observations'],
  dependencies,
  risks: [],
  ...extra,
});

const risk = (severity: Finding['severity']): Finding => ({
  kind: 'single-provider',
  severity,
  args: {},
  message: '',
});

const layer = (results: DomainResult[], name: Layer) =>
  summarise(results).layers.find((l) => l.layer === name)!;

describe('HHI and shares', () => {
  it('is 5000 for two providers at 50/50', () => {
    expect(layer([result('a', [dep('dns', 'x')]), result('b', [dep('dns', 'y')])], 'dns').hhi).toBe(5000);
  });

  it('is 10000 for one provider', () => {
    expect(layer([result('a', [dep('cdn', 'x')]), result('b', [dep('cdn', 'x')])], 'cdn').hhi).toBe(10000);
  });

  it('is 3750 for 2/1/1 incidences, counting a redundant domain at both providers', () => {
    const results = [
      result('a', [dep('dns', 'x'), dep('dns', 'y')]),
      result('b', [dep('dns', 'x'), dep('dns', 'z')]),
    ];
    const dns = layer(results, 'dns');
    expect(dns.hhi).toBe(3750);
    expect(dns.covered).toBe(2);
    expect(dns.providers).toEqual([
      { provider: 'x', domains: 2, share: 1 },
      { provider: 'y', domains: 1, share: 0.5 },
      { provider: 'z', domains: 1, share: 0.5 },
    ]);
  });

  it('is 0 for an uncovered layer, ignores self, and counts a provider once per domain', () => {
    const results = [
      result('a', [dep('dns', 'self'), dep('cdn', 'x', { order: 0 }), dep('cdn', 'x', { order: 1 })]),
      result('b', [], { error: { code: 'TIMEOUT', message: 't' } }),
      result('c', [dep('cdn', 'y')]),
    ];
    expect(layer(results, 'dns')).toEqual({ layer: 'dns', covered: 0, providers: [], hhi: 0 });
    expect(layer(results, 'cdn').providers).toEqual([
      { provider: 'x', domains: 1, share: 0.3333 },
      { provider: 'y', domains: 1, share: 0.3333 },
    ]);
  });

  it('counts runsOn (via) dependencies at their layer', () => {
    const results = [result('a', [dep('cdn', 'vercel'), dep('cloud', 'aws', { via: 'vercel' })])];
    expect(layer(results, 'cloud').providers.map((p) => p.provider)).toEqual(['aws']);
  });
});

describe('counts', () => {
  it('counts domains, failures and findings per severity', () => {
    const s = summarise([
      result('a', [], { risks: [risk('high'), risk('high'), risk('info')] }),
      result('b', [], { error: { code: 'SERVFAIL', message: '' }, risks: [risk('critical')] }),
    ]);
    expect(s.domains).toBe(2);
    expect(s.failed).toBe(1);
    expect(s.findings).toEqual({ critical: 1, high: 2, medium: 0, low: 0, info: 1 });
    expect(s.layers.map((l) => l.layer)).toEqual(['dns', 'cdn', 'cloud', 'ca', 'email']);
  });

  it('is incremental: finish() after each add reflects what was added', () => {
    const b = new SummaryBuilder();
    b.add(result('a', [dep('dns', 'x')]));
    expect(b.finish().domains).toBe(1);
    b.add(result('b', [dep('dns', 'x')]));
    expect(b.finish().blastRadius).toEqual([
      { provider: 'x', downCount: 2, degradedCount: 0, down: ['a', 'b'], degraded: [] },
    ]);
  });
});

describe('blast radius', () => {
  const relations = { parents: { linode: 'akamai' } };
  const results = [
    // vercel edge running on aws: either one takes the site down
    result('vercel.example', [
      dep('dns', 'vercel'),
      dep('cdn', 'vercel'),
      dep('cloud', 'aws', { via: 'vercel' }),
    ]),
    // redundant DNS, own mail: aws alone only hits dns, which ns1 keeps up
    result('redundant.example', [
      dep('dns', 'aws'),
      dep('dns', 'ns1'),
      dep('cloud', 'linode'),
      dep('email', 'self'),
    ]),
    // chain: shopify in front of cloudflare; certificate and mail elsewhere
    result('chain.example', [
      dep('dns', 'self'),
      dep('cdn', 'shopify', { order: 0 }),
      dep('cdn', 'cloudflare', { order: 1 }),
      dep('ca', 'letsencrypt'),
      dep('email', 'google'),
    ]),
    result('mail.example', [dep('dns', 'self'), dep('email', 'google'), dep('ca', 'digicert')]),
  ];
  const radius = Object.fromEntries(summarise(results, relations).blastRadius.map((r) => [r.provider, r]));

  it('takes down a site through a runsOn (via) dependency', () => {
    expect(radius.aws).toEqual({
      provider: 'aws',
      downCount: 1,
      degradedCount: 0,
      down: ['vercel.example'],
      degraded: [],
    });
    expect(radius.vercel!.down).toEqual(['vercel.example']);
  });

  it('takes down children with a parent, including a parent never seen directly', () => {
    expect(radius.akamai).toEqual({
      provider: 'akamai',
      downCount: 1,
      degradedCount: 0,
      down: ['redundant.example'],
      degraded: [],
      // Named: its radius counts linode's dependencies.
      owns: ['linode'],
    });
    expect(radius.linode!.down).toEqual(['redundant.example']);
  });

  it('keeps redundant layers up and never lists self', () => {
    expect(radius.ns1).toEqual({ provider: 'ns1', downCount: 0, degradedCount: 0, down: [], degraded: [] });
    expect(radius.self).toBeUndefined();
  });

  it('takes down a series chain at either link', () => {
    expect(radius.shopify!.down).toEqual(['chain.example']);
    expect(radius.cloudflare!.down).toEqual(['chain.example']);
  });

  it('marks ca/email-only losses as degraded, with sorted lists', () => {
    expect(radius.google).toEqual({
      provider: 'google',
      downCount: 0,
      degradedCount: 2,
      down: [],
      degraded: ['chain.example', 'mail.example'],
    });
    expect(radius.letsencrypt!.degraded).toEqual(['chain.example']);
  });

  it('sorts by down desc, degraded desc, then id', () => {
    expect(summarise(results, relations).blastRadius.map((r) => r.provider)).toEqual([
      'akamai',
      'aws',
      'cloudflare',
      'linode',
      'shopify',
      'vercel',
      'google',
      'digicert',
      'letsencrypt',
      'ns1',
    ]);
  });
});

describe('blast radius and what-if agree on self', () => {
  it("the domain's own infrastructure, as an alternative, keeps a layer up in both", async () => {
    const { whatIf } = await import('../src/analyse/whatif.js');
    // Own MX with Google as a backup; the site on its own servers.
    const own = result('own.example', [dep('dns', 'self'), dep('email', 'self'), dep('email', 'google')]);
    const radius = summarise([own]).blastRadius.find((r) => r.provider === 'google');
    const w = whatIf([own], ['google']);
    expect(w.degraded).toEqual([]);
    expect(w.survived.map((s) => s.domain)).toEqual(['own.example']);
    expect(radius?.degraded ?? []).toEqual([]);
  });
});
