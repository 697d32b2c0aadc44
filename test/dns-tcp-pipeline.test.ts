import net from 'node:net';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DnsClient, type DnsClientOptions } from '../src/collect/dns/client.js';
import { IdSource } from '../src/collect/dns/exchange.js';
import { encodeQuery } from '../src/collect/dns/packet.js';
import { FrameReader } from '../src/collect/dns/tcp.js';
import { TcpPool } from '../src/collect/dns/tcp-pool.js';
import { type DnsFault, type LabDnsOptions, startDnsServer } from './helpers/dns-server.js';

// The TCP fallback as RFC 7766 wants it: a few connections per resolver, many queries pipelined
// on each and matched by id and question, whatever order the replies come in and however the
// server ends the connection. The lab server truncates every UDP answer, so all goes over TCP.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const N = 200;
const name = (i: number) => `h${i}.pipe.test`;
const ip = (i: number) => `10.1.${i >> 8}.${i & 255}`;
const RECORDS = Array.from({ length: N }, (_, i) => ({ name: name(i), type: 'A' as const, data: ip(i) }));

async function lab(
  options: Partial<DnsClientOptions> = {},
  serverOpts: LabDnsOptions = {},
  faults: Record<string, DnsFault> = {},
) {
  const extra = Object.keys(faults).map((n) => ({ name: n, type: 'A' as const, data: '192.0.2.66' }));
  const server = await startDnsServer(
    { zones: ['pipe.test'], records: [...RECORDS, ...extra], faults },
    { truncateUdp: true, ...serverOpts },
  );
  const client = new DnsClient({
    resolvers: [{ host: server.host, port: server.port }],
    timeoutMs: 5000,
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

async function askAll(client: DnsClient, n: number) {
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => client.query(name(i), 'A')));
  answers.forEach((a, i) => {
    expect(a.status, a.name).toBe('NOERROR');
    expect(a.transport).toBe('tcp');
    expect(a.answers.map((r) => r.data)).toEqual([ip(i)]);
  });
}

const frame = (body: Buffer) => Buffer.concat([Buffer.from([body.length >> 8, body.length & 255]), body]);

describe('FrameReader on a pipelined stream', () => {
  it('returns every message of a chunk, and a message split anywhere, prefix included', () => {
    const a = Buffer.from('first message');
    const b = Buffer.alloc(300, 7);
    const c = Buffer.from('x');
    const stream = Buffer.concat([frame(a), frame(b), frame(c)]);
    expect(new FrameReader().feed(stream)).toEqual([a, b, c]);
    const reader = new FrameReader();
    expect(reader.feed(stream.subarray(0, 1))).toEqual([]);
    expect(reader.partial).toBe(true);
    expect(reader.feed(stream.subarray(1, 20))).toEqual([a]);
    expect(reader.partial).toBe(true);
    expect(reader.partialId).toBe(0x0707);
    expect(reader.feed(stream.subarray(20, 317))).toEqual([b]);
    expect(reader.partial).toBe(false);
    expect(reader.feed(stream.subarray(317))).toEqual([c]);
  });

  it('any split of any sequence of frames gives back exactly those messages (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { maxLength: 30 }),
        (bodies, cuts) => {
          const stream = Buffer.concat(bodies.map((b) => frame(Buffer.from(b))));
          const reader = new FrameReader();
          const got: Buffer[] = [];
          let at = 0;
          for (const n of [...cuts, stream.length]) {
            got.push(...reader.feed(stream.subarray(at, at + n)));
            at += n;
            if (at >= stream.length) break;
          }
          expect(got.map((m) => [...m])).toEqual(bodies.map((b) => [...b]));
          expect(reader.partial).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('DnsClient TCP pipelining', () => {
  it(`answers ${N} questions correctly over at most 2 connections`, async () => {
    const { server, client } = await lab();
    await askAll(client, N);
    expect(server.tcpQueries).toBe(N);
    expect(server.tcpConnections).toBeGreaterThanOrEqual(1);
    expect(server.tcpConnections).toBeLessThanOrEqual(2);
    expect(client.stats().tcpFallbacks).toBe(N);
  });

  it('reuses the connection for later questions', async () => {
    const { server, client } = await lab();
    for (let i = 0; i < 5; i++) expect((await client.query(name(i), 'A')).transport).toBe('tcp');
    expect(server.tcpConnections).toBe(1);
  });

  it('matches replies the server sends in reverse order', async () => {
    const { server, client } = await lab({}, { tcpReverse: 10 });
    await askAll(client, 60);
    expect(server.tcpConnections).toBeLessThanOrEqual(2);
    expect(client.stats().dropped).toBe(0);
  });

  it('reassembles pipelined replies arriving a few bytes at a time', async () => {
    const { client } = await lab({}, { tcpChunkBytes: 7 });
    await askAll(client, 20);
  });

  it('a server closing the connection after k answers: the rest are sent again and answered', async () => {
    const { server, client } = await lab({}, { tcpCloseAfter: 7 });
    await askAll(client, 60);
    // 60 answers at 7 a connection: the closes happened, and were got over.
    expect(server.tcpConnections).toBeGreaterThanOrEqual(9);
  });

  it('a server answering one query a connection: resends keep to --qps, few connections at once', async () => {
    // Replies held up to 20 ms (tcpReverse) let queries pile up on a connection before it closes.
    const { server, client } = await lab({ qps: 400 }, { tcpCloseAfter: 1, tcpReverse: 50 });
    let peakOpen = 0;
    const watch = setInterval(() => {
      peakOpen = Math.max(peakOpen, server.tcpOpen);
    }, 5);
    try {
      await askAll(client, 200);
    } finally {
      clearInterval(watch);
    }
    const t = [...server.arrivals].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; j < t.length; j++) {
      while (t[j]! - t[i]! >= 1000) i++;
      most = Math.max(most, j - i + 1);
    }
    // 400/s with a burst of 40; resends on new connections count like any packet.
    expect(most).toBeLessThanOrEqual(400 + 40 + 2);
    // The pipelining depth drops to what the server answers per connection: no storm of resends.
    expect(server.queries).toBeLessThanOrEqual(200 * 4);
    // Two shared connections and at most two carrying a query alone.
    expect(peakOpen).toBeLessThanOrEqual(4);
  });

  it('one early close does not cap the pipelining for good: the depth grows back', async () => {
    // Connection 1 closes as its second query arrives (an idle timer racing a new query); the
    // server pipelines otherwise, answering each query 50 ms later.
    let connNo = 0;
    const server = net.createServer((sock) => {
      const mine = ++connNo;
      let buf = Buffer.alloc(0);
      let seen = 0;
      sock.on('error', () => {});
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (mine === 1 && ++seen === 2) return void sock.destroy();
          const q = dnsPacket.decode(msg);
          const reply = dnsPacket.encode({
            type: 'response',
            id: q.id,
            flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
            questions: q.questions,
            answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 60, data: '192.0.2.1' }],
          });
          setTimeout(() => sock.destroyed || sock.write(frame(reply)), 50);
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const resolver = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
    const pool = new TcpPool({ ids: new IdSource(), onDrop: () => {} });
    cleanup.push(async () => pool.close());
    const ask = (name: string) =>
      pool.exchange(resolver, encodeQuery(name, 'A', 1232), { name, type: 'A' }, 3000);
    expect((await ask('a0.test')).kind).toBe('response');
    expect((await ask('a1.test')).kind).toBe('response');
    // 200 at 50 ms each: one at a time on two connections would need 5 s, past the 3 s timeout.
    const outs = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(`b${i}.test`)));
    expect(outs.filter((o) => o.kind !== 'response')).toEqual([]);
  });

  it('a question that makes the server hang up fails alone; its neighbours are answered', async () => {
    // Over TCP the lab answers `drop` by closing the connection at once.
    const killers = ['k1.pipe.test', 'k2.pipe.test', 'k3.pipe.test'];
    const { client } = await lab(
      { timeoutMs: 3000 },
      {},
      Object.fromEntries(killers.map((k) => [k, 'drop'])),
    );
    const started = performance.now();
    const [good, bad] = await Promise.all([
      askAll(client, 30).then(() => 'ok'),
      Promise.all(killers.map((k) => client.query(k, 'A'))),
    ]);
    expect(good).toBe('ok');
    expect(bad.map((a) => a.status)).toEqual(['TRUNCATED', 'TRUNCATED', 'TRUNCATED']);
    // Failed for the lost connections, not by waiting for the timeout.
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('drops and counts a reply with a spoofed id; the others on the connection still match', async () => {
    const spoofed = ['s1.pipe.test', 's2.pipe.test', 's3.pipe.test'];
    const { client } = await lab(
      { timeoutMs: 500 },
      {},
      Object.fromEntries(spoofed.map((s) => [s, 'wrong-id'])),
    );
    const [, bad] = await Promise.all([
      askAll(client, 30),
      Promise.all(spoofed.map((s) => client.query(s, 'A'))),
    ]);
    expect(bad.map((a) => a.status)).toEqual(['TRUNCATED', 'TRUNCATED', 'TRUNCATED']);
    expect(bad.every((a) => a.answers.length === 0)).toBe(true);
    const stats = client.stats();
    expect(stats.dropped).toBe(3);
    // The TCP legs that got no believable answer are timeouts, and counted so.
    expect(stats.timeouts).toBe(3);
  });

  it('a reply that stalls half-way fails its own question within the budget, not its neighbours', async () => {
    const stalls = ['st1.pipe.test', 'st2.pipe.test', 'st3.pipe.test'];
    const { client } = await lab(
      { timeoutMs: 1000 },
      {},
      Object.fromEntries(stalls.map((s) => [s, 'tcp-stall'])),
    );
    const budget = client.queryBudgetMs();
    const timed = (q: Promise<{ status: string }>) => {
      const started = performance.now();
      return q.then((a) => ({ status: a.status, ms: performance.now() - started }));
    };
    const all = await Promise.all([
      ...stalls.map((s) => timed(client.query(s, 'A'))),
      ...Array.from({ length: 20 }, (_, i) => timed(client.query(name(i), 'A'))),
    ]);
    expect(all.slice(0, 3).map((a) => a.status)).toEqual(['TRUNCATED', 'TRUNCATED', 'TRUNCATED']);
    expect(all.slice(3).every((a) => a.status === 'NOERROR')).toBe(true);
    // Within the budget (a TCP fallback gets what its UDP exchange left of the timeout), with
    // room for a loaded machine.
    for (const a of all) expect(a.ms).toBeLessThan(budget + 600);
    // The stuck connection is gone: a later question is answered.
    expect((await client.query(name(100), 'A')).status).toBe('NOERROR');
  });

  it('close() settles every TCP query outstanding and ends the connections', async () => {
    const slow = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`slow${i}.pipe.test`, { delayMs: 10_000 } as DnsFault]),
    );
    const { server, client } = await lab({}, {}, slow);
    const pending = Object.keys(slow).map((s) => client.query(s, 'A'));
    for (let t = 0; server.tcpQueries < 10 && t < 200; t++) await new Promise((r) => setTimeout(r, 10));
    expect(server.tcpOpen).toBeGreaterThan(0);
    await client.close();
    expect((await Promise.all(pending)).map((a) => a.status)).toEqual(Array(10).fill('ERROR'));
    for (let t = 0; server.tcpOpen > 0 && t < 200; t++) await new Promise((r) => setTimeout(r, 10));
    expect(server.tcpOpen).toBe(0);
  });
});

describe('TcpPool', () => {
  async function pool(
    options: Partial<ConstructorParameters<typeof TcpPool>[0]> = {},
    opts: LabDnsOptions = {},
  ) {
    const server = await startDnsServer({ zones: ['pipe.test'], records: RECORDS }, opts);
    const p = new TcpPool({ ids: new IdSource(), onDrop: () => {}, ...options });
    cleanup.push(
      async () => p.close(),
      () => server.close(),
    );
    const ask = (i: number, timeoutMs = 3000) =>
      p.exchange(
        { host: server.host, port: server.port },
        encodeQuery(name(i), 'A', 1232),
        { name: name(i), type: 'A' },
        timeoutMs,
      );
    return { server, p, ask };
  }

  it('keeps to its caps: connections per resolver and queries per connection, the rest queued', async () => {
    const { server, p, ask } = await pool({ connections: 3, perConnection: 5 });
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i)));
    expect(outcomes.every((o) => o.kind === 'response')).toBe(true);
    expect(server.tcpConnections).toBe(3);
    expect(p.opened).toBe(3);
  });

  it('refuses past its queue bound instead of growing', async () => {
    const { ask } = await pool({ connections: 1, perConnection: 2, maxQueued: 3 });
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(i)));
    expect(outcomes.filter((o) => o.kind === 'response')).toHaveLength(5);
    expect(outcomes.filter((o) => o.kind === 'error' && o.code === 'TCP_QUEUE_FULL')).toHaveLength(3);
  });

  it('closes a connection left idle', async () => {
    const { server, ask } = await pool({ idleMs: 50 });
    expect((await ask(1)).kind).toBe('response');
    for (let t = 0; server.tcpOpen > 0 && t < 300; t++) await new Promise((r) => setTimeout(r, 10));
    expect(server.tcpOpen).toBe(0);
    // And opens a new one when asked again.
    expect((await ask(2)).kind).toBe('response');
    expect(server.tcpConnections).toBe(2);
  });

  it('reports a refused connection as an error at once', async () => {
    const gone = await startDnsServer({ zones: [], records: [] });
    const port = gone.port;
    await gone.close();
    const p = new TcpPool({ ids: new IdSource(), onDrop: () => {} });
    cleanup.push(async () => p.close());
    const started = performance.now();
    const got = await p.exchange(
      { host: '127.0.0.1', port },
      encodeQuery(name(1), 'A', 1232),
      { name: name(1), type: 'A' },
      3000,
    );
    expect(got).toEqual({ kind: 'error', code: 'ECONNREFUSED' });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
