import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { summarise } from '../src/analyse/portfolio.js';
import { whatIf } from '../src/analyse/whatif.js';
import { Catalogue } from '../src/catalogue/catalogue.js';
import { classify } from '../src/classify/index.js';
import { classifyIndirect } from '../src/classify/indirect.js';
import type { DomainResult, HostAddresses, Observation, ProviderZoneObservation } from '../src/types.js';
import { host, type ObsSpec, observation } from './helpers/observation.js';

// Providers' providers: who answers DNS for the zones a domain's providers answer from, and what
// their outage takes down through them. Hand-made observations and a tiny catalogue.

const catalogue = new Catalogue([
  {
    id: 'akamai',
    name: 'Akamai',
    domains: ['akamai.com', 'akam.net'],
    signals: { ns: [{ suffix: 'akam.net' }], cname: [{ suffix: 'akamaiedge.net', layer: 'cdn' }] },
  },
  {
    id: 'fastly',
    name: 'Fastly',
    domains: ['fastly.com'],
    signals: { cname: [{ suffix: 'fastly.net', layer: 'cdn' }] },
  },
  { id: 'ultradns', name: 'UltraDNS', signals: { ns: [{ suffix: 'ultradns.net' }] } },
  { id: 'ns1', name: 'NS1', parent: 'ibm', signals: { ns: [{ suffix: 'nsone.net' }] } },
  { id: 'ibm', name: 'IBM', signals: {} },
  { id: 'aws', name: 'AWS', signals: { ns: [{ pattern: '^ns-\\d+\\.awsdns-\\d+\\.com$' }] } },
]);
const relations = { parents: { ns1: 'ibm' } };

const zone = (name: string, depth: number, ...ns: string[]): ProviderZoneObservation => ({
  zone: name,
  depth,
  ns: { status: 'NOERROR', hosts: ns.map((h): HostAddresses => host(h)) },
});

const AKAMAI_EDGE = { cnames: ['www.shop.com.edgekey.net', 'e1.a.akamaiedge.net'] };

function obs(spec: Partial<ObsSpec>, zones: ProviderZoneObservation[]): Observation {
  const o = observation({ domain: 'www.shop.com', ns: [host('ns1.shop.com')], ...spec });
  if (zones.length) o.dns.providerZones = zones;
  return o;
}

const paths = (o: Observation) =>
  classifyIndirect(o, catalogue).map(
    (d) =>
      `${d.path.join(' > ')}: ${d.provider}${d.alternatives ? ` (with ${d.alternatives.join(', ')})` : ''}`,
  );

describe('classifyIndirect', () => {
  it.each([
    [
      'a CDN zone served by another DNS provider',
      AKAMAI_EDGE,
      [zone('akamaiedge.net', 1, 'pdns1.ultradns.net', 'pdns2.ultradns.net')],
      ['cdn: akamai > dns of akamaiedge.net: ultradns'],
    ],
    ['a CDN zone on its own name servers', AKAMAI_EDGE, [zone('akamaiedge.net', 1, 'a1-64.akam.net')], []],
    [
      'a CDN zone on name servers named after it',
      { cnames: ['x.map.fastly.net'] },
      [zone('fastly.net', 1, 'ns1.fastly.net')],
      [],
    ],
    [
      'a CDN zone on a domain its provider owns',
      { cnames: ['x.map.fastly.net'] },
      [zone('fastly.net', 1, 'ns1.fastly.com')],
      [],
    ],
    [
      'both: the third party is not alone',
      AKAMAI_EDGE,
      [zone('akamaiedge.net', 1, 'a1-64.akam.net', 'pdns1.ultradns.net')],
      ['cdn: akamai > dns of akamaiedge.net: ultradns (with self)'],
    ],
    [
      'a DNS provider whose zone is at another',
      { ns: [host('dns1.p01.nsone.net')] },
      [zone('nsone.net', 1, 'ns-1.awsdns-01.com')],
      ['dns: ns1 > dns of nsone.net: aws'],
    ],
    [
      'two levels',
      AKAMAI_EDGE,
      [zone('akamaiedge.net', 1, 'pdns1.ultradns.net'), zone('ultradns.net', 2, 'dns1.p01.nsone.net')],
      [
        'cdn: akamai > dns of akamaiedge.net: ultradns',
        'cdn: akamai > dns of akamaiedge.net: ultradns > dns of ultradns.net: ns1',
      ],
    ],
    ['a zone that was not observed', AKAMAI_EDGE, [], []],
    [
      'a CNAME target no provider owns',
      { cnames: ['www.other-site.com'] },
      [zone('other-site.com', 1, 'pdns1.ultradns.net')],
      [],
    ],
  ])('%s', (_name, spec, zones, expected) => {
    expect(paths(obs(spec, zones))).toEqual(expected);
  });

  it('follows CNAME targets seen from other vantages too', () => {
    const o = obs({ cnames: ['x.map.fastly.net'] }, [zone('akamaiedge.net', 1, 'pdns1.ultradns.net')]);
    o.dns.vantages = [
      {
        vantage: 'eu',
        resolver: '127.0.0.1:53',
        status: 'NOERROR',
        cnames: ['e1.a.akamaiedge.net'],
        finalName: 'e1.a.akamaiedge.net',
        addresses: [],
        ecs: 'used',
      },
    ];
    expect(paths(o)).toEqual(['cdn: akamai > dns of akamaiedge.net: ultradns']);
  });

  it('records the zone, depth, path and evidence', () => {
    const [d] = classifyIndirect(
      obs(AKAMAI_EDGE, [zone('akamaiedge.net', 1, 'pdns1.ultradns.net')]),
      catalogue,
    );
    expect(d).toEqual({
      layer: 'dns',
      provider: 'ultradns',
      indirect: true,
      through: { layer: 'cdn', provider: 'akamai' },
      zone: 'akamaiedge.net',
      depth: 1,
      path: ['cdn: akamai', 'dns of akamaiedge.net'],
      evidence: [{ signal: 'ns', value: 'pdns1.ultradns.net' }],
    });
  });

  it('never changes the direct dependencies or findings', () => {
    const o = obs(AKAMAI_EDGE, [zone('akamaiedge.net', 1, 'pdns1.ultradns.net')]);
    const plain = obs(AKAMAI_EDGE, []);
    expect(classify(o, catalogue)).toEqual(classify(plain, catalogue));
    expect(domainRisks(classify(o, catalogue)).map((f) => f.provider)).not.toContain('ultradns');
  });
});

function result(domain: string, spec: Partial<ObsSpec>, zones: ProviderZoneObservation[]): DomainResult {
  const o = obs({ ...spec, domain }, zones);
  const dependencies = classify(o, catalogue);
  const r: DomainResult = { domain, observations: o, dependencies, risks: domainRisks(dependencies) };
  const indirect = classifyIndirect(o, catalogue);
  if (indirect.length) r.indirect = indirect;
  return r;
}

describe('outages through a provider’s provider', () => {
  const edge = [zone('akamaiedge.net', 1, 'pdns1.ultradns.net')];
  const deep = [...edge, zone('ultradns.net', 2, 'dns1.p01.nsone.net')];
  const results = [
    result('a.shop.com', AKAMAI_EDGE, edge),
    result('b.shop.com', AKAMAI_EDGE, [zone('akamaiedge.net', 1, 'a1-64.akam.net', 'pdns1.ultradns.net')]),
    result('c.shop.com', AKAMAI_EDGE, deep),
    result('d.shop.com', { cnames: ['x.map.fastly.net'] }, []),
    result('e.shop.com', { ns: [host('dns1.p01.nsone.net')] }, [zone('nsone.net', 1, 'ns-1.awsdns-01.com')]),
  ];
  const tier = (providers: string[]) => {
    const r = whatIf(results, providers, relations);
    return {
      down: r.down.map((d) => d.domain),
      indirect: (r.downIndirect ?? []).map(
        (d) => `${d.domain} ${d.layers.join('+')} via ${d.via.join('; ')}`,
      ),
    };
  };

  it('puts the domains behind the failed DNS of their CDN in a tier of their own', () => {
    expect(tier(['ultradns'])).toEqual({
      down: [],
      indirect: [
        'a.shop.com cdn via cdn: akamai → dns of akamaiedge.net: ultradns',
        'c.shop.com cdn via cdn: akamai → dns of akamaiedge.net: ultradns',
      ],
    });
  });

  it('follows two levels: the DNS of the DNS provider of the CDN zone', () => {
    expect(tier(['ns1']).indirect).toEqual([
      'c.shop.com cdn via cdn: akamai → dns of akamaiedge.net: ultradns',
    ]);
    // A parent's outage is its child's, at every level.
    expect(tier(['ibm']).indirect).toEqual([
      'c.shop.com cdn via cdn: akamai → dns of akamaiedge.net: ultradns',
    ]);
  });

  it('loses a domain whose own DNS provider cannot resolve its name servers', () => {
    expect(tier(['aws'])).toEqual({
      down: [],
      indirect: ['e.shop.com dns via dns: ns1 → dns of nsone.net: aws'],
    });
  });

  it('keeps a direct outage in the direct tier', () => {
    expect(tier(['akamai', 'ultradns'])).toEqual({
      down: ['a.shop.com', 'b.shop.com', 'c.shop.com'],
      indirect: [],
    });
  });

  it('puts the same domains in the blast radius tier, and nothing there without indirect data', () => {
    const radius = summarise(results, relations).blastRadius;
    const of = (p: string) => radius.find((b) => b.provider === p);
    expect(of('ultradns')).toEqual({
      provider: 'ultradns',
      downCount: 0,
      degradedCount: 0,
      downIndirectCount: 2,
      down: [],
      degraded: [],
      downIndirect: ['a.shop.com', 'c.shop.com'],
    });
    expect(of('ns1')?.downIndirect).toEqual(['c.shop.com']);
    expect(of('aws')?.downIndirect).toEqual(['e.shop.com']);
    expect(of('akamai')?.downIndirect).toBeUndefined();
    const flat = summarise(
      results.map(({ indirect: _, ...r }) => r),
      relations,
    ).blastRadius;
    expect(flat.some((b) => b.downIndirect)).toBe(false);
    expect(flat.find((b) => b.provider === 'ultradns')).toBeUndefined();
  });
});
