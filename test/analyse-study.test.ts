import { describe, expect, it } from 'vitest';
import { SummaryBuilder, summarise } from '../src/analyse/portfolio.js';
import type { DomainResult, IndirectDependency, Layer, StudyLayer } from '../src/types.js';
import { type Dep, result } from './helpers/results.js';

// The study view (Kashaf, Sekar, Agarwal, IMC 2020): third-party use, critical dependency,
// top-k concentration, amplification through providers' providers, provider-to-provider table.

const via = (
  through: [Layer, string],
  provider: string,
  zone: string,
  alternatives?: string[],
): IndirectDependency => ({
  layer: 'dns',
  provider,
  indirect: true,
  through: { layer: through[0], provider: through[1] },
  zone,
  depth: 1,
  path: [`${through[0]}: ${through[1]}`, `dns of ${zone}`],
  ...(alternatives ? { alternatives } : {}),
  evidence: [],
});

const withIndirect = (r: DomainResult, indirect: IndirectDependency[]): DomainResult => ({ ...r, indirect });

const study = (results: DomainResult[]) => summarise(results).study!;
const layerOf = (results: DomainResult[], layer: Layer): StudyLayer =>
  study(results).layers.find((l) => l.layer === layer)!;

describe('study: third party, critical, redundant', () => {
  const results = [
    result('a.test', [['dns', 'cloudflare']]),
    result('b.test', [['dns', 'cloudflare']]),
    result('c.test', [
      ['dns', 'aws'],
      ['dns', 'ns1'],
    ]),
    result('d.test', [
      ['dns', 'self'],
      ['dns', 'aws'],
    ]),
    result('e.test', [['dns', 'self']]),
    result('f.test', [], { code: 'SERVFAIL', message: 'no answer' }),
  ];

  it('counts each domain once per layer, over the domains that resolved', () => {
    const s = study(results);
    expect(s.domains).toBe(5);
    const dns = layerOf(results, 'dns');
    expect(dns).toMatchObject({
      layer: 'dns',
      thirdParty: 4,
      thirdPartyShare: 0.8,
      critical: 2,
      criticalShare: 0.4,
      redundant: 2,
      redundantShare: 0.4,
    });
  });

  it('ranks providers by the domains critically dependent on them', () => {
    expect(layerOf(results, 'dns').providers).toEqual([
      { provider: 'cloudflare', critical: 2, criticalShare: 0.4 },
    ]);
  });

  it('a layer nobody uses has zeros, not a missing row', () => {
    expect(layerOf(results, 'email')).toMatchObject({ thirdParty: 0, critical: 0, redundant: 0, hhi: 0 });
    expect(study(results).layers.map((l) => l.layer)).toEqual(['dns', 'cdn', 'cloud', 'ca', 'email']);
  });

  it('two providers in series are each critical (Shopify in front of Cloudflare)', () => {
    const cdn = layerOf(
      [
        result('s.test', [
          ['cdn', 'shopify', { order: 0 }],
          ['cdn', 'cloudflare', { order: 1 }],
        ]),
      ],
      'cdn',
    );
    expect(cdn.critical).toBe(1);
    expect(cdn.providers.map((p) => p.provider)).toEqual(['cloudflare', 'shopify']);
  });
});

describe('study: top-k concentration is the union, not the sum', () => {
  // x critical for 3, y for 2 (one of them shared with x, in series), z for 1.
  const cdn = (domain: string, ...chain: string[]): DomainResult =>
    result(
      domain,
      chain.map((p, i): Dep => ['cdn', p, { order: i }]),
    );
  const results = [
    cdn('1.test', 'x'),
    cdn('2.test', 'x'),
    cdn('3.test', 'x', 'y'),
    cdn('4.test', 'y'),
    cdn('5.test', 'z'),
    result('6.test', [
      ['cdn', 'x'],
      ['cdn', 'z'],
    ]),
  ];

  it('k = 1..n with the providers added in rank order', () => {
    expect(layerOf(results, 'cdn').concentration).toEqual([
      { k: 1, provider: 'x', critical: 3, share: 0.5 },
      { k: 2, provider: 'y', critical: 4, share: 0.6667 },
      { k: 3, provider: 'z', critical: 5, share: 0.8333 },
    ]);
  });

  it('HHI over critical dependencies (3/2/1 of 6 incidences)', () => {
    // (50² + 33.3² + 16.7²) = 3889
    expect(layerOf(results, 'cdn').hhi).toBe(3889);
  });

  it('stops at k = 10', () => {
    const many = Array.from({ length: 14 }, (_, i) => cdn(`${i}.test`, `p${String(i).padStart(2, '0')}`));
    const c = layerOf(many, 'cdn').concentration;
    expect(c).toHaveLength(10);
    expect(c.at(-1)).toEqual({ k: 10, provider: 'p09', critical: 10, share: 0.7143 });
  });

  it('is the same when the domains arrive in another order or in two builders merged by re-adding', () => {
    const a = new SummaryBuilder();
    for (const r of [...results].reverse()) a.add(r);
    expect(a.finish().study).toEqual(study(results));
  });
});

describe('study: amplification through providers’ providers', () => {
  const results = [
    // Two sites on a CDN whose zone is served by ultradns alone; one also has its own NS at ultradns.
    withIndirect(
      result('a.test', [
        ['dns', 'ultradns'],
        ['cdn', 'akamai'],
      ]),
      [via(['cdn', 'akamai'], 'ultradns', 'akamaiedge.net')],
    ),
    withIndirect(
      result('b.test', [
        ['dns', 'cloudflare'],
        ['cdn', 'akamai'],
      ]),
      [via(['cdn', 'akamai'], 'ultradns', 'akamaiedge.net')],
    ),
    withIndirect(
      result('c.test', [
        ['dns', 'cloudflare'],
        ['cdn', 'fastly'],
      ]),
      [
        via(['cdn', 'fastly'], 'dyn', 'fastly.net', ['ultradns']),
        via(['cdn', 'fastly'], 'ultradns', 'fastly.net', ['dyn']),
      ],
    ),
    result('d.test', [['dns', 'ultradns']]),
  ];

  it('direct vs direct + indirect, the ratio and the path that makes the difference', () => {
    const ultra = study(results).amplification.find((a) => a.provider === 'ultradns');
    expect(ultra).toEqual({
      provider: 'ultradns',
      direct: 2,
      indirect: 1,
      total: 3,
      ratio: 1.5,
      paths: [{ path: 'cdn: akamai → dns', domains: 1 }],
    });
  });

  it('a provider known only through another has no direct figure and no ratio', () => {
    const r = [
      withIndirect(result('e.test', [['cdn', 'akamai']]), [
        via(['cdn', 'akamai'], 'ultradns', 'akamaiedge.net'),
      ]),
    ];
    expect(study(r).amplification.find((a) => a.provider === 'ultradns')).toEqual({
      provider: 'ultradns',
      direct: 0,
      indirect: 1,
      total: 1,
      ratio: null,
      paths: [{ path: 'cdn: akamai → dns', domains: 1 }],
    });
  });

  it('the provider-to-provider table: which CDN’s DNS is run by whom, and with no alternative', () => {
    expect(study(results).providerDependencies).toEqual([
      {
        layer: 'cdn',
        provider: 'akamai',
        dependsOn: { layer: 'dns', provider: 'ultradns' },
        domains: 2,
        critical: 2,
      },
      {
        layer: 'cdn',
        provider: 'fastly',
        dependsOn: { layer: 'dns', provider: 'dyn' },
        domains: 1,
        critical: 0,
      },
      {
        layer: 'cdn',
        provider: 'fastly',
        dependsOn: { layer: 'dns', provider: 'ultradns' },
        domains: 1,
        critical: 0,
      },
    ]);
  });
});

describe('study: a platform’s own provider is reached through the platform', () => {
  const results = [
    result('app.test', [
      ['cdn', 'vercel'],
      ['cloud', 'aws', { via: 'vercel' }],
    ]),
    result('shop.test', [
      ['cdn', 'cloudflare', { via: 'shopify', order: 0 }],
      ['cdn', 'shopify', { order: 1 }],
    ]),
    result('api.test', [['cloud', 'aws']]),
  ];

  it('counts it critical at the layer, and as indirect (platform → provider) in amplification', () => {
    const s = study(results);
    expect(s.layers.find((l) => l.layer === 'cloud')?.providers).toEqual([
      { provider: 'aws', critical: 2, criticalShare: 0.6667 },
    ]);
    expect(s.amplification.find((a) => a.provider === 'aws')).toEqual({
      provider: 'aws',
      direct: 1,
      indirect: 1,
      total: 2,
      ratio: 2,
      paths: [{ path: 'cdn: vercel → cloud', domains: 1 }],
    });
    expect(s.amplification.find((a) => a.provider === 'cloudflare')?.paths).toEqual([
      { path: 'cdn: shopify → cdn', domains: 1 },
    ]);
    expect(s.providerDependencies).toEqual([
      {
        layer: 'cdn',
        provider: 'shopify',
        dependsOn: { layer: 'cdn', provider: 'cloudflare' },
        domains: 1,
        critical: 1,
      },
      {
        layer: 'cdn',
        provider: 'vercel',
        dependsOn: { layer: 'cloud', provider: 'aws' },
        domains: 1,
        critical: 1,
      },
    ]);
  });
});
