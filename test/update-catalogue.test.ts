import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { Catalogue } from '../src/catalogue/catalogue.js';
import { loadCatalogue, resolveRangesDir } from '../src/catalogue/load.js';
import type { ProviderSpec } from '../src/catalogue/schema.js';
import { parseAws } from '../src/update/parse-aws.js';
import { GENERATED_BY, type PublishedRangeSet, type RangeSet } from '../src/update/published.js';

// How published ranges join the catalogue: the overlap rule between providers, and the checks
// on the cached files. No network: the files are written here.

const specs: ProviderSpec[] = [
  {
    id: 'aws',
    name: 'AWS',
    signals: { asn: [{ asns: [16509], layer: 'cloud' }] },
  },
  { id: 'fastly', name: 'Fastly', signals: { asn: [{ asns: [54113], layer: 'cdn' }] } },
  {
    id: 'netlify',
    name: 'Netlify',
    signals: { cidr: [{ cidrs: ['198.51.100.5/32'], layer: 'cdn', service: 'load-balancer' }] },
  },
  {
    id: 'cloudflare',
    name: 'Cloudflare',
    signals: { cidr: [{ cidrs: ['203.0.113.0/24'], layer: 'cdn' }] },
  },
];

const pub = (source: string, provider: string, cidrs: string[], extra: Partial<RangeSet> = {}) =>
  ({ source, provider, layer: 'cloud', cidrs, ...extra }) as PublishedRangeSet;

describe('published ranges in the catalogue: the overlap rule', () => {
  it('lets one provider overlap itself silently; the most specific range answers', () => {
    const c = new Catalogue(specs, 'test', [
      pub('aws', 'aws', ['198.18.0.0/15'], { region: 'us-east-1' }),
      pub('aws', 'aws', ['198.18.4.0/22'], { layer: 'cdn', service: 'cloudfront' }),
    ]);
    expect(c.warnings).toEqual([]);
    expect(c.matchAddress('198.18.4.1', 16509)).toMatchObject({ layer: 'cdn', service: 'cloudfront' });
    expect(c.matchAddress('198.18.9.1', 16509)).toMatchObject({ layer: 'cloud', region: 'us-east-1' });
  });

  it('warns when providers overlap and keeps the more specific range', () => {
    const c = new Catalogue(specs, 'test', [
      pub('aws', 'aws', ['198.18.0.0/15']),
      pub('fastly', 'fastly', ['198.18.7.0/24'], { layer: 'cdn' }),
    ]);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toMatch(
      /198\.18\.7\.0\/24 \(fastly.*inside 198\.18\.0\.0\/15 \(aws.*fastly is kept/,
    );
    expect(c.matchAddress('198.18.7.7', 16509)).toMatchObject({ provider: 'fastly', layer: 'cdn' });
    expect(c.matchAddress('198.18.8.8', 54113)).toMatchObject({ provider: 'aws', signal: 'cidr' });
  });

  it('settles the very same range of two providers by source order, with a warning', () => {
    const sets = [pub('fastly', 'fastly', ['198.18.7.0/24']), pub('aws', 'aws', ['198.18.7.0/24'])];
    for (const order of [sets, [...sets].reverse()]) {
      const c = new Catalogue(specs, 'test', order);
      expect(c.matchAddress('198.18.7.7', undefined)).toMatchObject({ provider: 'aws' });
      expect(c.warnings).toEqual([expect.stringMatching(/same range as .*aws.*: aws is kept/)]);
    }
  });

  it('prefers the hand-written catalogue for the same range and for a more specific one', () => {
    const c = new Catalogue(specs, 'test', [
      pub('aws', 'aws', ['203.0.113.0/24', '198.51.100.0/24'], { service: 'ec2' }),
    ]);
    expect(c.matchAddress('203.0.113.9', 16509)).toMatchObject({ provider: 'cloudflare' });
    expect(c.matchAddress('198.51.100.5', 16509)).toMatchObject({ provider: 'netlify' });
    expect(c.matchAddress('198.51.100.6', 16509)).toMatchObject({ provider: 'aws', service: 'ec2' });
    // The equal range is reported; the platform's /32 inside the cloud's range is by design.
    expect(c.warnings).toEqual([expect.stringMatching(/203\.0\.113\.0\/24 .* cloudflare is kept/)]);
  });

  it('a published range more specific than a hand-written one of another provider wins, with a warning', () => {
    const c = new Catalogue(specs, 'test', [pub('aws', 'aws', ['203.0.113.128/25'])]);
    expect(c.matchAddress('203.0.113.200', undefined)).toMatchObject({ provider: 'aws' });
    expect(c.matchAddress('203.0.113.10', undefined)).toMatchObject({ provider: 'cloudflare' });
    expect(c.warnings).toHaveLength(1);
  });

  it('still fails on a clash between hand-written ranges of two providers', () => {
    const clash: ProviderSpec[] = [
      ...specs,
      { id: 'other', name: 'Other', signals: { cidr: [{ cidrs: ['203.0.113.0/25'], layer: 'cdn' }] } },
    ];
    expect(() => new Catalogue(clash, 'test', [pub('aws', 'aws', ['198.18.0.0/15'])])).toThrow(/overlaps/);
  });

  it('ignores ranges of a provider the catalogue does not know, with a warning', () => {
    const c = new Catalogue(specs, 'test', [pub('oracle', 'oracle', ['198.18.0.0/15'])]);
    expect(c.matchAddress('198.18.0.1', undefined)).toBeNull();
    expect(c.warnings).toEqual(['published ranges of unknown provider "oracle" ignored']);
  });

  it('matches IPv6 and IPv4-mapped addresses', () => {
    const c = new Catalogue(specs, 'test', [
      pub('aws', 'aws', ['2001:db8::/32', '198.18.0.0/15'], { region: 'eu-west-1' }),
    ]);
    expect(c.matchAddress('2001:db8:1::1', undefined)).toMatchObject({ region: 'eu-west-1' });
    expect(c.matchAddress('::ffff:198.18.1.1', undefined)).toMatchObject({ provider: 'aws' });
    expect(c.matchAddress('2001:db9::1', undefined)).toBeNull();
  });
});

describe('loading the cached files', () => {
  let dir: string;
  beforeEach((ctx) => {
    dir = mkdtempSync(join(tmpdir(), 'singlepath-ranges-load-'));
    ctx.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  });

  const write = (source: string, sets: RangeSet[], extra: Record<string, unknown> = {}) =>
    writeFileSync(
      join(dir, `${source}.json`),
      JSON.stringify({
        generatedBy: GENERATED_BY,
        format: 1,
        source,
        url: 'x',
        fetchedAt: 'x',
        sets,
        ...extra,
      }),
    );

  it('skips goog.json without cloud.json, which would call Cloud customers a front end', () => {
    write('google-services', [
      { provider: 'google', layer: 'cdn', service: 'google-frontend', cidrs: ['34.0.0.0/8'] },
    ]);
    const c = loadCatalogue({ rangesDir: dir });
    expect(c.publishedRanges).toBe(0);
    expect(c.warnings).toEqual([
      expect.stringMatching(/google-services\.json: not used without google-cloud\.json/),
    ]);
  });

  it('refuses a damaged file, naming it and the fix', () => {
    write('fastly', [{ provider: 'fastly', layer: 'cdn', cidrs: ['151.101.0.0/33'] }]);
    expect(() => loadCatalogue({ rangesDir: dir })).toThrow(
      /fastly\.json: sets\[0\]\.cidrs\[0\].*update-data/,
    );
    write('fastly', [], { generatedBy: 'someone' });
    expect(() => loadCatalogue({ rangesDir: dir })).toThrow(/not written by singlepath update-data/);
  });

  it('requires an explicit folder to exist, and falls back to none when the default is absent', () => {
    expect(() => loadCatalogue({ rangesDir: join(dir, 'nope') })).toThrow(/does not exist/);
    expect(resolveRangesDir(undefined, { SINGLEPATH_CACHE_DIR: join(dir, 'nope') })).toBeUndefined();
    expect(
      resolveRangesDir(undefined, { SINGLEPATH_CACHE_DIR: dir.replace(/\/[^/]+$/, '') }),
    ).toBeUndefined();
    expect(resolveRangesDir('/some/dir', {})).toBe('/some/dir');
  });

  it('leaves the catalogue as it was without a ranges folder', () => {
    const c = loadCatalogue();
    expect(c.publishedRanges).toBe(0);
    expect(c.warnings).toEqual([]);
  });
});

describe('AWS parser', () => {
  it('keeps the specific service over AMAZON for one prefix, and rejects a changed format', () => {
    const doc = {
      prefixes: [
        { ip_prefix: '3.80.0.0/12', region: 'us-east-1', service: 'AMAZON' },
        { ip_prefix: '3.80.0.0/12', region: 'us-east-1', service: 'EC2' },
        { ip_prefix: '13.34.0.0/16', region: 'eu-west-1', service: 'API_GATEWAY' },
      ],
      ipv6_prefixes: [],
    };
    expect(parseAws(JSON.stringify(doc))).toEqual([
      { provider: 'aws', layer: 'cloud', service: 'ec2', region: 'us-east-1', cidr: '3.80.0.0/12' },
      { provider: 'aws', layer: 'cloud', service: 'api-gateway', region: 'eu-west-1', cidr: '13.34.0.0/16' },
    ]);
    expect(() => parseAws('{"prefixes": {}}')).toThrow(/"prefixes": expected an array/);
    expect(() => parseAws('{"prefixes": [{"ip_prefix": "3.0.0.0/8"}], "ipv6_prefixes": []}')).toThrow(
      /service/,
    );
  });
});
