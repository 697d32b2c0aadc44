import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureAll, pct } from '../scripts/peer-coverage.js';
import { importPeer } from '../scripts/peers-import.js';
import { regexExample } from '../scripts/regex-example.js';

// The peers' own signature tables (data/peers, extracted by scripts/peers-import.ts) turned into
// one lab observation each: the share singlepath names as the right company must not drop.
// Figures per peer are in docs/peer-coverage.md.

const FLOOR: Record<string, number> = {
  cdncheck: 0.99,
  findcdn: 0.949,
  wptagent: 0.95,
  wappalyzer: 0.95,
  wafw00f: 0.96,
};

describe('peer coverage', () => {
  const all = measureAll();

  for (const c of all)
    it(`${c.peer}: named share stays at or above its floor`, () => {
      console.log(`${c.peer}: ${c.named}/${c.total} ${pct(c.named, c.total)}`);
      expect(c.total).toBeGreaterThan(20);
      expect(c.named / c.total).toBeGreaterThanOrEqual(FLOOR[c.peer]!);
    });
});

describe('peers-import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peers-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails loudly on a missing source file', () => {
    expect(() => importPeer('cdncheck', join(dir, 'nowhere'), 'v1', dir)).toThrow(/missing/);
  });

  it('refuses a table that shrank by more than a fifth', () => {
    const src = join(dir, 'cdncheck-src');
    mkdirSync(src);
    const common = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, [`p${i}.example`]]));
    writeFileSync(join(src, 'sources_data.json'), JSON.stringify({ common }));
    const t = importPeer('cdncheck', src, 'v1', dir);
    expect(t.signatures).toHaveLength(10);
    writeFileSync(join(dir, 'cdncheck.json'), JSON.stringify(t));
    writeFileSync(join(src, 'sources_data.json'), JSON.stringify({ common: { p0: ['p0.example'] } }));
    expect(() => importPeer('cdncheck', src, 'v2', dir)).toThrow(/down from 10/);
  });
});

describe('regexExample', () => {
  it.each([
    ['^cloudflare$', 'cloudflare'],
    ['aws.?elb', 'awsxelb'],
    ['Azion([-_]CDN)?', 'Azion-CDN'],
    ['\\.ns\\.cloudflare\\.com', '.ns.cloudflare.com'],
    ['^(?:ECS|ECAcc) \\(\\w+/\\d+\\)', 'ECS (a/1)'],
    ['^al[_-]?(sess|lb)=', 'al_sess='],
  ])('%s gives %s', (re, want) => {
    expect(regexExample(re)).toBe(want);
    expect(new RegExp(re, 'i').test(want)).toBe(true);
  });

  it('gives null for forms it cannot honour', () => {
    expect(regexExample('(?=x)y')).toBeNull();
    expect(regexExample('a\\1')).toBeNull();
  });
});
