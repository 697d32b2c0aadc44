import { describe, expect, it } from 'vitest';
import { createAsnDb } from '../src/asn/index.js';
import { normalizeRanges } from '../src/asn/ranges.js';

const db = createAsnDb([
  { start: '1.0.0.0', end: '1.0.0.255', asn: 13335, org: 'Cloudflare, Inc.' },
  { start: '1.0.4.0', end: '1.0.7.255', asn: 38803, org: 'Gtelecom Pty Ltd' },
  { start: '1.0.8.0', end: '1.0.8.255', asn: 4134, org: 'Chinanet' },
  { start: '255.255.255.0', end: '255.255.255.255', asn: 64512, org: 'Édge "quoted"' },
  { start: '2001::', end: '2001:0:ffff:ffff:ffff:ffff:ffff:ffff', asn: 6939, org: 'Hurricane Electric LLC' },
  { start: '2001:4:112::', end: '2001:4:112:ffff:ffff:ffff:ffff:ffff', asn: 112, org: 'DNS-OARC' },
  {
    start: '2606:4700::',
    end: '2606:4700:ffff:ffff:ffff:ffff:ffff:ffff',
    asn: 13335,
    org: 'Cloudflare, Inc.',
  },
]);
const asn = (ip: string) => db.lookup(ip)?.asn ?? null;

describe('createAsnDb lookups', () => {
  it('returns asn and org', () => {
    expect(db.lookup('1.0.0.1')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(db.lookup('2606:4700:4700::1111')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(db.lookup('255.255.255.255')?.org).toBe('Édge "quoted"');
    expect(db.ranges).toBe(7);
    expect(db.source).toBe('inline');
  });

  it.each([
    ['1.0.0.0', 13335],
    ['1.0.0.255', 13335],
    ['1.0.1.0', null], // one past the end, in a gap
    ['1.0.3.255', null],
    ['1.0.4.0', 38803],
    ['1.0.7.255', 38803],
    ['1.0.8.0', 4134], // one past the end, next range
    ['0.0.0.0', null],
    ['255.255.255.254', 64512],
  ])('IPv4 edge %s -> %s', (ip, want) => expect(asn(ip)).toBe(want));

  it.each([
    ['2001::', 6939],
    ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 6939],
    ['2001:1::', null],
    ['2001:4:111:ffff:ffff:ffff:ffff:ffff', null],
    ['2001:4:112::', 112],
    ['2001:4:112:ffff:ffff:ffff:ffff:ffff', 112],
    ['2001:4:113::', null],
    ['::', null],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
    ['2606:4700:ffff:ffff:ffff:ffff:ffff:ffff', 13335],
    ['2606:4701::', null],
  ])('IPv6 edge %s -> %s', (ip, want) => expect(asn(ip)).toBe(want));

  it('looks IPv4-mapped IPv6 up in the IPv4 table', () => {
    expect(asn('::ffff:1.0.0.1')).toBe(13335);
    expect(asn('::FFFF:0100:0001')).toBe(13335);
    expect(asn('::ffff:1.0.1.0')).toBe(null);
  });

  it.each([
    '',
    'localhost',
    '1.0.0',
    '1.0.0.256',
    '01.0.0.1',
    '1.0.0.1/24',
    ' 1.0.0.1',
    '2606:4700:::1',
    'g::1',
  ])('malformed %j -> null', (ip) => expect(db.lookup(ip)).toBeNull());

  it('returns null for non-string input from untyped callers', () => {
    expect(db.lookup(undefined as unknown as string)).toBeNull();
    expect(db.lookup(16777217 as unknown as string)).toBeNull();
  });

  it('rejects rows mixing families or with bad ASNs', () => {
    expect(() => createAsnDb([{ start: '1.0.0.0', end: '::1', asn: 1, org: '' }])).toThrow(/one family/);
    expect(() => createAsnDb([{ start: '1.0.0.0', end: '1.0.0.1', asn: -1, org: '' }])).toThrow(/32-bit/);
    expect(() => createAsnDb([{ start: '1.0.0.9', end: '1.0.0.1', asn: 1, org: '' }])).toThrow(
      /after its end/,
    );
  });
});

describe('overlapping ranges', () => {
  const r = (start: number, end: number, asn: number) => ({ start: BigInt(start), end: BigInt(end), asn });
  const plain = (ranges: ReturnType<typeof r>[]) =>
    ranges.map((x) => [Number(x.start), Number(x.end), x.asn]);

  it('lets the nested range win and resumes the outer one after it', () => {
    expect(plain(normalizeRanges([r(0, 99, 1), r(10, 19, 2), r(50, 59, 3)]))).toEqual([
      [0, 9, 1],
      [10, 19, 2],
      [20, 49, 1],
      [50, 59, 3],
      [60, 99, 1],
    ]);
  });

  it('clips a partial overlap (the DoD rows of the real dataset) and sorts unsorted input', () => {
    expect(plain(normalizeRanges([r(50, 80, 2), r(0, 60, 1), r(90, 95, 3)]))).toEqual([
      [0, 49, 1],
      [50, 80, 2],
      [90, 95, 3],
    ]);
  });

  it('merges adjacent ranges of one ASN', () => {
    expect(plain(normalizeRanges([r(0, 9, 1), r(10, 19, 1), r(21, 30, 1)]))).toEqual([
      [0, 19, 1],
      [21, 30, 1],
    ]);
  });

  it('answers lookups through the clipped ranges', () => {
    const nested = createAsnDb([
      { start: '10.0.0.0', end: '10.255.255.255', asn: 1, org: 'outer' },
      { start: '10.1.0.0', end: '10.1.255.255', asn: 2, org: 'inner' },
    ]);
    expect(nested.lookup('10.0.255.255')?.asn).toBe(1);
    expect(nested.lookup('10.1.2.3')?.asn).toBe(2);
    expect(nested.lookup('10.2.0.0')?.asn).toBe(1);
  });
});
