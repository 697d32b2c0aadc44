import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatResolver,
  isLoopback,
  parseResolver,
  readSystemResolvers,
} from '../src/collect/dns/resolver-address.js';
import { ConfigError } from '../src/errors.js';

describe('parseResolver', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', 53],
    [' 10.1.2.3:5353 ', '10.1.2.3', 5353],
    ['::1', '::1', 53],
    ['2001:DB8:0:0::1', '2001:db8::1', 53],
    ['[::1]:8053', '::1', 8053],
    ['[2001:db8::53]', '2001:db8::53', 53],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 53],
  ])('%s', (spec, host, port) => {
    expect(parseResolver(spec)).toEqual({ host, port });
  });

  it.each([
    '',
    'dns.example',
    'dns.example:53',
    '1.2.3',
    '1.2.3.4:',
    '1.2.3.4:0',
    '1.2.3.4:65536',
    '1.2.3.4:53x',
    '[1.2.3.4]:53',
    '[::1]:',
    '[::1',
    '::1:53:',
  ])('rejects %j naming the value', (spec) => {
    expect(() => parseResolver(spec)).toThrow(ConfigError);
    expect(() => parseResolver(spec)).toThrow(`"${spec}"`);
  });

  it('round-trips through formatResolver', () => {
    for (const spec of ['127.0.0.1:53', '[::1]:5353']) expect(formatResolver(parseResolver(spec))).toBe(spec);
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.5', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::2', false],
    ['localhost', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('readSystemResolvers', () => {
  it('reads nameserver lines, skipping comments, options and bad values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'singlepath-dns-'));
    const path = join(dir, 'resolv.conf');
    writeFileSync(
      path,
      [
        '# generated',
        'search corp.example',
        'nameserver 127.0.0.53',
        '  nameserver   ::1   # local',
        '; nameserver 10.9.9.9',
        'nameserver not-an-ip',
        'nameserver',
        'options edns0 trust-ad',
        'nameserver 192.0.2.1 ',
      ].join('\n'),
    );
    expect(readSystemResolvers(path)).toEqual([
      { host: '127.0.0.53', port: 53 },
      { host: '::1', port: 53 },
      { host: '192.0.2.1', port: 53 },
    ]);
  });

  it('returns [] for an unreadable file', () => {
    expect(readSystemResolvers('/nonexistent/singlepath/resolv.conf')).toEqual([]);
  });
});
