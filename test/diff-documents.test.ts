import { describe, expect, it } from 'vitest';
import { diffDocuments, hasNewFindingAtLeast, isEmptyDiff, type SnapshotDiff } from '../src/snapshot/diff.js';
import type { AuditDocument, Finding } from '../src/types.js';
import { type Dep, result, snapshotDoc } from './helpers/results.js';

// Hand-built snapshot pairs, one change kind per test. Risks and summary come from the real
// analysis so the pairs look like what `audit` writes.

const doc = snapshotDoc;

const LATER = '2026-01-22T09:30:00.000Z';
const redundantDns: Dep[] = [
  ['dns', 'aws', { service: 'route53' }],
  ['dns', 'ns1'],
  ['cdn', 'cloudflare'],
];
const base = () => [
  result('a.example', redundantDns),
  result('b.example', [
    ['dns', 'cloudflare'],
    ['cdn', 'fastly'],
    ['ca', 'letsencrypt'],
  ]),
];

/** Only the change lists, to assert "nothing else moved". */
const changes = (d: SnapshotDiff) => ({
  domains: d.domains,
  layers: d.layers.length,
  new: d.findings.new.length,
  resolved: d.findings.resolved.length,
  severity: d.findings.severity.length,
  errors: d.errors.started.length + d.errors.stopped.length + d.errors.changed.length,
});
const key = (f: { domain: string; kind: string; severity?: string; layer?: string; provider?: string }) =>
  [f.domain, f.kind, f.severity, f.layer ?? '-', f.provider ?? '-'].join(' ');

describe('diffDocuments', () => {
  it('unchanged → empty diff, whatever the timestamps and volatile values say', () => {
    const before = doc(base());
    const after = doc(base(), LATER);
    after.domains[0]!.observations.dns.queries = 99;
    after.domains[0]!.dependencies[0]!.evidence = [{ signal: 'header', value: 'cf-ray: 123-FRA' }];
    const d = diffDocuments(before, after);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.old.generatedAt).toBe('2026-01-15T09:30:00.000Z');
    expect(d.new.generatedAt).toBe(LATER);
    expect(hasNewFindingAtLeast(d, 'info')).toBe(false);
  });

  it('domain added: listed, and its findings are new (flagged newDomain)', () => {
    const d = diffDocuments(doc(base()), doc([...base(), result('c.example', [['dns', 'godaddy']])]));
    expect(d.domains).toEqual({ added: ['c.example'], removed: [], failing: [], recovered: [] });
    expect(d.findings.new.map(key)).toEqual(['c.example single-provider high dns godaddy']);
    expect(d.findings.new[0]!.newDomain).toBe(true);
    expect(d.layers).toEqual([]);
    expect(hasNewFindingAtLeast(d, 'high')).toBe(true);
  });

  it('domain removed: listed; its findings are not "resolved"', () => {
    const d = diffDocuments(doc(base()), doc(base().slice(0, 1)));
    expect(d.domains).toEqual({ added: [], removed: ['b.example'], failing: [], recovered: [] });
    expect(d.findings.resolved).toEqual([]);
    expect(d.layers).toEqual([]);
  });

  it('provider gained at a layer', () => {
    const before = doc([result('a.example', [['dns', 'aws', { service: 'route53' }]])]);
    const after = doc([result('a.example', redundantDns.slice(0, 2))]);
    const d = diffDocuments(before, after);
    expect(d.layers).toEqual([
      {
        domain: 'a.example',
        layer: 'dns',
        before: [{ provider: 'aws', service: 'route53' }],
        after: [{ provider: 'aws', service: 'route53' }, { provider: 'ns1' }],
        gained: ['ns1'],
        lost: [],
        changed: [],
      },
    ]);
    expect(d.findings.resolved.map(key)).toEqual(['a.example single-provider high dns aws']);
    expect(d.findings.new.map(key)).toEqual(['a.example redundant info dns -']);
  });

  it('provider lost at a layer (the secondary DNS was dropped)', () => {
    const after = doc([
      result('a.example', [
        ['dns', 'aws', { service: 'route53' }],
        ['cdn', 'cloudflare'],
      ]),
    ]);
    const d = diffDocuments(doc(base().slice(0, 1)), after);
    expect(d.layers.map((c) => [c.domain, c.layer, c.gained, c.lost])).toEqual([
      ['a.example', 'dns', [], ['ns1']],
    ]);
    expect(d.findings.new.map(key)).toEqual(['a.example single-provider high dns aws']);
    expect(hasNewFindingAtLeast(d, 'high')).toBe(true);
    expect(hasNewFindingAtLeast(d, 'critical')).toBe(false);
  });

  it('layer changed: provider switched, and same provider with another service or position', () => {
    const before = doc([
      result('b.example', [
        ['dns', 'cloudflare'],
        ['cdn', 'fastly'],
        ['cloud', 'aws', { service: 'ec2', order: 1 }],
      ]),
    ]);
    const after = doc([
      result('b.example', [
        ['dns', 'cloudflare'],
        ['cdn', 'akamai'],
        ['cloud', 'aws', { service: 's3', order: 1 }],
      ]),
    ]);
    const d = diffDocuments(before, after);
    expect(d.layers.map((c) => [c.layer, c.gained, c.lost, c.changed])).toEqual([
      ['cdn', ['akamai'], ['fastly'], []],
      ['cloud', [], [], ['aws']],
    ]);
    expect(d.layers[1]!.after).toEqual([{ provider: 'aws', service: 's3', order: 1 }]);
  });

  it('new finding carries its severity; resolved finding carries the old one', () => {
    // b.example loses its only CA: medium single-provider resolved; a.example gains shared-fate.
    const before = doc(base());
    const after = doc([
      result('a.example', [...redundantDns, ['cloud', 'cloudflare', { order: 1 }]]),
      result('b.example', [
        ['dns', 'cloudflare'],
        ['cdn', 'fastly'],
      ]),
    ]);
    const d = diffDocuments(before, after);
    expect(d.findings.new.map(key)).toEqual([
      'a.example shared-fate high - cloudflare',
      'a.example single-provider medium cloud cloudflare',
    ]);
    expect(d.findings.resolved.map(key)).toEqual(['b.example single-provider medium ca letsencrypt']);
    expect(d.findings.new[0]!.message).toMatch(/cloudflare/);
  });

  it('severity change is not new/resolved, but counts as new at the level it rose to', () => {
    const f = (severity: Finding['severity']): Finding => ({
      kind: 'shared-fate',
      severity,
      provider: 'aws',
      args: { layers: ['cdn', 'cloud'] },
      message: 'aws sits under cdn, cloud',
    });
    const before = doc([{ ...result('a.example', []), risks: [f('low')] }]);
    const after = doc([{ ...result('a.example', []), risks: [f('critical')] }]);
    const d = diffDocuments(before, after);
    expect(changes(d)).toMatchObject({ new: 0, resolved: 0, severity: 1 });
    expect(d.findings.severity[0]).toMatchObject({ domain: 'a.example', before: 'low', after: 'critical' });
    expect(hasNewFindingAtLeast(d, 'critical')).toBe(true);
    // Falling severity is never "new".
    expect(hasNewFindingAtLeast(diffDocuments(after, before), 'low')).toBe(false);
  });

  it('a failure on either side is a state: failing and recovered, never new or resolved findings', () => {
    const timeout = { code: 'TIMEOUT', message: 'no answer' };
    const before = doc([
      result('a.example', redundantDns),
      result('b.example', [], timeout),
      result('c.example', [], { code: 'SERVFAIL', message: 'x' }),
    ]);
    const after = doc([
      result('a.example', [['cdn', 'cloudflare']], timeout),
      result('b.example', [['dns', 'godaddy']]),
      result('c.example', [], timeout),
    ]);
    const d = diffDocuments(before, after);
    expect(d.errors).toEqual({
      started: [{ domain: 'a.example', code: 'TIMEOUT', message: 'no answer' }],
      stopped: [{ domain: 'b.example', code: 'TIMEOUT' }],
      changed: [{ domain: 'c.example', code: 'SERVFAIL', to: 'TIMEOUT', message: 'no answer' }],
    });
    expect(d.domains.failing).toEqual([
      { domain: 'a.example', code: 'TIMEOUT', message: 'no answer', lastGood: '2026-01-15T09:30:00.000Z' },
      { domain: 'c.example', code: 'TIMEOUT', message: 'no answer', before: 'SERVFAIL' },
    ]);
    // b.example failed before and nothing good of it was carried: nothing to compare with.
    expect(d.domains.recovered).toEqual([{ domain: 'b.example', code: 'TIMEOUT', findings: { high: 1 } }]);
    expect(d.layers).toEqual([]);
    expect(d.findings).toEqual({ new: [], resolved: [], severity: [] });
  });

  it('shares and blast radius do not move by a failure: the failing domain is left out of both sides', () => {
    const before = doc(base());
    const after = doc([base()[0]!, result('b.example', [], { code: 'TIMEOUT', message: 'no answer' })]);
    const d = diffDocuments(before, after);
    expect(d.domains.failing.map((f) => f.domain)).toEqual(['b.example']);
    expect(d.portfolio).toEqual({ layers: [], blastRadius: [] });
    expect(
      isEmptyDiff({
        ...d,
        domains: { ...d.domains, failing: [] },
        errors: { started: [], stopped: [], changed: [] },
      }),
    ).toBe(true);
  });

  it('a recovered domain is compared with the last good result its failing snapshot carried', () => {
    const good = result('a.example', redundantDns);
    const lastGood = {
      generatedAt: '2026-01-01T00:00:00.000Z',
      dependencies: good.dependencies,
      risks: good.risks,
    };
    const failed = { ...result('a.example', [], { code: 'TIMEOUT', message: 'no answer' }), lastGood };
    // Back with the same facts: recovered, and nothing new.
    const same = diffDocuments(doc([failed]), doc([good]));
    expect(same.domains.recovered).toEqual([
      { domain: 'a.example', code: 'TIMEOUT', lastGood: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(same.findings.new).toEqual([]);
    expect(same.layers).toEqual([]);
    // Back with one DNS provider dropped: that is a real change against the facts, and news.
    const dropped: Dep[] = [
      ['dns', 'aws', { service: 'route53' }],
      ['cdn', 'cloudflare'],
    ];
    const worse = diffDocuments(doc([failed]), doc([result('a.example', dropped)]));
    expect(worse.layers.map((c) => [c.domain, c.layer, c.lost])).toEqual([['a.example', 'dns', ['ns1']]]);
    expect(worse.findings.new.map((f) => f.kind)).toContain('single-provider');
  });

  it('shares and HHI that moved, per layer and provider', () => {
    const before = doc(base());
    const after = doc([
      result('a.example', redundantDns),
      result('b.example', [
        ['dns', 'cloudflare'],
        ['cdn', 'cloudflare'],
        ['ca', 'letsencrypt'],
      ]),
    ]);
    const d = diffDocuments(before, after);
    expect(d.portfolio.layers).toEqual([
      {
        layer: 'cdn',
        coveredBefore: 2,
        coveredAfter: 2,
        hhiBefore: 5000,
        hhiAfter: 10000,
        hhiDelta: 5000,
        providers: [
          {
            provider: 'cloudflare',
            domainsBefore: 1,
            domainsAfter: 2,
            shareBefore: 0.5,
            shareAfter: 1,
            delta: 0.5,
          },
          {
            provider: 'fastly',
            domainsBefore: 1,
            domainsAfter: 0,
            shareBefore: 0.5,
            shareAfter: 0,
            delta: -0.5,
          },
        ],
      },
    ]);
    // cloudflare already took both down (a by its CDN, b by its DNS); fastly no longer takes b.
    expect(d.portfolio.blastRadius).toEqual([
      {
        provider: 'fastly',
        down: { before: 1, after: 0, added: [], removed: ['b.example'] },
        degraded: { before: 0, after: 0, added: [], removed: [] },
      },
    ]);
  });

  it('share and HHI moves below the thresholds are ignored', () => {
    const many = (n: number, odd: number) =>
      Array.from({ length: n }, (_, i) =>
        result(`d${String(i).padStart(3, '0')}.example`, [['dns', i < odd ? 'godaddy' : 'cloudflare']]),
      );
    // 1 domain of 200 moving: share 0.5 pts, HHI -99.
    const d = diffDocuments(doc(many(200, 0)), doc(many(200, 1)));
    expect(d.portfolio.layers).toEqual([]);
    expect(d.layers).toHaveLength(1);
    // Thresholds are options.
    expect(
      diffDocuments(doc(many(200, 0)), doc(many(200, 1)), { hhiThreshold: 1 }).portfolio.layers,
    ).toHaveLength(1);
  });

  it('is deterministic: shuffled domains, dependencies and findings give the same diff', () => {
    const before = doc(base());
    const after = doc([
      result('c.example', [
        ['dns', 'godaddy'],
        ['email', 'google'],
      ]),
      result('a.example', [
        ['dns', 'aws', { service: 'route53' }],
        ['cdn', 'akamai'],
      ]),
      result('b.example', [['dns', 'cloudflare']], { code: 'TIMEOUT', message: 't' }),
    ]);
    const expected = JSON.stringify(diffDocuments(before, after));
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const shuffle = <T>(xs: T[]): T[] => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const shuffled = (x: AuditDocument): AuditDocument => ({
      ...x,
      domains: shuffle(x.domains).map((r) => ({
        ...r,
        dependencies: shuffle(r.dependencies),
        risks: shuffle(r.risks),
      })),
    });
    for (let i = 0; i < 20; i++) {
      expect(JSON.stringify(diffDocuments(shuffled(before), shuffled(after)))).toBe(expected);
    }
  });

  it('hasNewFindingAtLeast honours the threshold', () => {
    const d = diffDocuments(doc([]), doc([result('c.example', [['ca', 'letsencrypt']])]));
    expect(d.findings.new.map((f) => f.severity)).toEqual(['medium']);
    expect(hasNewFindingAtLeast(d, 'low')).toBe(true);
    expect(hasNewFindingAtLeast(d, 'medium')).toBe(true);
    expect(hasNewFindingAtLeast(d, 'high')).toBe(false);
  });
});
