import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { type LabDnsData, type LabDnsServer, startDnsServer } from './helpers/dns-server.js';

// The lab server is checked with raw dns-packet exchanges, not with our client, so that a bug
// shared by both cannot hide itself.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const DATA: LabDnsData = {
  zones: ['lab.test', 'own-soa.test'],
  records: [
    { name: 'www.lab.test', type: 'A', data: '192.0.2.1' },
    { name: 'deep.empty.lab.test', type: 'A', data: '192.0.2.2' },
    { name: 'loop1.lab.test', type: 'CNAME', data: 'loop2.lab.test' },
    { name: 'loop2.lab.test', type: 'CNAME', data: 'loop1.lab.test' },
    { name: 'own-soa.test', type: 'SOA', data: 'primary.dns.test' },
    ...Array.from({ length: 40 }, (_, i) => ({
      name: 'many.lab.test',
      type: 'A' as const,
      data: `10.0.0.${i}`,
    })),
  ],
  faults: { 'garbage.lab.test': 'garbage', 'wrong.lab.test': 'wrong-id', 'tc.lab.test': 'truncate-always' },
};

async function server(data = DATA): Promise<LabDnsServer> {
  const s = await startDnsServer(data);
  cleanup.push(() => s.close());
  return s;
}

function query(name: string, type: dnsPacket.RecordType, edns = true, id = 4321): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.OptAnswer] : [],
  });
}

/** One UDP exchange; resolves with the raw reply, or null after 300 ms of silence. */
async function udpAsk(port: number, msg: Buffer): Promise<Buffer | null> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<Buffer | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 300);
      socket.on('message', (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(msg, port, '127.0.0.1');
    });
  } finally {
    socket.close();
  }
}

/** Sends several framed queries in one write; collects replies until the server closes or n arrive. */
function tcpAsk(
  port: number,
  msgs: Buffer[],
): Promise<{ replies: dnsPacket.DecodedPacket[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const replies: dnsPacket.DecodedPacket[] = [];
    socket.on('connect', () => {
      socket.write(
        Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]))),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length === msgs.length) {
        socket.destroy();
        resolve({ replies, closed: false });
      }
    });
    socket.on('close', () => resolve({ replies, closed: true }));
    socket.on('error', () => {});
  });
}

async function ask(s: LabDnsServer, name: string, type: dnsPacket.RecordType, edns = true) {
  const raw = await udpAsk(s.port, query(name, type, edns));
  expect(raw).not.toBeNull();
  return dnsPacket.decode(raw!) as dnsPacket.DecodedPacket & { rcode: string };
}

describe('lab DNS server', () => {
  it('answers on UDP like a recursive resolver: RA set, id, question and EDNS echoed', async () => {
    const s = await server();
    const r = await ask(s, 'WWW.lab.test', 'A');
    expect(r).toMatchObject({ id: 4321, flag_qr: true, flag_rd: true, flag_ra: true, rcode: 'NOERROR' });
    expect(r.questions).toEqual([{ name: 'WWW.lab.test', type: 'A', class: 'IN' }]);
    expect(r.answers?.map((a) => (a as dnsPacket.StringAnswer).data)).toEqual(['192.0.2.1']);
    expect(r.additionals?.map((a) => a.type)).toEqual(['OPT']);
    expect((await ask(s, 'www.lab.test', 'A', false)).additionals).toEqual([]);
  });

  it('synthesises the apex SOA unless the data defines one', async () => {
    const s = await server();
    const soa = (await ask(s, 'lab.test', 'SOA')).answers?.[0] as dnsPacket.SoaAnswer;
    expect(soa).toMatchObject({
      name: 'lab.test',
      type: 'SOA',
      data: { mname: 'ns1.lab.test', minimum: 60 },
    });
    const own = (await ask(s, 'own-soa.test', 'SOA')).answers?.[0] as dnsPacket.SoaAnswer;
    expect(own.data.mname).toBe('primary.dns.test');
  });

  it('distinguishes NXDOMAIN, NODATA, empty non-terminals and names outside its zones', async () => {
    const s = await server();
    const nx = await ask(s, 'nope.lab.test', 'A');
    expect(nx.rcode).toBe('NXDOMAIN');
    expect(nx.authorities?.map((a) => `${a.type} ${a.name}`)).toEqual(['SOA lab.test']);
    const nodata = await ask(s, 'www.lab.test', 'AAAA');
    expect([nodata.rcode, nodata.answers?.length, nodata.authorities?.[0]?.type]).toEqual([
      'NOERROR',
      0,
      'SOA',
    ]);
    expect((await ask(s, 'empty.lab.test', 'A')).rcode).toBe('NOERROR');
    expect((await ask(s, 'elsewhere.test', 'A')).rcode).toBe('REFUSED');
  });

  it('returns a CNAME loop bounded to 16 records', async () => {
    const s = await server();
    const r = await ask(s, 'loop1.lab.test', 'A');
    expect(r.answers).toHaveLength(16);
    expect(r.answers?.every((a) => a.type === 'CNAME')).toBe(true);
  });

  it('truncates on UDP what does not fit, and answers in full over TCP with pipelining', async () => {
    const s = await server();
    const small = await ask(s, 'many.lab.test', 'A', false); // 512-byte limit without EDNS
    expect([small.flag_tc, small.answers?.length]).toEqual([true, 0]);
    const { replies } = await tcpAsk(s.port, [
      query('many.lab.test', 'A', false, 1),
      query('www.lab.test', 'A', true, 2),
    ]);
    expect(replies.map((r) => [r.id, r.flag_tc, r.answers?.length])).toEqual([
      [1, false, 40],
      [2, false, 1],
    ]);
    expect([s.queries, s.tcpQueries]).toEqual([3, 2]);
  });

  it('applies faults', async () => {
    const s = await server();
    const garbage = await udpAsk(s.port, query('garbage.lab.test', 'A'));
    expect(garbage).not.toBeNull();
    let looksLikeReply = false;
    try {
      const d = dnsPacket.decode(garbage!);
      looksLikeReply = d.id === 4321 && d.questions?.[0]?.name === 'garbage.lab.test';
    } catch {
      // undecodable: what garbage should be
    }
    expect(looksLikeReply).toBe(false);
    expect((await ask(s, 'wrong.lab.test', 'A')).id).not.toBe(4321);
    expect((await ask(s, 'tc.lab.test', 'A')).flag_tc).toBe(true);
    expect(await tcpAsk(s.port, [query('tc.lab.test', 'A')])).toEqual({ replies: [], closed: true });
  });

  it('counts queries per name and type, and swaps data', async () => {
    const s = await server();
    await ask(s, 'www.lab.test', 'A');
    await ask(s, 'WWW.lab.test.', 'A');
    await ask(s, 'www.lab.test', 'AAAA');
    expect([s.count('www.lab.test', 'A'), s.count('www.lab.test', 'AAAA'), s.count('www.lab.test')]).toEqual([
      2, 1, 3,
    ]);
    s.setData({ zones: ['lab.test'], records: [{ name: 'www.lab.test', type: 'A', data: '192.0.2.99' }] });
    expect(
      (await ask(s, 'www.lab.test', 'A')).answers?.map((a) => (a as dnsPacket.StringAnswer).data),
    ).toEqual(['192.0.2.99']);
    expect(s.queries).toBe(4);
  });
});
