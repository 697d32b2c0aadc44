import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipToBigInt, parseIPv4, parseIPv6 } from '../src/asn/ip.js';

describe('parseIPv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['1.0.0.1', 0x01000001],
    ['255.255.255.255', 0xffffffff],
  ])('%s', (ip, value) => expect(parseIPv4(ip)).toBe(value));

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.1',
    '01.2.3.4',
    '1..2.3',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.-4',
    'a.b.c.d',
  ])('rejects %j', (ip) => expect(parseIPv4(ip)).toBe(-1));
});

describe('parseIPv6', () => {
  it.each([
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['2606:4700::1111', [0x26064700, 0, 0, 0x1111]],
    ['2001:DB8:0:0:0:0:0:1', [0x20010db8, 0, 0, 1]],
    ['::ffff:1.2.3.4', [0, 0, 0xffff, 0x01020304]],
    ['1:2:3:4:5:6:7::', [0x10002, 0x30004, 0x50006, 0x70000]],
    ['fe80::1%eth0', [0xfe800000, 0, 0, 1]],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]],
  ])('%s', (ip, words) => expect(parseIPv6(ip)).toEqual(words));

  it.each([
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '12345::',
    '::g',
    '1.2.3.4::',
    'fe80::1%',
    ':1::',
  ])('rejects %j', (ip) => expect(parseIPv6(ip)).toBeNull());
});

// Strings from fragments that hit valid and invalid IP syntax alike; Node's isIP is the oracle.
const fragment = fc.constantFrom(
  '0',
  '1',
  '9',
  '10',
  '255',
  '256',
  '01',
  'ff',
  'FFFF',
  '12345',
  'g',
  ':',
  '::',
  '.',
  '%',
  'z',
  '1.2.3.4',
);
const candidate = fc.array(fragment, { maxLength: 16 }).map((parts) => parts.join(''));

describe('agrees with net.isIP', () => {
  it('on valid and invalid syntax', () => {
    fc.assert(
      fc.property(candidate, (s) => {
        const family = isIP(s);
        expect(parseIPv4(s) >= 0).toBe(family === 4);
        expect(parseIPv6(s) !== null).toBe(family === 6);
      }),
      { numRuns: 20_000 },
    );
  });

  it('round-trips any 128-bit value written in full, compressed and upper case', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (value) => {
        const hextets = value.toString(16).padStart(32, '0').match(/.{4}/g)!;
        const full = hextets.join(':');
        const compressed = full.replace(/(^|:)0{1,3}/g, '$1').replace(/(^|:)(0(:|$)){2,}/, '::');
        for (const form of [full, compressed, full.toUpperCase()]) {
          expect(isIP(form)).toBe(6);
          const words = parseIPv6(form)!;
          expect(words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n)).toBe(value);
        }
      }),
    );
  });
});

describe('ipToBigInt', () => {
  it('folds IPv4-mapped IPv6 into IPv4', () => {
    expect(ipToBigInt('::ffff:8.8.8.8')).toEqual({ family: 4, value: 0x08080808n });
    expect(ipToBigInt('::ffff:0808:0808')).toEqual({ family: 4, value: 0x08080808n });
    expect(ipToBigInt('2001:db8::')).toEqual({ family: 6, value: 0x20010db8n << 96n });
    expect(ipToBigInt('nope')).toBeNull();
  });
});
