import { describe, expect, it } from 'vitest';
import { failure, layerImpact, layerLost, lineage, lostLayers } from '../src/analyse/layer-loss.js';
import type { Dependency, Layer } from '../src/types.js';

const dep = (layer: Layer, provider: string, extra: Partial<Dependency> = {}): Dependency => ({
  layer,
  provider,
  evidence: [],
  ...extra,
});

describe('layerImpact', () => {
  it('loses a single-provider layer', () => {
    expect(layerLost([dep('dns', 'cloudflare')], 'dns', failure(['cloudflare']))).toBe(true);
  });

  it('keeps a layer with an alternative at the same order and names it', () => {
    const deps = [dep('dns', 'aws'), dep('dns', 'ns1')];
    const impact = layerImpact(deps, 'dns', failure(['aws']));
    expect(impact.lost).toBe(false);
    expect(impact.hit.map((d) => d.provider)).toEqual(['aws']);
    expect(impact.alternatives).toEqual(['ns1']);
    expect(layerLost(deps, 'dns', failure(['aws', 'ns1']))).toBe(true);
  });

  it('treats different orders as series: any group down loses the layer', () => {
    const deps = [dep('cdn', 'shopify', { order: 0 }), dep('cdn', 'cloudflare', { order: 1 })];
    expect(layerLost(deps, 'cdn', failure(['cloudflare']))).toBe(true);
    expect(layerLost(deps, 'cdn', failure(['shopify']))).toBe(true);
    expect(layerLost(deps, 'cdn', failure(['fastly']))).toBe(false);
  });

  it('needs a whole group down even when another group is in series', () => {
    const deps = [
      dep('cdn', 'a', { order: 0 }),
      dep('cdn', 'b', { order: 1 }),
      dep('cdn', 'c', { order: 1 }),
    ];
    const impact = layerImpact(deps, 'cdn', failure(['b']));
    expect(impact).toMatchObject({ lost: false, alternatives: ['c'] });
  });

  it('counts self as a surviving alternative and never as failed', () => {
    const deps = [dep('dns', 'self'), dep('dns', 'cloudflare')];
    expect(layerImpact(deps, 'dns', failure(['cloudflare']))).toMatchObject({
      lost: false,
      alternatives: ['self'],
    });
    expect(layerLost([dep('dns', 'self')], 'dns', failure(['self']))).toBe(false);
    expect(layerLost([dep('dns', 'self')], 'dns', () => true)).toBe(false);
  });

  it('treats an absent order as 0', () => {
    const deps = [dep('email', 'google'), dep('email', 'proofpoint', { order: 0 })];
    expect(layerLost(deps, 'email', failure(['google']))).toBe(false);
  });

  it('ignores other layers and empty layers', () => {
    const deps = [dep('dns', 'aws'), dep('cloud', 'aws')];
    expect(lostLayers(deps, failure(['aws']))).toEqual(['dns', 'cloud']);
    expect(layerLost(deps, 'email', failure(['aws']))).toBe(false);
  });
});

describe('relations', () => {
  const relations = { parents: { linode: 'akamai', ns1: 'ibm', a: 'b', b: 'a' } };

  it('fails children with their parent, not parents with their child', () => {
    expect(failure(['akamai'], relations)('linode')).toBe(true);
    expect(failure(['linode'], relations)('akamai')).toBe(false);
    expect(failure(['ibm'], relations)('ns1')).toBe(true);
  });

  it('survives a cycle in the catalogue', () => {
    expect(lineage(relations)('a')).toEqual(['a', 'b']);
  });
});

describe('layerLost', () => {
  it('agrees with layerImpact(...).lost on random dependency sets and outages', () => {
    // A small deterministic generator: layers, orders (absent included), self, repeated providers.
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const layers: Layer[] = ['dns', 'cdn', 'cloud', 'ca', 'email'];
    const providers = ['self', 'p0', 'p1', 'p2', 'p3', 'p4'];
    const orders = [0, 1, 2, undefined, Number.NaN];
    let lost = 0;
    for (let round = 0; round < 3000; round++) {
      // Past 32 dependencies layerLost hands over to layerImpact: both paths are compared.
      const deps = Array.from({ length: round % 50 === 0 ? 40 : rand(9) }, () => {
        const order = orders[rand(orders.length)];
        const region = ['r1', 'r2', undefined][rand(3)];
        return dep(layers[rand(3)]!, providers[rand(providers.length)]!, {
          ...(order === undefined ? {} : { order }),
          ...(region ? { region } : {}),
        });
      });
      // Whole providers and regional outages (the answer depends on the dependency too).
      const failed = failure(
        providers.filter(() => rand(2) === 0).map((p) => (rand(3) === 0 ? `${p}@r1` : p)),
        { parents: { p4: 'p3' } },
      );
      for (const layer of layers) {
        const expected = layerImpact(deps, layer, failed).lost;
        expect([round, layer, layerLost(deps, layer, failed)]).toEqual([round, layer, expected]);
        if (expected) lost++;
      }
    }
    // Both answers occurred often enough for the comparison to mean something.
    expect(lost).toBeGreaterThan(500);
    expect(lost).toBeLessThan(5000);
  });
});
