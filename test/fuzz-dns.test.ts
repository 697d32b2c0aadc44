import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DnsClient } from '../src/collect/dns/client.js';
import { observeDns } from '../src/collect/dns/observe.js';
import { MAX_RECORDS_PER_SECTION, type ParsedResponse, parseResponse } from '../src/collect/dns/packet.js';
import { FrameReader } from '../src/collect/dns/tcp.js';
import type { DnsAnswer, DnsRecord, RecordType, Status } from '../src/types.js';

// Property-based: any bytes a resolver (or an attacker) sends are decoded into bounded,
// well-typed records or dropped; a client or an observation never throws on them.

let cases = 0;
afterAll(() => console.log(`fuzz-dns: ${cases} cases`));

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
  'CNAME_LOOP',
  'CNAME_TOO_LONG',
  'NO_ADDRESS',
  'SKIPPED',
];
const TYPES: readonly RecordType[] = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'SOA', 'TXT'];
const Q = { id: 0x2a2a, name: 'fuzz.example.test', type: 'A' as const };

function checkParsed(p: ParsedResponse | null): void {
  if (!p) return;
  expect(STATUSES).toContain(p.status);
  expect(typeof p.truncated).toBe('boolean');
  expect(Number.isFinite(p.cacheTtl) && p.cacheTtl >= 0).toBe(true);
  for (const section of [p.answers, p.authority]) {
    expect(section.length).toBeLessThanOrEqual(MAX_RECORDS_PER_SECTION);
    for (const r of section) checkRecord(r);
  }
}

function checkRecord(r: DnsRecord): void {
  expect(TYPES).toContain(r.type);
  expect(typeof r.name).toBe('string');
  expect(typeof r.data).toBe('string');
  expect(Number.isInteger(r.ttl) && r.ttl >= 0).toBe(true);
  if (r.type === 'MX') expect(Number.isInteger(r.priority)).toBe(true);
}

// Names with the labels a hostile zone can hold: any octets, empty, maximal, dotted-looking.
const wireLabel = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('.')),
  fc.constant('x'.repeat(63)),
);
const wireName = fc.array(wireLabel, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const owner = fc.oneof({ weight: 3, arbitrary: fc.constant(Q.name) }, { weight: 1, arbitrary: wireName });
const ttl = fc.oneof(fc.nat(), fc.constant(0), fc.constant(0x7fffffff), fc.constant(0xffffffff));

const record: fc.Arbitrary<dnsPacket.Answer> = fc.oneof(
  fc.record({ type: fc.constant('A' as const), name: owner, ttl, data: fc.ipV4() }),
  fc.record({ type: fc.constant('AAAA' as const), name: owner, ttl, data: fc.ipV6() }),
  fc.record({ type: fc.constant('CNAME' as const), name: owner, ttl, data: wireName }),
  fc.record({ type: fc.constant('NS' as const), name: owner, ttl, data: wireName }),
  fc.record({
    type: fc.constant('MX' as const),
    name: owner,
    ttl,
    data: fc.record({
      preference: fc.integer({ min: 0, max: 65535 }),
      exchange: fc.oneof(wireName, fc.constant('.')),
    }),
  }),
  fc.record({
    type: fc.constant('TXT' as const),
    name: owner,
    ttl,
    data: fc.array(fc.string({ maxLength: 255 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('SOA' as const),
    name: owner,
    ttl,
    data: fc.record({
      mname: wireName,
      rname: wireName,
      serial: fc.nat(),
      refresh: fc.nat(),
      retry: fc.nat(),
      expire: fc.nat(),
      minimum: fc.nat(),
    }),
  }),
  fc.record({ type: fc.constant('PTR' as const), name: owner, ttl, data: wireName }),
  fc.record({
    type: fc.constant('CAA' as const),
    name: owner,
    ttl,
    data: fc.record({
      flags: fc.constant(0),
      tag: fc.constant('issue'),
      value: fc.string({ maxLength: 20 }),
    }),
  }),
) as fc.Arbitrary<dnsPacket.Answer>;

/** A structurally valid reply with random flags, rcode and up to 80 records per section. */
const reply = fc
  .record({
    rcode: fc.integer({ min: 0, max: 15 }),
    tc: fc.boolean(),
    qr: fc.boolean(),
    qname: owner,
    qtype: fc.constantFrom(...TYPES, 'PTR'),
    answers: fc.array(record, { maxLength: 80 }),
    authorities: fc.array(record, { maxLength: 6 }),
    additionals: fc.array(record, { maxLength: 3 }),
  })
  .map((r) => {
    const packet = dnsPacket.encode({
      type: r.qr ? 'response' : 'query',
      id: Q.id,
      flags: r.rcode | (r.tc ? dnsPacket.TRUNCATED_RESPONSE : 0),
      questions: [{ type: r.qtype as RecordType, name: r.qname }],
      answers: r.answers,
      authorities: r.authorities,
      additionals: r.additionals,
    });
    return packet;
  });

/** Byte-level mutations that target DNS structure: counts, pointers, lengths, truncation. */
const mutation = fc.record({
  flips: fc.array(fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 255 })), {
    maxLength: 6,
  }),
  counts: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }))),
  pointer: fc.option(fc.tuple(fc.integer({ min: 12, max: 4095 }), fc.integer({ min: 0, max: 0x3fff }))),
  cut: fc.option(fc.integer({ min: 0, max: 4095 })),
});

function mutate(base: Buffer, m: typeof mutation extends fc.Arbitrary<infer T> ? T : never): Buffer {
  const out = Buffer.from(base);
  for (const [at, v] of m.flips) if (at % out.length >= 2) out[at % out.length] = v;
  if (m.counts && out.length >= 12) out.writeUInt16BE(m.counts[1], 4 + 2 * m.counts[0]);
  if (m.pointer && out.length >= 14)
    out.writeUInt16BE(0xc000 | m.pointer[1], m.pointer[0] % (out.length - 1));
  return m.cut === null ? out : out.subarray(0, m.cut % (out.length + 1));
}

describe('parseResponse (property)', () => {
  it('random bytes with the right id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), (bytes) => {
        cases++;
        const buf = Buffer.from(bytes);
        if (buf.length >= 2) buf.writeUInt16BE(Q.id, 0);
        checkParsed(parseResponse(buf, Q));
      }),
      { numRuns: 3000 },
    );
  });

  it('random well-formed replies: only an answer to the question is accepted, and bounded', () => {
    fc.assert(
      fc.property(reply, (buf) => {
        cases++;
        const p = parseResponse(buf, Q);
        let decoded: dnsPacket.DecodedPacket | undefined;
        try {
          decoded = dnsPacket.decode(buf);
        } catch {
          // The encoder can write what the decoder refuses (a 64-octet label): dropped, then.
        }
        const q = decoded?.questions?.[0];
        const matches = decoded?.type === 'response' && q?.name.toLowerCase() === Q.name && q.type === Q.type;
        if (matches) expect(p).not.toBeNull();
        else expect(p).toBeNull();
        checkParsed(p);
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated replies: counts, compression pointers, truncation and flips', () => {
    fc.assert(
      fc.property(reply, mutation, (buf, m) => {
        cases++;
        checkParsed(parseResponse(mutate(buf, m), Q));
      }),
      { numRuns: 3000 },
    );
  });

  it('TCP framing: any chunking of any bytes yields at most the announced length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 }),
        (bytes, sizes) => {
          cases++;
          const reader = new FrameReader();
          const buf = Buffer.from(bytes);
          let at = 0;
          let got: Buffer | null = null;
          for (const n of [...sizes, buf.length]) {
            if (at >= buf.length || got) break;
            got = reader.feed(buf.subarray(at, at + n))[0] ?? null;
            at += n;
          }
          if (got && buf.length >= 2) expect(got.length).toBe(buf.readUInt16BE(0));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('DnsClient over UDP (and TCP on TC=1) with hostile replies (property)', () => {
  it('every query settles with a status', async () => {
    let current: Buffer = Buffer.alloc(0);
    const server = dgram.createSocket('udp4');
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    server.on('message', (msg, rinfo) => {
      const out = Buffer.from(current);
      // Our id and the question actually asked, so replies get past the first checks.
      if (out.length >= 2) msg.copy(out, 0, 0, 2);
      const qEnd = msg.indexOf(0, 12) + 5;
      if (out.length >= qEnd && qEnd > 12 && out.readUInt16BE(4) === 1) msg.copy(out, 12, 12, qEnd);
      server.send(out, rinfo.port, rinfo.address);
    });
    const port = (server.address() as { port: number }).port;
    const client = new DnsClient({
      resolvers: [{ host: '127.0.0.1', port }],
      timeoutMs: 30,
      retries: 0,
      maxCacheEntries: 0,
    });
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(reply, mutation, async (buf, m) => {
          cases++;
          current = mutate(buf, m);
          const a = await client.query(`q${n++}.example.test`, 'A');
          expect(STATUSES).toContain(a.status);
          for (const r of [...a.answers, ...a.authority]) checkRecord(r);
        }),
        { numRuns: 150 },
      );
    } finally {
      await client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('observeDns over random answers (property)', () => {
  // A fake client answering from a random, possibly cyclic, possibly enormous world.
  const world = fc.record({
    cname: fc.dictionary(
      fc.constantFrom('a.t', 'b.t', 'c.t', 'd.t', 'e.t', 'f.t'),
      fc.constantFrom('a.t', 'b.t', 'c.t', 'd.t', 'e.t', 'f.t', 'x.cdn.t'),
    ),
    status: fc.constantFrom<Status>('NOERROR', 'NXDOMAIN', 'SERVFAIL', 'TIMEOUT', 'REFUSED'),
    hosts: fc.integer({ min: 0, max: 40 }),
    chain: fc.boolean(),
  });

  it('never throws; chain, name servers and MX hosts stay within their bounds', async () => {
    await fc.assert(
      fc.asyncProperty(world, fc.constantFrom('a.t', 'www.a.t', 'x.cdn.t'), async (w, domain) => {
        cases++;
        const query = async (name: string, type: RecordType): Promise<DnsAnswer> => {
          const rec = (t: RecordType, n: string, data: string, priority?: number): DnsRecord =>
            priority === undefined
              ? { name: n, type: t, ttl: 1, data }
              : { name: n, type: t, ttl: 1, data, priority };
          const answers: DnsRecord[] = [];
          let at = name;
          for (let i = 0; i < (w.chain ? 20 : 1) && w.cname[at] !== undefined; i++) {
            answers.push(rec('CNAME', at, w.cname[at]!));
            at = w.cname[at]!;
          }
          if (type === 'A') answers.push(rec('A', at, '192.0.2.1'));
          if (type === 'NS') for (let i = 0; i < w.hosts; i++) answers.push(rec('NS', name, `ns${i}.t`));
          if (type === 'MX')
            for (let i = 0; i < w.hosts; i++) answers.push(rec('MX', name, `mx${i}.t`, i % 7));
          const status = name.startsWith('ns1') || name === 'e.t' ? w.status : 'NOERROR';
          return {
            name,
            type,
            status,
            answers,
            authority: [],
            resolver: 'fake',
            transport: 'udp',
            durationMs: 0,
          };
        };
        const client = { query, queryBudgetMs: () => 1000 } as unknown as DnsClient;
        const obs = await observeDns(domain, client);
        expect(STATUSES).toContain(obs.status);
        expect(obs.cnames.length).toBeLessThanOrEqual(8);
        expect(obs.ns.hosts.length).toBeLessThanOrEqual(8);
        expect(obs.mx.hosts.length).toBeLessThanOrEqual(8);
      }),
      { numRuns: 500 },
    );
  });
});
