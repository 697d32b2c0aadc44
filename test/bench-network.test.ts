import { describe, expect, it } from 'vitest';
import { createNetwork, LOSSY, logNormal, seededRandom } from '../scripts/bench/network.js';

// The lossy bench's network model: its distribution, loss and rate limit, with a fixed seed.

describe('bench network model', () => {
  it('draws delays with the median and 99th percentile asked for', () => {
    const draw = logNormal(30, 400, seededRandom(7));
    const xs = Array.from({ length: 100_000 }, draw).sort((a, b) => a - b);
    expect(xs[50_000]!).toBeGreaterThan(29);
    expect(xs[50_000]!).toBeLessThan(31);
    expect(xs[99_000]!).toBeGreaterThan(380);
    expect(xs[99_000]!).toBeLessThan(420);
  });

  it('is the same network for the same seed', () => {
    const a = createNetwork(LOSSY, () => 0);
    const b = createNetwork(LOSSY, () => 0);
    for (let i = 0; i < 1000; i++) expect(a()).toEqual(b());
  });

  it('loses 1% of queries', () => {
    const fate = createNetwork({ ...LOSSY, rateLimit: 0 }, () => 0);
    let lost = 0;
    for (let i = 0; i < 100_000; i++) if (fate().kind === 'lost') lost++;
    expect(lost / 100_000).toBeGreaterThan(0.009);
    expect(lost / 100_000).toBeLessThan(0.011);
  });

  it('refuses or drops what comes past the rate limit', () => {
    for (const rateAction of ['refuse', 'drop'] as const) {
      const clock = { t: 0 };
      const fate = createNetwork({ ...LOSSY, loss: 0, rateLimit: 1000, rateAction }, () => clock.t);
      const kinds: Record<string, number> = {};
      // 2000 queries a second for 10 s: half of them past the limit.
      for (let i = 0; i < 20_000; i++) {
        clock.t += 0.5;
        const k = fate().kind;
        kinds[k] = (kinds[k] ?? 0) + 1;
      }
      expect(kinds.answer).toBeGreaterThanOrEqual(10_000);
      expect(kinds.answer).toBeLessThanOrEqual(10_000 + 100);
      expect(kinds[rateAction]).toBe(20_000 - kinds.answer!);
    }
  });
});
