import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient, type DnsClientOptions } from '../src/collect/dns/client.js';
import { ConfigError } from '../src/errors.js';
import { type LabDnsData, type LabDnsOptions, startDnsServer } from './helpers/dns-server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const DATA: LabDnsData = {
  zones: ['example.test', 'cdn.test'],
  records: [
    { name: 'example.test', type: 'A', data: '192.0.2.10', ttl: 120 },
    { name: 'example.test', type: 'AAAA', data: '2001:db8::10' },
    { name: 'example.test', type: 'NS', data: 'NS1.Example.Test.' },
    { name: 'example.test', type: 'NS', data: 'ns2.example.test' },
    { name: 'example.test', type: 'MX', data: 'mx.example.test', priority: 20 },
    { name: 'example.test', type: 'TXT', data: `v=spf1 ${'x'.repeat(800)} -all` },
    { name: 'WWW.example.test', type: 'CNAME', data: 'edge.cdn.test' },
    { name: 'edge.cdn.test', type: 'A', data: '198.51.100.7', ttl: 30 },
    { name: 'only-txt.example.test', type: 'TXT', data: 'hello' },
    ...Array.from({ length: 100 }, (_, i) => ({
      name: 'big.example.test',
      type: 'A' as const,
      data: `10.0.${i}.1`,
    })),
  ],
  faults: {
    'drop.example.test': 'drop',
    'servfail.example.test': 'servfail',
    'refused.example.test': 'refused',
    'nx.example.test': 'nxdomain',
    'tc.example.test': 'truncate',
    'tc-always.example.test': 'truncate-always',
    'garbage.example.test': 'garbage',
    'wrong-id.example.test': 'wrong-id',
    'slow.example.test': { delayMs: 400 },
    'bit-slow.example.test': { delayMs: 30 },
  },
};
for (const n of ['tc', 'tc-always', 'slow', 'bit-slow', 'garbage', 'wrong-id']) {
  DATA.records.push({ name: `${n}.example.test`, type: 'A', data: '192.0.2.99' });
}

async function lab(options: Partial<DnsClientOptions> = {}, data = DATA, serverOpts: LabDnsOptions = {}) {
  const server = await startDnsServer(data, serverOpts);
  const client = new DnsClient({
    resolvers: [{ host: server.host, port: server.port }],
    timeoutMs: 1000,
    retries: 0,
    loopbackOnly: true,
    ...options,
  });
  cleanup.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client };
}

describe('DnsClient decoding', () => {
  it('decodes A and AAAA with resolver, transport and TTL', async () => {
    const { server, client } = await lab();
    const a = await client.query('Example.Test.', 'A');
    expect(a).toMatchObject({ name: 'example.test', type: 'A', status: 'NOERROR', transport: 'udp' });
    expect(a.resolver).toBe(server.address);
    expect(a.answers).toEqual([{ name: 'example.test', type: 'A', ttl: 120, data: '192.0.2.10' }]);
    const aaaa = await client.query('example.test', 'AAAA');
    expect(aaaa.answers.map((r) => r.data)).toEqual(['2001:db8::10']);
  });

  it('decodes CNAME chains, NS, MX, SOA and TXT into normalised records', async () => {
    const { client } = await lab();
    const www = await client.query('www.example.test', 'A');
    expect(www.answers).toEqual([
      { name: 'www.example.test', type: 'CNAME', ttl: 300, data: 'edge.cdn.test' },
      { name: 'edge.cdn.test', type: 'A', ttl: 30, data: '198.51.100.7' },
    ]);
    const ns = await client.query('example.test', 'NS');
    expect(ns.answers.map((r) => r.data).sort()).toEqual(['ns1.example.test', 'ns2.example.test']);
    const mx = await client.query('example.test', 'MX');
    expect(mx.answers).toEqual([
      { name: 'example.test', type: 'MX', ttl: 300, data: 'mx.example.test', priority: 20 },
    ]);
    const soa = await client.query('example.test', 'SOA');
    expect(soa.answers).toEqual([{ name: 'example.test', type: 'SOA', ttl: 300, data: 'ns1.example.test' }]);
    // 800+ characters travel as several strings; the client joins them.
    const txt = await client.query('example.test', 'TXT');
    expect(txt).toMatchObject({ status: 'NOERROR', transport: 'udp' });
    expect(txt.answers[0]?.data).toBe(`v=spf1 ${'x'.repeat(800)} -all`);
  });

  it('reports NODATA as NOERROR with the SOA in authority, NXDOMAIN likewise', async () => {
    const { client } = await lab();
    const nodata = await client.query('only-txt.example.test', 'A');
    expect(nodata).toMatchObject({ status: 'NOERROR', answers: [] });
    expect(nodata.authority).toEqual([
      { name: 'example.test', type: 'SOA', ttl: 300, data: 'ns1.example.test' },
    ]);
    const nx = await client.query('missing.example.test', 'A');
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.authority.map((r) => r.type)).toEqual(['SOA']);
  });

  it.each([
    ['servfail.example.test', 'SERVFAIL'],
    ['refused.example.test', 'REFUSED'],
    ['nx.example.test', 'NXDOMAIN'],
    ['outside.invalid', 'REFUSED'],
  ])('%s → %s, one packet', async (name, status) => {
    const { server, client } = await lab({ retries: 2 });
    expect((await client.query(name, 'A')).status).toBe(status);
    // With one resolver, an answer (even a failure) is final: no retry.
    expect(server.queries).toBe(1);
  });

  it('rejects over-long names as FORMERR without sending', async () => {
    const { server, client } = await lab();
    const long = `${'a'.repeat(60)}.`.repeat(5) + 'test';
    expect((await client.query(long, 'A')).status).toBe('FORMERR');
    expect((await client.query(`${'a'.repeat(64)}.test`, 'A')).status).toBe('FORMERR');
    expect((await client.query('a..test', 'A')).status).toBe('FORMERR');
    expect(server.queries).toBe(0);
  });

  it('keeps at most 64 records per section', async () => {
    const { client } = await lab();
    const big = await client.query('big.example.test', 'A');
    expect(big.status).toBe('NOERROR');
    expect(big.answers).toHaveLength(64);
  });
});

describe('DnsClient transport', () => {
  it('falls back to TCP on TC=1 and gets the full answer', async () => {
    const { server, client } = await lab();
    const a = await client.query('tc.example.test', 'A');
    expect(a).toMatchObject({ status: 'NOERROR', transport: 'tcp' });
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.99']);
    expect(server.tcpQueries).toBe(1);
    expect(client.stats().tcpFallbacks).toBe(1);
  });

  it('falls back to TCP when the answer does not fit the advertised UDP size', async () => {
    const { server, client } = await lab({ udpPayloadSize: 512 });
    const txt = await client.query('example.test', 'TXT');
    expect(txt).toMatchObject({ status: 'NOERROR', transport: 'tcp' });
    expect(server.tcpQueries).toBe(1);
  });

  it('reassembles a TCP reply delivered one byte at a time', async () => {
    const { client } = await lab({ timeoutMs: 5000 }, DATA, { tcpChunkBytes: 1 });
    const a = await client.query('tc.example.test', 'A');
    expect(a).toMatchObject({ status: 'NOERROR', transport: 'tcp' });
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.99']);
  });

  it('reassembles a large TCP reply delivered in pieces', async () => {
    const { client } = await lab({ timeoutMs: 5000 }, DATA, { tcpChunkBytes: 100 });
    const a = await client.query('big.example.test', 'A');
    expect(a).toMatchObject({ status: 'NOERROR', transport: 'tcp' });
    expect(a.answers).toHaveLength(64);
  });

  it('reports TRUNCATED when TCP fails too', async () => {
    const { client } = await lab();
    const a = await client.query('tc-always.example.test', 'A');
    expect(a.status).toBe('TRUNCATED');
    expect(client.stats().tcpFallbacks).toBe(1);
  });

  it('times out, retrying the configured number of times', async () => {
    const { server, client } = await lab({ timeoutMs: 100, retries: 2 });
    const a = await client.query('drop.example.test', 'A');
    expect(a.status).toBe('TIMEOUT');
    expect(a.answers).toEqual([]);
    expect(server.count('drop.example.test', 'A')).toBe(3);
    expect(client.stats()).toMatchObject({ queries: 1, sent: 3, retries: 2, timeouts: 3 });
  });

  it('answers after a delay shorter than the timeout, times out on a longer one', async () => {
    const { client } = await lab({ timeoutMs: 200 });
    expect((await client.query('bit-slow.example.test', 'A')).status).toBe('NOERROR');
    expect((await client.query('slow.example.test', 'A')).status).toBe('TIMEOUT');
  });

  it('rotates retries to the next resolver', async () => {
    const dead = await startDnsServer({ ...DATA, faults: { 'example.test': 'drop' } });
    const live = await startDnsServer(DATA);
    cleanup.push(
      () => dead.close(),
      () => live.close(),
    );
    const client = new DnsClient({
      resolvers: [
        { host: dead.host, port: dead.port },
        { host: live.host, port: live.port },
      ],
      timeoutMs: 100,
      retries: 1,
      loopbackOnly: true,
    });
    cleanup.push(() => client.close());
    for (let i = 0; i < 4; i++) {
      const a = await client.query('example.test', 'A');
      expect(a.status).toBe('NOERROR');
      expect(a.resolver).toBe(live.address);
    }
    expect(client.stats().retries).toBeGreaterThan(0);
  });

  it('asks another resolver after SERVFAIL when it has one', async () => {
    const bad = await startDnsServer({ ...DATA, faults: { 'example.test': 'servfail' } });
    const good = await startDnsServer(DATA);
    cleanup.push(
      () => bad.close(),
      () => good.close(),
    );
    const client = new DnsClient({
      resolvers: [
        { host: bad.host, port: bad.port },
        { host: good.host, port: good.port },
      ],
      timeoutMs: 500,
      retries: 1,
    });
    cleanup.push(() => client.close());
    const answers = await Promise.all([
      client.query('example.test', 'A'),
      client.query('example.test', 'MX'),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['NOERROR', 'NOERROR']);
    expect(bad.queries).toBeGreaterThan(0);
  });

  it('keeps at most maxInFlight packets outstanding, queueing the rest', async () => {
    const { server, client } = await lab({ maxInFlight: 2, timeoutMs: 2000 });
    const names = ['a', 'b', 'c', 'd'].map((x) => `${x}.drop.example.test`);
    server.setData({ ...DATA, faults: Object.fromEntries(names.map((n) => [n, 'drop' as const])) });
    const pending = names.map((n) => client.query(n, 'A'));
    await new Promise((r) => setTimeout(r, 150));
    expect(server.queries).toBe(2);
    await client.close();
    expect((await Promise.all(pending)).map((a) => a.status)).toEqual(Array(4).fill('ERROR'));
  });

  it('answers 2000 concurrent queries', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => ({
      name: `h${i}.bulk.test`,
      type: 'A' as const,
      data: `10.${i >> 8}.${i & 255}.1`,
    }));
    const { server, client } = await lab({ timeoutMs: 5000, retries: 1 }, { zones: ['bulk.test'], records });
    const answers = await Promise.all(records.map((r) => client.query(r.name, 'A')));
    answers.forEach((a, i) => {
      expect(a.status).toBe('NOERROR');
      expect(a.answers[0]?.data).toBe(records[i]!.data);
    });
    expect(server.queries).toBeGreaterThanOrEqual(2000);
  });
});

describe('DnsClient cache', () => {
  it('serves a repeated question from the cache until the TTL runs out', async () => {
    let clock = 0;
    const { server, client } = await lab({ now: () => clock });
    await client.query('www.example.test', 'A');
    clock += 29_000;
    const hit = await client.query('WWW.example.test', 'A');
    expect(hit.transport).toBe('cache');
    expect(hit.answers.map((r) => r.ttl)).toEqual([271, 1]);
    expect(server.count('www.example.test', 'A')).toBe(1);
    // The chain's smallest TTL (30 s) bounds the entry.
    clock += 1_000;
    expect((await client.query('www.example.test', 'A')).transport).toBe('udp');
    expect(server.count('www.example.test', 'A')).toBe(2);
    expect(client.stats().cacheHits).toBe(1);
  });

  it('caches NXDOMAIN and NODATA for the SOA minimum, not SERVFAIL or TIMEOUT', async () => {
    let clock = 0;
    const { server, client } = await lab({ now: () => clock, timeoutMs: 100 }, DATA, { negativeTtl: 60 });
    for (let i = 0; i < 2; i++) {
      await client.query('missing.example.test', 'A');
      await client.query('only-txt.example.test', 'A');
      await client.query('servfail.example.test', 'A');
      await client.query('drop.example.test', 'A');
    }
    expect(server.count('missing.example.test', 'A')).toBe(1);
    expect(server.count('only-txt.example.test', 'A')).toBe(1);
    expect(server.count('servfail.example.test', 'A')).toBe(2);
    expect(server.count('drop.example.test', 'A')).toBe(2);
    clock += 60_000;
    await client.query('missing.example.test', 'A');
    expect(server.count('missing.example.test', 'A')).toBe(2);
  });

  it('sends one packet for identical queries in flight', async () => {
    const { server, client } = await lab();
    const all = await Promise.all(
      Array.from({ length: 5 }, () => client.query('bit-slow.example.test', 'A')),
    );
    expect(all.map((a) => a.status)).toEqual(Array(5).fill('NOERROR'));
    expect(server.count('bit-slow.example.test', 'A')).toBe(1);
    expect(all.filter((a) => a.transport === 'cache')).toHaveLength(4);
  });

  it('evicts the least recently used entry beyond maxCacheEntries', async () => {
    const { server, client } = await lab({ maxCacheEntries: 2 });
    await client.query('example.test', 'A');
    await client.query('example.test', 'AAAA');
    await client.query('example.test', 'A'); // refreshes A: AAAA is now the oldest
    await client.query('example.test', 'MX'); // evicts AAAA
    await client.query('example.test', 'A');
    await client.query('example.test', 'AAAA');
    expect(server.count('example.test', 'A')).toBe(1);
    expect(server.count('example.test', 'AAAA')).toBe(2);
  });

  it('does not let a caller corrupt the cache by mutating its answer', async () => {
    const { client } = await lab();
    const first = await client.query('example.test', 'A');
    first.answers[0]!.data = '6.6.6.6';
    first.answers.push({ ...first.answers[0]! });
    expect((await client.query('example.test', 'A')).answers.map((r) => r.data)).toEqual(['192.0.2.10']);
  });
});

describe('DnsClient lifecycle and options', () => {
  it('refuses non-loopback resolvers with loopbackOnly, before any socket exists', () => {
    const make = (host: string) =>
      new DnsClient({ resolvers: [{ host, port: 53 }], timeoutMs: 100, retries: 0, loopbackOnly: true });
    expect(() => make('192.0.2.1')).toThrow(ConfigError);
    expect(() => make('2001:db8::1')).toThrow(/2001:db8::1/);
    expect(() => make('127.0.0.2')).not.toThrow();
  });

  it('rejects bad option values with ConfigError', () => {
    const base = { resolvers: [{ host: '127.0.0.1', port: 53 }], timeoutMs: 100, retries: 0 };
    expect(() => new DnsClient({ ...base, resolvers: [] })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, timeoutMs: 0 })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, retries: -1 })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, sockets: 0 })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, udpPayloadSize: 100 })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, maxInFlight: 0 })).toThrow(ConfigError);
  });

  it('close() settles queries in flight and later ones', async () => {
    const { client } = await lab({ timeoutMs: 10_000 });
    const pending = client.query('drop.example.test', 'A');
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    expect((await pending).status).toBe('ERROR');
    expect((await client.query('example.test', 'A')).status).toBe('ERROR');
  });
});
