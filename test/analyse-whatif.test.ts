import { describe, expect, it } from 'vitest';
import { whatIf } from '../src/analyse/whatif.js';
import type { Dependency, DomainResult, Layer } from '../src/types.js';

const dep = (layer: Layer, provider: string, extra: Partial<Dependency> = {}): Dependency => ({
  layer,
  provider,
  evidence: [],
  ...extra,
});

const result = (domain: string, dependencies: Dependency[]): DomainResult => ({
  domain,
  observations: {} as DomainResult['observations'],
  dependencies,
  risks: [],
});

const results = [
  result('vercel.example', [
    dep('dns', 'vercel'),
    dep('cdn', 'vercel'),
    dep('cloud', 'aws', { via: 'vercel' }),
  ]),
  result('redundant.example', [dep('dns', 'aws'), dep('dns', 'ns1'), dep('cloud', 'linode')]),
  result('selfdns.example', [dep('dns', 'self'), dep('dns', 'aws'), dep('email', 'google')]),
  result('mail.example', [dep('dns', 'cloudflare'), dep('email', 'aws', { service: 'ses' })]),
  result('other.example', [dep('dns', 'cloudflare'), dep('cloud', 'hetzner')]),
  result('failed.example', []),
];

describe('whatIf', () => {
  it('sorts the four outcomes and names the redundancy that saved a domain', () => {
    expect(whatIf(results, ['aws'])).toEqual({
      providers: ['aws'],
      down: [{ domain: 'vercel.example', layers: ['cloud'], via: ['aws', 'vercel'] }],
      degraded: [{ domain: 'mail.example', layers: ['email'] }],
      survived: [
        { domain: 'redundant.example', savedBy: [{ layer: 'dns', alternatives: ['ns1'] }] },
        { domain: 'selfdns.example', savedBy: [{ layer: 'dns', alternatives: ['self'] }] },
      ],
      unaffected: ['failed.example', 'other.example'],
    });
  });

  it('fails children with their parent and reports the child it came through', () => {
    const r = whatIf(results, ['akamai', 'ns1'], { parents: { linode: 'akamai' } });
    expect(r.providers).toEqual(['akamai', 'ns1']);
    expect(r.down).toEqual([
      {
        domain: 'redundant.example',
        layers: ['cloud'],
        via: ['linode'],
        owners: [{ provider: 'linode', owner: 'akamai' }],
      },
    ]);
  });

  it('downs a domain whose every alternative failed, listing all lost layers', () => {
    const r = whatIf(results, ['ns1', 'aws', 'aws']);
    expect(r.providers).toEqual(['aws', 'ns1']);
    expect(r.down.map((d) => d.domain)).toEqual(['redundant.example', 'vercel.example']);
    expect(r.down[0]).toEqual({ domain: 'redundant.example', layers: ['dns'], via: ['aws', 'ns1'] });
  });

  it('degrades without downing when only email or ca is lost', () => {
    const r = whatIf(results, ['google']);
    expect(r.degraded).toEqual([{ domain: 'selfdns.example', layers: ['email'] }]);
    expect(r.down).toEqual([]);
  });

  it('never fails self', () => {
    const r = whatIf(results, ['self', 'aws']);
    expect(r.providers).toEqual(['aws', 'self']);
    expect(r.survived.find((s) => s.domain === 'selfdns.example')).toBeDefined();
  });

  it('a regional outage fails only the dependencies seen in that region', () => {
    const results: DomainResult[] = [
      {
        domain: 'api.example',
        observations: undefined as never,
        risks: [],
        dependencies: [{ layer: 'cloud', provider: 'aws', region: 'us-east-1', evidence: [] }],
      },
      {
        domain: 'eu.example',
        observations: undefined as never,
        risks: [],
        dependencies: [{ layer: 'cloud', provider: 'aws', region: 'eu-west-1', evidence: [] }],
      },
      {
        domain: 'cdn.example',
        observations: undefined as never,
        risks: [],
        dependencies: [{ layer: 'cdn', provider: 'aws', service: 'cloudfront', evidence: [] }],
      },
    ];
    const r = whatIf(results, ['aws@us-east-1']);
    expect(r.down.map((d) => d.domain)).toEqual(['api.example']);
    // CloudFront with no visible region may be in us-east-1: possibly affected, not unaffected.
    expect(r.possiblyAffected).toEqual([{ domain: 'cdn.example', layers: ['cdn'], via: ['aws'] }]);
    expect(r.unaffected).toEqual(['eu.example']);
    expect(whatIf(results, ['aws']).down.map((d) => d.domain)).toEqual([
      'api.example',
      'cdn.example',
      'eu.example',
    ]);
  });
});
