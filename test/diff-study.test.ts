import { describe, expect, it } from 'vitest';
import { renderDiff } from '../src/report/diff/index.js';
import { diffDocuments, isEmptyDiff } from '../src/snapshot/diff.js';
import type { IndirectDependency } from '../src/types.js';
import { result, snapshotDoc } from './helpers/results.js';

// What moved in the study view (IMC 2020 table) between two snapshots.

const doc = snapshotDoc;

const via = (cdn: string, provider: string, zone: string): IndirectDependency => ({
  layer: 'dns',
  provider,
  indirect: true,
  through: { layer: 'cdn', provider: cdn },
  zone,
  depth: 1,
  path: [`cdn: ${cdn}`, `dns of ${zone}`],
  evidence: [],
});

const lastWeek = () => [
  result('a.example', [
    ['dns', 'aws'],
    ['dns', 'ns1'],
    ['cdn', 'cloudflare'],
  ]),
  result('b.example', [
    ['dns', 'cloudflare'],
    ['cdn', 'fastly'],
  ]),
];
// b moves its CDN to akamai, whose zone is served by ultradns alone.
const thisWeek = () => [
  lastWeek()[0]!,
  {
    ...result('b.example', [
      ['dns', 'cloudflare'],
      ['cdn', 'akamai'],
    ]),
    indirect: [via('akamai', 'ultradns', 'akamaiedge.net')],
  },
];

describe('diff: the study view', () => {
  it('nothing moved: no study change and the diff stays empty', () => {
    const d = diffDocuments(doc(lastWeek()), doc(lastWeek(), '2026-01-22T09:30:00.000Z'));
    expect(d.portfolio.study).toBeUndefined();
    expect(isEmptyDiff(d)).toBe(true);
  });

  it('concentration, amplification and provider-to-provider changes', () => {
    const d = diffDocuments(doc(lastWeek()), doc(thisWeek()));
    expect(d.portfolio.study?.layers).toEqual([
      {
        layer: 'cdn',
        thirdParty: { before: 2, after: 2, shareBefore: 1, shareAfter: 1 },
        critical: { before: 2, after: 2, shareBefore: 1, shareAfter: 1 },
        redundant: { before: 0, after: 0, shareBefore: 0, shareAfter: 0 },
        hhiBefore: 5000,
        hhiAfter: 5000,
        concentration: [
          { k: 1, providerBefore: 'cloudflare', providerAfter: 'akamai', shareBefore: 0.5, shareAfter: 0.5 },
          { k: 2, providerBefore: 'fastly', providerAfter: 'cloudflare', shareBefore: 1, shareAfter: 1 },
        ],
      },
    ]);
    expect(d.portfolio.study?.amplification).toEqual([
      {
        provider: 'ultradns',
        directBefore: 0,
        directAfter: 0,
        totalBefore: 0,
        totalAfter: 1,
        ratioBefore: null,
        ratioAfter: null,
      },
    ]);
    expect(d.portfolio.study?.providerDependencies).toEqual([
      {
        layer: 'cdn',
        provider: 'akamai',
        dependsOn: { layer: 'dns', provider: 'ultradns' },
        domainsBefore: 0,
        domainsAfter: 1,
        criticalBefore: 0,
        criticalAfter: 1,
      },
    ]);
    expect(isEmptyDiff(d)).toBe(false);
  });

  it('a snapshot of an older version (no study in its summary) is compared from its domains', () => {
    const old = doc(lastWeek());
    delete old.summary.study;
    expect(diffDocuments(old, doc(thisWeek())).portfolio.study).toEqual(
      diffDocuments(doc(lastWeek()), doc(thisWeek())).portfolio.study,
    );
  });

  it('is shown in the markdown and table diffs', () => {
    const d = diffDocuments(doc(lastWeek()), doc(thisWeek()));
    const md = renderDiff(d, 'markdown', { color: false });
    expect(md).toContain('### Third-party dependency (IMC 2020)');
    expect(md).toContain('| CDN | top-1 | cloudflare 50.0% → akamai 50.0% |');
    expect(md).toContain('| ultradns | amplification | 0 → 1 domains (direct 0 → 0) |');
    expect(md).toContain(
      '| cdn: akamai → dns: ultradns | new dependency | 0 → 1 domains (1 with no alternative) |',
    );
    const text = renderDiff(d, 'table', { color: false });
    expect(text).toContain(
      'cdn: akamai → dns: ultradns  new dependency  0 → 1 domains (1 with no alternative)',
    );
  });
});

describe('diff: study moves below the thresholds', () => {
  const many = (n: number, odd: number) =>
    Array.from({ length: n }, (_, i) =>
      result(`d${String(i).padStart(4, '0')}.example`, [['dns', i < odd ? `tail${i}` : 'cloudflare']]),
    );

  it('a long-tail provider appearing is not news; one that weighs is', () => {
    // 2 domains of 1000 move to two tiny providers: k=2, k=3 get new names, shares move 0.1 pts.
    expect(diffDocuments(doc(many(1000, 0)), doc(many(1000, 2))).portfolio.study).toBeUndefined();
    // 30 move to one provider: 3% of the domains, a new k=2 worth reporting.
    const big = Array.from({ length: 1000 }, (_, i) =>
      result(`d${String(i).padStart(4, '0')}.example`, [['dns', i < 30 ? 'godaddy' : 'cloudflare']]),
    );
    const layers = diffDocuments(doc(many(1000, 0)), doc(big)).portfolio.study?.layers;
    expect(layers?.[0]?.concentration).toEqual([
      { k: 1, providerBefore: 'cloudflare', providerAfter: 'cloudflare', shareBefore: 1, shareAfter: 0.97 },
      { k: 2, providerAfter: 'godaddy', shareBefore: 1, shareAfter: 1 },
    ]);
  });
});
