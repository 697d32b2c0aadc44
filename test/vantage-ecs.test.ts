import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import { decodeEcs, ecsMatches, ecsOption, parseSubnet } from '../src/collect/dns/ecs.js';
import { encodeQuery, parseResponse } from '../src/collect/dns/packet.js';
import { parseResolver } from '../src/collect/dns/resolver-address.js';
import { MAX_VANTAGES, parseVantages, VANTAGE_PRESETS } from '../src/collect/vantage.js';
import { ConfigError } from '../src/errors.js';
import { type LabDnsServer, startDnsServer } from './helpers/dns-server.js';

// EDNS Client Subnet (RFC 7871) on the wire, in the client's cache, and the --vantage grammar.

describe('parseSubnet', () => {
  it.each([
    ['203.0.113.0/24', '203.0.113.0/24', [203, 0, 113]],
    ['203.0.113.77/24', '203.0.113.0/24', [203, 0, 113]],
    ['198.51.100.255/20', '198.51.96.0/20', [198, 51, 96]],
    ['10.1.2.3/32', '10.1.2.3/32', [10, 1, 2, 3]],
    ['2001:DB8:ab::1/48', '2001:db8:ab::/48', [0x20, 0x01, 0x0d, 0xb8, 0x00, 0xab]],
    ['2001:db8::/33', '2001:db8::/33', [0x20, 0x01, 0x0d, 0xb8, 0x00]],
  ])('%s is sent as %s with the address cut to the prefix', (spec, text, bytes) => {
    const s = parseSubnet(spec);
    expect(s.text).toBe(text);
    expect([...s.address]).toEqual(bytes);
    expect(s.family).toBe(text.includes(':') ? 2 : 1);
  });

  it.each([
    '203.0.113.0',
    '203.0.113.0/33',
    '203.0.113.0/0',
    'eu/24',
    '::ffff:1.2.3.4/24',
    '2001:db8::/129',
    '',
  ])('refuses %j with a ConfigError naming it', (spec) => {
    expect(() => parseSubnet(spec)).toThrow(ConfigError);
    expect(() => parseSubnet(spec)).toThrow(`"${spec}"`);
  });
});

describe('ECS option encoding', () => {
  it('writes family, source prefix, scope 0 and the truncated address', () => {
    const opt = ecsOption(parseSubnet('198.51.100.0/22'));
    expect(opt.code).toBe(8);
    expect([...opt.data]).toEqual([0, 1, 22, 0, 198, 51, 100]);
    expect([...ecsOption(parseSubnet('2001:db8::/32')).data]).toEqual([0, 2, 32, 0, 0x20, 0x01, 0x0d, 0xb8]);
  });

  it('rides in the OPT record of the query, and only when asked', () => {
    const subnet = parseSubnet('203.0.113.0/24');
    const opt = (buf: Buffer) =>
      dnsPacket.decode(buf).additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
    const sent = opt(encodeQuery('www.example.com', 'A', 1232, subnet)).options[0] as {
      code: number;
      family: number;
      sourcePrefixLength: number;
      scopePrefixLength: number;
      ip: string;
    };
    expect(sent).toMatchObject({
      code: 8,
      family: 1,
      sourcePrefixLength: 24,
      scopePrefixLength: 0,
      ip: '203.0.113.0',
    });
    expect(opt(encodeQuery('www.example.com', 'A', 1232)).options).toEqual([]);
  });

  it('decodes replies and refuses malformed ones', () => {
    expect(decodeEcs(Buffer.from([0, 1, 24, 16, 203, 0, 113]))).toMatchObject({
      family: 1,
      prefix: 24,
      scope: 16,
    });
    expect(decodeEcs(Buffer.from([0, 1, 24]))).toBeNull(); // too short
    expect(decodeEcs(Buffer.from([0, 3, 24, 0, 1, 2, 3]))).toBeNull(); // unknown family
    expect(decodeEcs(Buffer.from([0, 1, 33, 0, 1, 2, 3, 4, 5]))).toBeNull(); // prefix too long
    expect(decodeEcs(Buffer.from([0, 1, 24, 0, 1, 2]))).toBeNull(); // address shorter than the prefix
    expect(decodeEcs(Buffer.from([0, 1, 16, 40, 1, 2]))).toBeNull(); // scope beyond the family
  });

  it('matches a reply to the subnet sent (RFC 7871 7.3)', () => {
    const sent = parseSubnet('203.0.113.0/24');
    expect(ecsMatches(decodeEcs(Buffer.from([0, 1, 24, 24, 203, 0, 113]))!, sent)).toBe(true);
    expect(ecsMatches(decodeEcs(Buffer.from([0, 1, 24, 24, 203, 0, 114]))!, sent)).toBe(false);
    expect(ecsMatches(decodeEcs(Buffer.from([0, 1, 16, 0, 203, 0]))!, sent)).toBe(false);
  });
});

describe('parseResponse with ECS', () => {
  const subnet = parseSubnet('203.0.113.0/24');
  const reply = (ecsData?: number[]) =>
    dnsPacket.encode({
      type: 'response',
      id: 7,
      flags: dnsPacket.RECURSION_AVAILABLE,
      questions: [{ type: 'A', name: 'www.example.com', class: 'IN' }],
      answers: [{ type: 'A', name: 'www.example.com', ttl: 60, data: '192.0.2.1' }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          options: ecsData ? [{ code: 8, ip: undefined, data: Buffer.from(ecsData) }] : [],
        } as unknown as dnsPacket.OptAnswer,
      ],
    });
  const expectQ = { id: 7, name: 'www.example.com', type: 'A' as const, ecs: subnet };

  it('keeps the scope of a matching ECS option', () => {
    expect(parseResponse(reply([0, 1, 24, 20, 203, 0, 113]), expectQ)?.ecs?.scope).toBe(20);
  });

  it('has no ECS when the resolver sent none (it ignores ECS)', () => {
    const parsed = parseResponse(reply(), expectQ);
    expect(parsed?.answers).toHaveLength(1);
    expect(parsed?.ecs).toBeUndefined();
  });

  it('drops a reply whose ECS option is for another subnet', () => {
    expect(parseResponse(reply([0, 1, 24, 24, 198, 51, 100]), expectQ)).toBeNull();
  });

  it('ignores an ECS option in a reply to a query without one', () => {
    const { ecs: _, ...plain } = expectQ;
    expect(parseResponse(reply([0, 1, 24, 24, 198, 51, 100]), plain)?.ecs).toBeUndefined();
  });
});

describe('DnsClient with a client subnet', () => {
  let server: LabDnsServer;
  let client: DnsClient;
  const EU = '193.0.0.0/24';
  beforeAll(async () => {
    server = await startDnsServer({
      zones: ['example.com', 'flat.com'],
      ignoreEcs: ['flat.com'],
      records: [
        { name: 'www.example.com', type: 'A', data: '192.0.2.1' },
        { name: 'www.example.com', type: 'A', data: '192.0.2.99', subnet: EU },
        { name: 'www.flat.com', type: 'A', data: '192.0.2.2' },
        { name: 'www.flat.com', type: 'A', data: '192.0.2.98', subnet: EU },
      ],
    });
    client = new DnsClient({ resolvers: [parseResolver(server.address)], timeoutMs: 1000, retries: 1 });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('gets the regional answer and the scope the resolver used', async () => {
    const a = await client.query('www.example.com', 'A', { subnet: parseSubnet(EU) });
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.99']);
    expect(a.ecs).toEqual({ subnet: EU, scope: 24 });
    const other = await client.query('www.example.com', 'A', { subnet: parseSubnet('198.51.100.0/24') });
    expect(other.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    expect(other.ecs).toEqual({ subnet: '198.51.100.0/24', scope: 0 });
  });

  it('keeps subnets apart in the cache, and the plain question apart from both', async () => {
    const before = server.count('www.example.com', 'A');
    const plain = await client.query('www.example.com', 'A');
    expect(plain.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    expect(plain.ecs).toBeUndefined();
    const again = await client.query('www.example.com', 'A', { subnet: parseSubnet(EU) });
    expect(again.transport).toBe('cache');
    expect(again.answers.map((r) => r.data)).toEqual(['192.0.2.99']);
    expect(again.ecs).toEqual({ subnet: EU, scope: 24 });
    expect(server.count('www.example.com', 'A') - before).toBe(1);
  });

  it('records that a resolver ignored the subnet (no ECS option back)', async () => {
    const a = await client.query('www.flat.com', 'A', { subnet: parseSubnet(EU) });
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.2']);
    expect(a.ecs).toEqual({ subnet: EU });
  });

  it('asks a pinned resolver only when it is one of the configured ones', async () => {
    const ok = await client.query('www.example.com', 'AAAA', { resolver: server.address });
    expect(ok.status).toBe('NOERROR');
    const sent = client.stats().sent;
    const refused = await client.query('www.example.com', 'A', { resolver: '127.0.0.2:53' });
    expect(refused.status).toBe('ERROR');
    expect(client.stats().sent).toBe(sent);
  });
});

describe('parseVantages', () => {
  const one = [parseResolver('127.0.0.1:5300')];
  const two = [...one, parseResolver('127.0.0.1:5301')];

  it('maps presets to their documented prefixes and keeps raw prefixes canonical', () => {
    const v = parseVantages(['eu', 'NA', '203.0.113.9/24', '2001:db8::/48'], one);
    expect(v.map((x) => [x.label, x.subnet?.text])).toEqual([
      ['eu', VANTAGE_PRESETS.eu],
      ['na', VANTAGE_PRESETS.na],
      ['203.0.113.0/24', '203.0.113.0/24'],
      ['2001:db8::/48', '2001:db8::/48'],
    ]);
  });

  it('expands all and de-duplicates', () => {
    const v = parseVantages(['all', 'eu'], one);
    expect(v.map((x) => x.label)).toEqual(Object.keys(VANTAGE_PRESETS));
  });

  it('makes each resolver a vantage when several are given', () => {
    expect(parseVantages(['eu'], two).map((x) => x.label)).toEqual([
      'eu',
      'resolver 127.0.0.1:5300',
      'resolver 127.0.0.1:5301',
    ]);
    expect(parseVantages(['resolvers'], two).map((x) => x.resolver)).toEqual([
      '127.0.0.1:5300',
      '127.0.0.1:5301',
    ]);
    expect(parseVantages(['resolvers'], one)).toEqual([]);
    expect(parseVantages([], two)).toEqual([]);
  });

  it.each(['mars', '203.0.113.0/40', 'eu/24', '1.2.3'])('refuses %j with a ConfigError naming it', (spec) => {
    expect(() => parseVantages([spec], one)).toThrow(ConfigError);
    expect(() => parseVantages([spec], one)).toThrow(`--vantage "${spec}"`);
  });

  it('bounds the number of vantages', () => {
    const many = Array.from({ length: MAX_VANTAGES + 1 }, (_, i) => `10.${i}.0.0/16`);
    expect(() => parseVantages(many, one)).toThrow(/too many vantages/);
  });
});
