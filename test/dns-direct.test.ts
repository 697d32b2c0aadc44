import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectClient } from '../src/collect/dns/direct.js';

// The direct (RD=0) client against hostile and plain servers on loopback: only a reply to exactly
// the question, from the address asked, with the id sent, is believed; TC=1 goes to TCP; the same
// question to the same server is sent once per run; an address it may not ask gets nothing.

type Behaviour = 'ok' | 'garbage' | 'wrong-id' | 'wrong-name' | 'truncate' | 'rd-echo';

const SOA = {
  type: 'SOA' as const,
  name: 'example.com',
  ttl: 300,
  data: {
    mname: 'ns1.example.com',
    rname: 'h.example.com',
    serial: 2026120401,
    refresh: 1,
    retry: 1,
    expire: 1,
    minimum: 1,
  },
};

let udp: dgram.Socket;
let tcp: net.Server;
let port = 0;
let behaviour: Behaviour = 'ok';
let received = 0;
let rdSeen: boolean | undefined;

function reply(q: dnsPacket.DecodedPacket, truncated: boolean): Buffer {
  const question = q.questions![0]!;
  return dnsPacket.encode({
    type: 'response',
    id: behaviour === 'wrong-id' ? (q.id! + 1) & 0xffff : q.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0),
    questions: [behaviour === 'wrong-name' ? { ...question, name: 'other.example.com' } : question],
    answers: truncated ? [] : [SOA],
  });
}

beforeAll(async () => {
  udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    received++;
    const q = dnsPacket.decode(msg);
    rdSeen = Boolean((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED);
    if (behaviour === 'garbage')
      return void udp.send(Buffer.from([msg[0]!, msg[1]!, 0xff, 0xff, 1, 2]), rinfo.port, rinfo.address);
    udp.send(reply(q, behaviour === 'truncate'), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  port = udp.address().port;
  tcp = net.createServer((socket) => {
    socket.on('data', (chunk) => {
      const q = dnsPacket.decode(chunk.subarray(2));
      const out = dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER,
        questions: q.questions,
        answers: [SOA],
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(out.length);
      socket.end(Buffer.concat([len, out]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
});
afterAll(async () => {
  udp?.close();
  await new Promise((r) => tcp?.close(r));
});

const client = (allow?: (ip: string) => boolean) =>
  new DirectClient({
    timeoutMs: 150,
    retries: 0,
    route: () => ({ host: '127.0.0.1', port }),
    ...(allow ? { allow } : {}),
  });

describe('direct queries (RD=0)', () => {
  it('reads rcode, AA and the SOA serial of a plain reply, with RD off', async () => {
    behaviour = 'ok';
    const c = client();
    const a = await c.query('192.0.2.1', 'example.com', 'SOA');
    await c.close();
    expect(a).toMatchObject({ status: 'NOERROR', authoritative: true, serial: 2026120401, transport: 'udp' });
    expect(rdSeen).toBe(false);
  });

  for (const b of ['garbage', 'wrong-id', 'wrong-name'] as const)
    it(`does not believe a reply with ${b}: the question times out`, async () => {
      behaviour = b;
      const c = client();
      const a = await c.query('192.0.2.1', 'example.com', 'SOA');
      await c.close();
      expect(a.status).toBe('TIMEOUT');
      expect(a.authoritative).toBe(false);
    });

  it('asks again over TCP when the UDP reply is truncated', async () => {
    behaviour = 'truncate';
    const c = client();
    const a = await c.query('192.0.2.1', 'example.com', 'SOA');
    await c.close();
    expect(a).toMatchObject({ status: 'NOERROR', transport: 'tcp', serial: 2026120401 });
  });

  it('sends the same question to the same server once per run', async () => {
    behaviour = 'ok';
    const c = client();
    received = 0;
    const all = await Promise.all([1, 2, 3].map(() => c.query('192.0.2.1', 'example.com', 'SOA')));
    await c.query('192.0.2.1', 'EXAMPLE.com.', 'SOA');
    expect(received).toBe(1);
    expect(all.every((a) => a.status === 'NOERROR')).toBe(true);
    expect(c.stats()).toMatchObject({ questions: 1, sent: 1, shared: 3 });
    await c.query('192.0.2.2', 'example.com', 'SOA');
    expect(received).toBe(2);
    await c.close();
  });

  it('sends nothing to an address it may not ask', async () => {
    behaviour = 'ok';
    const c = client(() => false);
    received = 0;
    const a = await c.query('10.0.0.1', 'example.com', 'SOA');
    await c.close();
    expect(a.status).toBe('SKIPPED');
    expect(received).toBe(0);
  });

  it('--qps holds per server address: three questions to one address wait their turn, to three addresses they do not', async () => {
    behaviour = 'ok';
    const c = new DirectClient({
      timeoutMs: 3000,
      retries: 0,
      qps: 1,
      route: () => ({ host: '127.0.0.1', port }),
    });
    let started = performance.now();
    await Promise.all(['a', 'b', 'c'].map((n) => c.query('192.0.2.1', `${n}.example.com`, 'SOA')));
    // One a second, bursts of one: the second and third leave 1 and 2 s after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    started = performance.now();
    await Promise.all(
      ['192.0.2.11', '192.0.2.12', '192.0.2.13'].map((ip) => c.query(ip, 'x.example.com', 'SOA')),
    );
    // Had they waited for one another, the third would have left 2 s later.
    expect(performance.now() - started).toBeLessThan(1500);
    await c.close();
  });
});
