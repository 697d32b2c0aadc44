import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { RecordType } from '../../src/types.js';

// Loopback lab DNS server. It answers as a recursive resolver presents answers (whole CNAME
// chains, NXDOMAIN/NODATA with the zone's SOA in authority) from fixture data, on UDP and TCP
// of the same 127.0.0.1 port, with per-name faults to exercise the client's failure paths.

export interface LabRecord {
  name: string;
  type: RecordType;
  data: string;
  ttl?: number;
  /** MX preference (default 10). */
  priority?: number;
}

export type DnsFault =
  | 'drop'
  | 'servfail'
  | 'refused'
  | 'nxdomain'
  /** TC=1 with no answers over UDP, the full answer over TCP. */
  | 'truncate'
  /** TC=1 over UDP, and TCP connections closed without an answer. */
  | 'truncate-always'
  | 'garbage'
  | 'wrong-id'
  | { delayMs: number };

export interface LabDnsData {
  /** Zone apexes the server answers for; a name in none of them gets REFUSED. */
  zones: string[];
  records: LabRecord[];
  /** Keyed by "name" (every type) or "name TYPE" (that type only). */
  faults?: Record<string, DnsFault>;
}

export interface LabDnsOptions {
  /** TTL of records without one, and of the synthesised SOA (default 300). */
  ttl?: number;
  /** SOA minimum, the negative-caching TTL (default 60). */
  negativeTtl?: number;
  /** false: answer a CNAME'd name with the CNAME only, like an authoritative server (default true). */
  followCnames?: boolean;
  /** Write TCP replies in pieces of this many bytes, to exercise the client's reassembly. */
  tcpChunkBytes?: number;
}

export interface LabDnsServer {
  host: '127.0.0.1';
  port: number;
  address: string;
  /** Queries received (UDP and TCP). */
  readonly queries: number;
  /** Queries received over TCP. */
  readonly tcpQueries: number;
  /** Queries received for a name, of one type or of all types. */
  count(name: string, type?: RecordType): number;
  setData(data: LabDnsData): void;
  close(): Promise<void>;
}

const MAX_CHAIN = 16;

type Reply = { rcode: number; answers: dnsPacket.Answer[]; authorities: dnsPacket.Answer[] };

class Zones {
  readonly #names = new Map<string, Map<string, LabRecord[]>>();
  /** Every owner name and its ancestors inside a zone: empty non-terminals exist (NODATA, not NXDOMAIN). */
  readonly #existing = new Set<string>();
  readonly #apexes: string[];
  readonly faults: Map<string, DnsFault>;

  constructor(data: LabDnsData) {
    this.#apexes = data.zones.map(lower).sort((a, b) => b.length - a.length);
    for (const r of data.records) {
      const name = lower(r.name);
      const byType = this.#names.get(name) ?? new Map<string, LabRecord[]>();
      byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
      this.#names.set(name, byType);
      for (let n = name; n.includes('.'); n = n.slice(n.indexOf('.') + 1)) this.#existing.add(n);
      this.#existing.add(name);
    }
    this.faults = new Map(Object.entries(data.faults ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  }

  zoneOf(name: string): string | undefined {
    return this.#apexes.find((z) => name === z || name.endsWith(`.${z}`));
  }

  lookup(name: string, type: string): LabRecord[] | undefined {
    return this.#names.get(name)?.get(type);
  }

  exists(name: string, zone: string): boolean {
    return name === zone || this.#existing.has(name);
  }
}

export async function startDnsServer(initial: LabDnsData, opts: LabDnsOptions = {}): Promise<LabDnsServer> {
  const ttl = opts.ttl ?? 300;
  const negativeTtl = opts.negativeTtl ?? 60;
  let zones = new Zones(initial);
  let total = 0;
  let tcpTotal = 0;
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const conns = new Set<net.Socket>();

  const toWire = (r: LabRecord): dnsPacket.Answer => {
    const base = { name: lower(r.name), ttl: r.ttl ?? ttl };
    switch (r.type) {
      case 'MX':
        return { ...base, type: 'MX', data: { preference: r.priority ?? 10, exchange: r.data } };
      case 'SOA':
        return { ...base, type: 'SOA', data: soaData(r.data, base.name, negativeTtl) };
      case 'TXT':
        return { ...base, type: 'TXT', data: r.data.match(/[\s\S]{1,255}/g) ?? [''] };
      default:
        return { ...base, type: r.type, data: r.data };
    }
  };
  const soaOf = (zone: string): dnsPacket.Answer =>
    toWire(zones.lookup(zone, 'SOA')?.[0] ?? { name: zone, type: 'SOA', data: `ns1.${zone}` });

  /** What a recursive resolver would hand back for this question, from our data alone. */
  const resolve = (qname: string, qtype: string): Reply => {
    const answers: dnsPacket.Answer[] = [];
    let name = qname;
    for (let hop = 0; ; hop++) {
      const zone = zones.zoneOf(name);
      if (!zone) return { rcode: answers.length ? 0 : 5, answers, authorities: [] };
      const found = zones.lookup(name, qtype) ?? (qtype === 'SOA' && name === zone ? [] : undefined);
      if (found) {
        answers.push(...(found.length ? found.map(toWire) : [soaOf(zone)]));
        return { rcode: 0, answers, authorities: [] };
      }
      const cname = qtype === 'CNAME' ? undefined : zones.lookup(name, 'CNAME')?.[0];
      if (cname) {
        answers.push(toWire(cname));
        if (opts.followCnames === false || hop + 1 >= MAX_CHAIN)
          return { rcode: 0, answers, authorities: [] };
        name = lower(cname.data);
        continue;
      }
      return { rcode: zones.exists(name, zone) ? 0 : 3, answers, authorities: [soaOf(zone)] };
    }
  };

  /** Counts the query, then calls send with the reply bytes (null: stay silent), maybe later. */
  const handle = (msg: Buffer, transport: 'udp' | 'tcp', send: (out: Buffer | null) => void): void => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (!q) return;
    const qname = lower(q.name);
    total++;
    if (transport === 'tcp') tcpTotal++;
    const key = `${qname} ${q.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const fault = zones.faults.get(key.toLowerCase()) ?? zones.faults.get(qname);
    const opt = query.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const reply = (r: Reply, extraFlags = 0, id = query.id ?? 0): Buffer => {
      const packet: dnsPacket.Packet = {
        type: 'response',
        id,
        flags:
          ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
          dnsPacket.RECURSION_AVAILABLE |
          r.rcode |
          extraFlags,
        questions: [q],
        answers: r.answers,
        authorities: r.authorities,
        additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.OptAnswer] : [],
      };
      const bytes = dnsPacket.encode(packet);
      // Like a real server: what does not fit the client's advertised size goes out with TC=1.
      const limit = opt ? Math.max(512, opt.udpPayloadSize) : 512;
      if (transport === 'udp' && bytes.length > limit)
        return reply({ ...r, answers: [], authorities: [] }, TC);
      return bytes;
    };
    const respond = (): Buffer | null => {
      if (fault === 'drop') return null;
      if (fault === 'garbage') return randomBytes(12 + (total % 80));
      if (fault === 'servfail') return reply({ rcode: 2, answers: [], authorities: [] });
      if (fault === 'refused') return reply({ rcode: 5, answers: [], authorities: [] });
      if (fault === 'nxdomain') return reply({ rcode: 3, answers: [], authorities: [] });
      if ((fault === 'truncate' || fault === 'truncate-always') && transport === 'udp') {
        return reply({ rcode: 0, answers: [], authorities: [] }, TC);
      }
      if (fault === 'truncate-always') return null;
      const id = fault === 'wrong-id' ? ((query.id ?? 0) + 1) & 0xffff : query.id;
      return reply(resolve(qname, q.type), 0, id);
    };
    if (typeof fault !== 'object') {
      send(respond());
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      send(respond());
    }, fault.delayMs);
    timers.add(t);
  };

  const { udp, tcp, port } = await listenBoth();
  udp.on('message', (msg, rinfo) => {
    handle(msg, 'udp', (out) => {
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
  });
  tcp.on('connection', (socket) => {
    conns.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => conns.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        handle(msg, 'tcp', (out) => {
          if (!out) return void socket.destroy();
          const framed = Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]);
          writeChunked(socket, framed, opts.tcpChunkBytes ?? framed.length);
        });
      }
    });
  });

  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    get queries() {
      return total;
    },
    get tcpQueries() {
      return tcpTotal;
    },
    count(name, type) {
      const n = lower(name);
      if (type) return counts.get(`${n} ${type}`) ?? 0;
      let sum = 0;
      for (const [k, v] of counts) if (k.slice(0, k.lastIndexOf(' ')) === n) sum += v;
      return sum;
    },
    setData(data) {
      zones = new Zones(data);
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const c of conns) c.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

const TC = dnsPacket.TRUNCATED_RESPONSE;

function lower(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function soaData(mname: string, zone: string, minimum: number): dnsPacket.SoaData {
  return { mname, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum };
}

/** Pieces with a pause between them, so that the peer sees separate reads. */
function writeChunked(socket: net.Socket, data: Buffer, size: number): void {
  if (socket.destroyed) return;
  socket.write(data.subarray(0, size));
  if (data.length > size) setTimeout(() => writeChunked(socket, data.subarray(size), size), 1);
}

/** UDP on a free port, then TCP on the same number; another port if TCP finds it taken. */
export async function listenBoth(): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    // Large buffers: a benchmark fires thousands of queries at once and loopback drops the excess.
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve());
    });
    udp.on('error', () => {});
    const port = udp.address().port;
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { udp, tcp, port };
    await new Promise<void>((r) => udp.close(() => r()));
    if (attempt >= 20) throw new Error('no port free for both UDP and TCP');
  }
}
