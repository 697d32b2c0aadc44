import { describe, expect, it } from 'vitest';
import { adviceFor, kindAdvice } from '../src/analyse/advice.js';
import { type FindingKind, LAYERS } from '../src/types.js';

// Every finding kind says what removes it; single paths are concrete per layer and, where the
// way out is known, per provider.

const KINDS: FindingKind[] = [
  'single-provider',
  'shared-fate',
  'redundant',
  'unresolved',
  'probe-failed',
  'region-concentration',
  'multi-cdn',
  'lame-delegation',
  'ns-out-of-sync',
  'delegation-mismatch',
  'ns-unresolvable',
  'ns-same-network',
  'ns-too-few',
  'ns-single-tld',
  'spf-permerror',
  'no-https',
];

describe('advice', () => {
  for (const kind of KINDS)
    it(`${kind} has advice of its own`, () => {
      expect(kindAdvice(kind).length).toBeGreaterThan(40);
      expect(adviceFor({ kind, layer: 'dns', provider: 'example' }).length).toBeGreaterThan(40);
    });

  it('a single provider is advised per layer', () => {
    const texts = LAYERS.map((layer) =>
      adviceFor({ kind: 'single-provider', layer, provider: 'unknown-co' }),
    );
    expect(new Set(texts).size).toBe(LAYERS.length);
    expect(texts[LAYERS.indexOf('dns')]).toMatch(/zone transfer/);
    expect(texts[LAYERS.indexOf('cdn')]).toMatch(/second CDN/);
    expect(texts[LAYERS.indexOf('email')]).toMatch(/backup MX/);
    expect(texts[LAYERS.indexOf('ca')]).toMatch(/ACME/);
  });

  it('is concrete to the provider where the way out is known', () => {
    expect(adviceFor({ kind: 'single-provider', layer: 'dns', provider: 'aws' })).toMatch(
      /Route 53 offers no zone transfer/,
    );
    expect(adviceFor({ kind: 'single-provider', layer: 'ca', provider: 'letsencrypt' })).toMatch(
      /second ACME CA/,
    );
    expect(adviceFor({ kind: 'single-provider', layer: 'dns', provider: 'self' })).toMatch(/another network/);
  });
});
