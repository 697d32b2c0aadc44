import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RADIUS_NAMES, SummaryBuilder, summarise } from '../src/analyse/portfolio.js';
import { render } from '../src/report/index.js';
import { diffDocuments } from '../src/snapshot/diff.js';
import { parseSnapshot, readSnapshot } from '../src/snapshot/read.js';
import type { AuditDocument, BlastRadius, DomainResult } from '../src/types.js';
import { result } from './helpers/results.js';

// The blast radius of a large portfolio keeps exact counts and a bounded, order-independent
// sample of names: the first N in code-unit order. Memory stays flat, shards merge to the same
// summary as one run, and the diff still names every domain that moved.

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** n domains on one DNS provider (down) with a second one's CA (degraded), in shuffled order. */
function portfolio(n: number, dns = 'cloudflare'): DomainResult[] {
  const out: DomainResult[] = [];
  for (let i = 0; i < n; i++) {
    const name = `d${String((i * 7919) % n).padStart(5, '0')}.example`;
    out.push(
      result(name, [
        ['dns', dns],
        ['ca', 'letsencrypt'],
      ]),
    );
  }
  return out;
}

const doc = (results: DomainResult[], radiusNames?: number, generatedAt = '2026-01-15T09:30:00.000Z') =>
  ({
    schema: 1,
    tool: { name: 'singlepath', version: '0.1.0' },
    generatedAt,
    options: {},
    domains: results,
    summary: summarise(results, undefined, { radiusNames }),
  }) as AuditDocument;

const entry = (radius: BlastRadius[], provider: string) => radius.find((r) => r.provider === provider)!;

describe('capped blast-radius lists', () => {
  it('keeps exact counts and the first names in code-unit order, whatever the arrival order', () => {
    const results = portfolio(2500);
    const radius = summarise(results, undefined, { radiusNames: 10 }).blastRadius;
    const all = results.map((r) => r.domain).sort(byCodeUnit);
    expect(entry(radius, 'cloudflare')).toEqual({
      provider: 'cloudflare',
      downCount: 2500,
      degradedCount: 0,
      down: all.slice(0, 10),
      degraded: [],
    });
    expect(entry(radius, 'letsencrypt').degradedCount).toBe(2500);
    expect(entry(radius, 'letsencrypt').degraded).toEqual(all.slice(0, 10));
  });

  it(`caps at ${RADIUS_NAMES} names by default and keeps all with Infinity`, () => {
    const results = portfolio(RADIUS_NAMES + 5);
    expect(entry(summarise(results).blastRadius, 'cloudflare').down).toHaveLength(RADIUS_NAMES);
    const whole = summarise(results, undefined, { radiusNames: Number.POSITIVE_INFINITY }).blastRadius;
    expect(entry(whole, 'cloudflare').down).toHaveLength(RADIUS_NAMES + 5);
    const none = summarise(results, undefined, { radiusNames: 0 }).blastRadius;
    expect(entry(none, 'cloudflare')).toMatchObject({ downCount: RADIUS_NAMES + 5, down: [] });
    expect(() => new SummaryBuilder(undefined, { radiusNames: -1 })).toThrow(/radiusNames/);
  });

  it('gives the same summary for any order and any split into shards (property)', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}\.test$/), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(
        names,
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (list, cap, parts) => {
          const results = list.map((d, i) => result(d, [['dns', i % 3 === 0 ? 'ns1' : 'cloudflare']]));
          const one = summarise(results, undefined, { radiusNames: cap });
          // Shards finish in any order: feed them interleaved backwards.
          const builder = new SummaryBuilder(undefined, { radiusNames: cap });
          for (let p = parts - 1; p >= 0; p--)
            for (let i = results.length - 1; i >= 0; i--) if (i % parts === p) builder.add(results[i]!);
          const merged = builder.finish();
          expect(merged).toEqual(one);
          for (const r of one.blastRadius) {
            const expected = results
              .filter((x) => x.dependencies[0]!.provider === r.provider)
              .map((x) => x.domain)
              .sort(byCodeUnit);
            expect(r.downCount).toBe(expected.length);
            expect(r.down).toEqual(expected.slice(0, cap));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('renders counts, not list lengths, and says how many names are not listed', () => {
    const d = doc(portfolio(40), 3);
    const table = render(d, 'table', { color: false });
    expect(table).toMatch(/cloudflare\s+down 40\s+degraded 0/);
    const md = render(d, 'markdown', { color: false });
    expect(md).toContain('| cloudflare | 40 | 0 |');
    const html = render(d, 'html', { color: false });
    expect(html).toContain('<b>40</b>');
    expect(html).toContain('… and 37 more not listed in the summary');
    const json = JSON.parse(render(d, 'json', { color: false })) as AuditDocument;
    expect(entry(json.summary.blastRadius, 'cloudflare')).toMatchObject({
      downCount: 40,
      down: ['d00000.example', 'd00001.example', 'd00002.example'],
    });
  });

  it('diffs cut lists by working the radius out again from the domains', () => {
    const before = portfolio(30);
    // Five domains move from cloudflare to ns1; one new domain arrives on ns1.
    const moved = new Set([
      'd00003.example',
      'd00011.example',
      'd00017.example',
      'd00020.example',
      'd00029.example',
    ]);
    const after = [
      ...before.map((r) => (moved.has(r.domain) ? result(r.domain, [['dns', 'ns1']]) : r)),
      result('new.example', [['dns', 'ns1']]),
    ];
    const whole = diffDocuments(
      doc(before, Number.POSITIVE_INFINITY),
      doc(after, Number.POSITIVE_INFINITY, '2026-01-16T00:00:00.000Z'),
    );
    const cut = diffDocuments(doc(before, 2), doc(after, 2, '2026-01-16T00:00:00.000Z'));
    expect(cut.portfolio.blastRadius).toEqual(whole.portfolio.blastRadius);
    const cf = cut.portfolio.blastRadius.find((c) => c.provider === 'cloudflare')!;
    expect(cf.down).toEqual({ before: 30, after: 25, added: [], removed: [...moved].sort() });
    const ns1 = cut.portfolio.blastRadius.find((c) => c.provider === 'ns1')!;
    expect(ns1.down.added).toEqual([...moved, 'new.example'].sort());
  });

  it('rebuilds both sides when only one is cut, so both use the same relations', () => {
    const results = portfolio(5, 'linode');
    const relations = { parents: { linode: 'akamai' } };
    // The old snapshot was written with linode under akamai and kept whole lists; the new one is
    // cut. Diffed without those relations, akamai must not show every domain as removed.
    const old = { ...doc(results, 100), summary: summarise(results, relations, { radiusNames: 100 }) };
    const diff = diffDocuments(old, doc(results, 1, '2026-01-16T00:00:00.000Z'));
    expect(diff.portfolio.blastRadius).toEqual([]);
  });

  it('uses the relations given to the diff when it must work the radius out again', () => {
    const results = portfolio(5, 'linode');
    const later = [...results, result('z.example', [['dns', 'linode']])];
    const relations = { parents: { linode: 'akamai' } };
    const diff = diffDocuments(doc(results, 1), doc(later, 1, '2026-01-16T00:00:00.000Z'), { relations });
    expect(diff.portfolio.blastRadius.find((c) => c.provider === 'akamai')?.down.added).toEqual([
      'z.example',
    ]);
  });
});

describe('reading snapshots with and without counts', () => {
  it('takes counts from the lists of a snapshot written before counts existed', () => {
    const old = readSnapshot(fileURLToPath(new URL('./fixtures/snapshot-v1.json', import.meta.url)));
    for (const r of old.summary.blastRadius) {
      expect(r.downCount).toBe(r.down.length);
      expect(r.degradedCount).toBe(r.degraded.length);
    }
  });

  it('keeps counts larger than the lists, and refuses a count that is not one', () => {
    const d = doc(portfolio(12), 4);
    const back = parseSnapshot(JSON.stringify(d), 'cut.json');
    expect(entry(back.summary.blastRadius, 'cloudflare')).toMatchObject({ downCount: 12 });
    expect(entry(back.summary.blastRadius, 'cloudflare').down).toHaveLength(4);
    const bad = JSON.parse(JSON.stringify(d)) as AuditDocument;
    (bad.summary.blastRadius[0] as unknown as Record<string, unknown>).downCount = '12<script>';
    expect(() => parseSnapshot(JSON.stringify(bad), 'bad.json')).toThrow(
      /bad\.json: summary\.blastRadius\[0\]: "downCount" must be a count/,
    );
    const entry0 = bad.summary.blastRadius[0] as unknown as Record<string, unknown>;
    entry0.downCount = 1;
    expect(() => parseSnapshot(JSON.stringify(bad), 'bad.json')).toThrow(
      /"downCount" must be a count of at least the 4 names listed/,
    );
    entry0.downCount = 12;
    entry0.down = [1, { x: 1 }, null];
    expect(() => parseSnapshot(JSON.stringify(bad), 'bad.json')).toThrow(/"down" must list domain names/);
    entry0.down = 'x';
    expect(() => parseSnapshot(JSON.stringify(bad), 'bad.json')).toThrow(
      /"down" and "degraded" must be arrays/,
    );
  });
});
