import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import { parseResponse } from '../src/collect/dns/packet.js';
import { CASE_BLIND_AFTER, ROTATE_AFTER } from '../src/collect/dns/udp.js';
import type { Status } from '../src/types.js';
import { listenBoth } from './helpers/dns-server.js';

// Replies a resolver (or an attacker) should never be trusted with: spoofed, mismatched,
// malformed. The client must drop them and keep waiting, and never throw.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

function answerTo(query: dnsPacket.Packet, over: Partial<dnsPacket.Packet> = {}, ip = '192.0.2.1'): Buffer {
  const q = query.questions![0]!;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [q],
    answers: [{ type: 'A', name: q.name, ttl: 60, data: ip }],
    ...over,
  });
}

const swapCase = (name: string) =>
  [...name].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/** A UDP "resolver" on 127.0.0.1 whose replies the test scripts; `script` returns what to send. */
async function fakeResolver(
  script: (
    query: dnsPacket.Packet,
    raw: Buffer,
    from: dgram.RemoteInfo | 'tcp',
  ) => Buffer[] | Promise<Buffer[]>,
) {
  const { udp, tcp, port } = await listenBoth();
  udp.on('message', async (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    for (const out of await script(query, msg, rinfo)) udp.send(out, rinfo.port, rinfo.address);
  });
  // TCP gets the same script (the TC=1 fallback path), replies framed, connection then closed.
  tcp.on('connection', (socket) => {
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', async (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      try {
        const outs = await script(dnsPacket.decode(msg), msg, 'tcp');
        for (const out of outs)
          socket.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 255]), out]));
      } finally {
        socket.end();
      }
    });
  });
  const close = async () => {
    await new Promise<void>((r) => udp.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  };
  cleanup.push(close);
  return { host: '127.0.0.1', port };
}

describe('spoofing defence', () => {
  it('drops mismatched and garbage replies, then accepts the real one', async () => {
    const attacker = dgram.createSocket('udp4');
    cleanup.push(() => new Promise((r) => attacker.close(() => r())));
    const resolver = await fakeResolver(async (query, raw, from) => {
      if (from === 'tcp') return [];
      const q = query.questions![0]!;
      const evil = '203.0.113.66';
      const garbage = Buffer.alloc(40, 0xff);
      raw.copy(garbage, 0, 0, 2); // right id, nonsense after it
      // Right everything, wrong source port: an off-path attacker guessing the id.
      attacker.send(answerTo(query, {}, evil), from.port, from.address);
      const spoofs = [
        garbage,
        Buffer.from([1, 2, 3]),
        answerTo(query, { id: ((query.id ?? 0) + 1) & 0xffff }, evil),
        answerTo(query, { questions: [{ ...q, name: 'evil.test' }] }, evil),
        answerTo(query, { questions: [{ ...q, type: 'AAAA' }] }, evil),
        answerTo(query, { type: 'query' }, evil),
        // The same name in another case: the 0x20 bits a forger has to guess (issue 21).
        answerTo(query, { questions: [{ ...q, name: swapCase(q.name) }] }, evil),
      ];
      await new Promise((r) => setTimeout(r, 50));
      return [...spoofs, answerTo(query)];
    });
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 2000, retries: 0, sockets: 1 });
    cleanup.push(() => client.close());
    const before = client.stats().dropped;
    const a = await client.query('example.test', 'A');
    expect(a.status).toBe('NOERROR');
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    // The wrong-port reply never reaches the client: its socket is connected to the resolver, so
    // the kernel delivers nothing from another address or port. The seven others are dropped.
    expect(client.stats().dropped - before).toBe(7);
  });

  it('times out when only wrong-id replies come back', async () => {
    const resolver = await fakeResolver((query) => [answerTo(query, { id: ((query.id ?? 0) + 7) & 0xffff })]);
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 100, retries: 1 });
    cleanup.push(() => client.close());
    const a = await client.query('example.test', 'A');
    expect(a.status).toBe('TIMEOUT');
    expect(client.stats()).toMatchObject({ dropped: 2, timeouts: 2, retries: 1 });
  });
});

describe('off-path spoofing: 0x20 case bits and rotating source ports (issue 21 item 7)', () => {
  it('each query goes out with its name in a random case, and the real reply copying it is believed', async () => {
    const seen: string[] = [];
    const resolver = await fakeResolver((query) => {
      seen.push(query.questions![0]!.name);
      return [answerTo(query)];
    });
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 1000, retries: 0, maxCacheEntries: 0 });
    cleanup.push(() => client.close());
    for (let i = 0; i < 20; i++) {
      const a = await client.query(`abcdefghij${i}.example.test`, 'A');
      expect(a.status).toBe('NOERROR');
      expect(a.name).toBe(`abcdefghij${i}.example.test`);
    }
    expect(seen.map((n, i) => n.toLowerCase() === `abcdefghij${i}.example.test`).every(Boolean)).toBe(true);
    // 21 letters a name: all 20 sent in lower case would be a 2^-420 event.
    expect(seen.filter((n) => n !== n.toLowerCase()).length).toBeGreaterThan(15);
    expect(new Set(seen.map((n) => n.replace(/[0-9]+/, ''))).size).toBeGreaterThan(15);
  });

  it('a forged reply with the right id, source and port but the name in lower case is dropped', async () => {
    const resolver = await fakeResolver((query) => {
      const q = query.questions![0]!;
      return [answerTo(query, { questions: [{ ...q, name: q.name.toLowerCase() }] }, '203.0.113.66')];
    });
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 200, retries: 0 });
    cleanup.push(() => client.close());
    const a = await client.query('abcdefghijklmnop.example.test', 'A');
    expect(a.status).toBe('TIMEOUT');
    expect(client.stats().dropped).toBe(1);
  });

  it('caseRandomisation false: for a resolver that does not copy the case', async () => {
    const seen: string[] = [];
    const resolver = await fakeResolver((query) => {
      const q = query.questions![0]!;
      seen.push(q.name);
      return [answerTo(query, { questions: [{ ...q, name: q.name.toUpperCase() }] })];
    });
    const client = new DnsClient({
      resolvers: [resolver],
      timeoutMs: 500,
      retries: 0,
      caseRandomisation: false,
    });
    cleanup.push(() => client.close());
    const a = await client.query('example.test', 'A');
    expect(a.status).toBe('NOERROR');
    expect(seen).toEqual(['example.test']);
  });

  it(`a resolver that folds the case is asked without case bits after ${CASE_BLIND_AFTER} such replies`, async () => {
    const seen: string[] = [];
    const resolver = await fakeResolver((query) => {
      const q = query.questions![0]!;
      seen.push(q.name);
      return [answerTo(query, { questions: [{ ...q, name: q.name.toLowerCase() }] })];
    });
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 150, retries: 2, maxCacheEntries: 0 });
    cleanup.push(() => client.close());
    const first = await client.query('abcdefghijklmnop.example.test', 'A');
    expect(first.status).toBe('NOERROR');
    // Two attempts dropped (their names in mixed case), the third sent as given and believed.
    expect(seen).toHaveLength(CASE_BLIND_AFTER + 1);
    expect(seen.at(-1)).toBe('abcdefghijklmnop.example.test');
    const next = await client.query('qrstuvwxyz.example.test', 'A');
    expect(next.status).toBe('NOERROR');
    expect(seen.at(-1)).toBe('qrstuvwxyz.example.test');
    expect(client.stats().timeouts).toBe(CASE_BLIND_AFTER);
  });

  it(`no source port serves more than ${ROTATE_AFTER} queries: sockets rotate to new random ports`, async () => {
    const perPort = new Map<number, number>();
    const resolver = await fakeResolver((query, _raw, from) => {
      if (from !== 'tcp') perPort.set(from.port, (perPort.get(from.port) ?? 0) + 1);
      return [answerTo(query)];
    });
    const client = new DnsClient({
      resolvers: [resolver],
      timeoutMs: 1000,
      retries: 0,
      sockets: 2,
      maxCacheEntries: 0,
    });
    cleanup.push(() => client.close());
    const N = 600;
    // In waves of 50 at once, so that sockets retire with replies still outstanding.
    for (let i = 0; i < N; i += 50) {
      const wave = await Promise.all(
        Array.from({ length: 50 }, (_, k) => client.query(`n${i + k}.example.test`, 'A')),
      );
      expect(wave.every((a) => a.status === 'NOERROR')).toBe(true);
    }
    const counts = [...perPort.values()];
    expect(counts.reduce((a, b) => a + b, 0)).toBe(N);
    expect(Math.max(...counts)).toBeLessThanOrEqual(ROTATE_AFTER);
    expect(perPort.size).toBeGreaterThanOrEqual(Math.ceil(N / ROTATE_AFTER));
  });
});

const STATUSES: readonly Status[] = [
  'NOERROR',
  'NXDOMAIN',
  'SERVFAIL',
  'REFUSED',
  'FORMERR',
  'NOTIMP',
  'TIMEOUT',
  'TRUNCATED',
  'ERROR',
];

/** A valid reply to `name A`, to mutate: every section and record type the client decodes. */
function sample(id: number, name: string): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', name }],
    answers: [
      { type: 'CNAME', name, ttl: 5, data: 'edge.cdn.test' },
      { type: 'A', name: 'edge.cdn.test', ttl: 5, data: '192.0.2.1' },
      { type: 'MX', name, ttl: 5, data: { preference: 10, exchange: 'mx.example.test' } },
      { type: 'TXT', name, ttl: 5, data: ['a', 'b'] },
    ],
    authorities: [
      {
        type: 'SOA',
        name: 'example.test',
        ttl: 5,
        data: { mname: 'ns1.example.test', rname: 'h.example.test', minimum: 5 },
      },
    ],
    additionals: [{ type: 'AAAA', name: 'ns1.example.test', ttl: 5, data: '2001:db8::1' }],
  });
}

// Positions drawn uniformly (fc.nat() favours small numbers, which would only ever hit the
// header) and most replies left whole, so that many mutated replies still decode and get used.
const position = fc.integer({ min: 0, max: 4095 });
const mutation = fc.record({
  flips: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
  cut: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: position }),
  tail: fc.uint8Array({ maxLength: 16 }),
  /** Set TC=1 on the UDP reply, sending the client to TCP (which gets its own mutated reply). */
  tc: fc.boolean(),
});
type Mutation = { flips: [number, number][]; cut: number | undefined; tail: Uint8Array; tc: boolean };

function mutate(base: Buffer, m: Mutation) {
  const out = Buffer.from(base);
  for (const [at, value] of m.flips) if (at % out.length >= 2) out[at % out.length] = value; // keep the id
  const cut = m.cut === undefined ? out.length : m.cut % (out.length + 1);
  return Buffer.concat([out.subarray(0, cut), m.tail]);
}

describe('malformed replies never throw', () => {
  const expect1 = { id: 0x1234, name: 'example.test', type: 'A' as const };

  it('parseResponse on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const buf = Buffer.from(bytes);
        if (buf.length >= 2) buf.writeUInt16BE(expect1.id, 0);
        expect(() => parseResponse(buf, expect1)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  it('parseResponse on mutated valid replies yields null or well-formed records', () => {
    const base = sample(expect1.id, expect1.name);
    expect(parseResponse(base, expect1)?.answers).toHaveLength(4);
    fc.assert(
      fc.property(mutation, (m) => {
        const parsed = parseResponse(mutate(base, m), expect1);
        if (!parsed) return;
        expect(STATUSES).toContain(parsed.status);
        for (const r of [...parsed.answers, ...parsed.authority]) {
          expect(typeof r.data).toBe('string');
          expect(typeof r.name).toBe('string');
          expect(Number.isInteger(r.ttl)).toBe(true);
        }
        expect(parsed.answers.length).toBeLessThanOrEqual(64);
      }),
      { numRuns: 3000 },
    );
  });

  it('the client over UDP (and TCP on TC=1) settles with a status for every mutated reply', async () => {
    let current: Mutation;
    const resolver = await fakeResolver((query, _raw, from) => {
      const q = query.questions![0]!;
      const out = mutate(sample(query.id ?? 0, q.name), current);
      if (from !== 'tcp' && current.tc && out.length > 2) out[2]! |= 0x02;
      return [out];
    });
    const client = new DnsClient({ resolvers: [resolver], timeoutMs: 40, retries: 0, maxCacheEntries: 0 });
    cleanup.push(() => client.close());
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        current = m;
        const a = await client.query(`q${n++}.example.test`, 'A');
        expect(STATUSES).toContain(a.status);
      }),
      // The first example is an intact reply with TC=1: the TCP path is always taken at least once.
      { numRuns: 150, examples: [[{ flips: [], cut: undefined, tail: new Uint8Array(), tc: true }]] },
    );
    expect(client.stats().tcpFallbacks).toBeGreaterThan(0);
  });
});
