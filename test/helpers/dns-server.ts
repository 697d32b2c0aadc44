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
  /**
   * Served only to queries whose EDNS Client Subnet falls in this prefix ("203.0.113.0/24"),
   * instead of the records of the same name and type without one (GeoDNS / CDN steering).
   */
  subnet?: string;
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
  /** The reply names another question (a spoof for a different name or type). */
  | 'wrong-name'
  | 'wrong-type'
  /** The right reply, sent over UDP from another port than the one asked (off-path spoof). */
  | 'wrong-source'
  /** A reply whose answer owner name is a compression pointer to itself (RFC 1035 4.1.4 loop). */
  | 'pointer-loop'
  /** The right reply cut in half, without TC. */
  | 'cut'
  /** TC=1 over UDP; over TCP a length prefix of 65535 and a few bytes, then silence. */
  | 'tcp-stall'
  /** Only the first CNAME of the chain, as an authoritative server would: the client must ask on. */
  | 'cname-only'
  /** Reply after this long, as `fault` says (default: the normal reply). */
  | { delayMs: number; fault?: Exclude<DnsFault, { delayMs: number }> };

export interface LabDnsData {
  /** Zone apexes the server answers for; a name in none of them gets REFUSED. */
  zones: string[];
  records: LabRecord[];
  /** Keyed by "name" (every type) or "name TYPE" (that type only). */
  faults?: Record<string, DnsFault>;
  /**
   * Zones whose answers ignore EDNS Client Subnet, as a resolver without ECS support: their
   * `subnet` records are never served and replies carry no ECS option.
   */
  ignoreEcs?: string[];
}

export interface LabDnsOptions {
  /** UDP and TCP port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** TTL of records without one, and of the synthesised SOA (default 300). */
  ttl?: number;
  /** SOA minimum, the negative-caching TTL (default 60). */
  negativeTtl?: number;
  /** false: answer a CNAME'd name with the CNAME only, like an authoritative server (default true). */
  followCnames?: boolean;
  /** Write TCP replies in pieces of this many bytes, to exercise the client's reassembly. */
  tcpChunkBytes?: number;
  /** Every UDP query gets TC=1 and no records (faults then apply over TCP only). */
  truncateUdp?: boolean;
  /**
   * Hold TCP replies on a connection and write each batch of this many in reverse order (a batch
   * not filled within 20 ms goes out reversed as it is): out-of-order replies, as RFC 7766 allows.
   */
  tcpReverse?: number;
  /** Close a TCP connection (FIN) once it has written this many replies; queries beyond go unanswered. */
  tcpCloseAfter?: number;
}

export interface LabDnsServer {
  host: '127.0.0.1';
  port: number;
  address: string;
  /** Queries received (UDP and TCP). */
  readonly queries: number;
  /** Queries received over TCP. */
  readonly tcpQueries: number;
  /** Queries that carried an EDNS Client Subnet option. */
  readonly ecsQueries: number;
  /** TCP connections accepted. */
  readonly tcpConnections: number;
  /** TCP connections open now. */
  readonly tcpOpen: number;
  /** performance.now() at the arrival of each query counted in `queries`, in order. */
  readonly arrivals: readonly number[];
  /** Queries received for a name, of one type or of all types. */
  count(name: string, type?: RecordType): number;
  setData(data: LabDnsData): void;
  close(): Promise<void>;
}

const MAX_CHAIN = 16;

type Reply = { rcode: number; answers: dnsPacket.Answer[]; authorities: dnsPacket.Answer[]; scope?: number };

/** The EDNS Client Subnet of a query, as dns-packet decodes it. */
interface EcsQuery {
  family: number;
  source: number;
  ip: string;
  /** The option's address bytes, echoed back as received. */
  address: Buffer;
}

class Zones {
  readonly #names = new Map<string, Map<string, LabRecord[]>>();
  /** Records with a `subnet`, by name and type. */
  readonly #regional = new Map<string, Map<string, LabRecord[]>>();
  readonly #ignoreEcs: Set<string>;
  /** Every owner name and its ancestors inside a zone: empty non-terminals exist (NODATA, not NXDOMAIN). */
  readonly #existing = new Set<string>();
  readonly #apexes: string[];
  readonly faults: Map<string, DnsFault>;

  constructor(data: LabDnsData) {
    this.#apexes = data.zones.map(lower).sort((a, b) => b.length - a.length);
    this.#ignoreEcs = new Set((data.ignoreEcs ?? []).map(lower));
    for (const r of data.records) {
      const name = lower(r.name);
      const index = r.subnet ? this.#regional : this.#names;
      const byType = index.get(name) ?? new Map<string, LabRecord[]>();
      byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
      index.set(name, byType);
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

  /** Records for a client in `ecs`: the matching `subnet` records if any, else the plain ones. */
  lookupFor(name: string, type: string, ecs: EcsQuery | undefined): { records?: LabRecord[]; scope: number } {
    const zone = this.zoneOf(name);
    if (ecs && zone && !this.#ignoreEcs.has(zone)) {
      const hit = (this.#regional.get(name)?.get(type) ?? []).filter((r) => inSubnet(ecs.ip, r.subnet!));
      if (hit.length > 0) return { records: hit, scope: Math.max(...hit.map((r) => prefixOf(r.subnet!))) };
    }
    return { records: this.lookup(name, type), scope: 0 };
  }

  ignoresEcs(name: string): boolean {
    const zone = this.zoneOf(name);
    return zone !== undefined && this.#ignoreEcs.has(zone);
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
  let ecsTotal = 0;
  let tcpConnTotal = 0;
  const arrivals: number[] = [];
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
  const resolve = (qname: string, qtype: string, ecs?: EcsQuery): Reply => {
    const answers: dnsPacket.Answer[] = [];
    let name = qname;
    let scope = 0;
    const lookup = (n: string, t: string) => {
      const got = zones.lookupFor(n, t, ecs);
      if (got.records) scope = Math.max(scope, got.scope);
      return got.records;
    };
    for (let hop = 0; ; hop++) {
      const zone = zones.zoneOf(name);
      if (!zone) return { rcode: answers.length ? 0 : 5, answers, authorities: [], scope };
      const found = lookup(name, qtype) ?? (qtype === 'SOA' && name === zone ? [] : undefined);
      if (found) {
        answers.push(...(found.length ? found.map(toWire) : [soaOf(zone)]));
        return { rcode: 0, answers, authorities: [], scope };
      }
      const cname = qtype === 'CNAME' ? undefined : lookup(name, 'CNAME')?.[0];
      if (cname) {
        answers.push(toWire(cname));
        if (opts.followCnames === false || hop + 1 >= MAX_CHAIN)
          return { rcode: 0, answers, authorities: [], scope };
        name = lower(cname.data);
        continue;
      }
      return { rcode: zones.exists(name, zone) ? 0 : 3, answers, authorities: [soaOf(zone)], scope };
    }
  };

  /**
   * Counts the query, then calls send with the reply bytes (null: stay silent), maybe later.
   * `how` asks for something other than a plain reply: UDP from another socket, TCP unframed.
   */
  const handle = (
    msg: Buffer,
    transport: 'udp' | 'tcp',
    send: (out: Buffer | null, how?: 'spoof-source' | 'raw') => void,
  ): void => {
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
    arrivals.push(performance.now());
    if (transport === 'tcp') tcpTotal++;
    const key = `${qname} ${q.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const fault = zones.faults.get(key.toLowerCase()) ?? zones.faults.get(qname);
    const opt = query.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;
    const ecs = ecsOfQuery(opt);
    if (ecs) ecsTotal++;
    // RFC 7871: a server that uses ECS echoes family, source prefix and address with its scope.
    const ecsEcho = (scope: number) =>
      ecs && !zones.ignoresEcs(qname) ? [{ code: 8 as const, ip: undefined, data: echoEcs(ecs, scope) }] : [];
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
        additionals: opt
          ? [
              {
                type: 'OPT',
                name: '.',
                udpPayloadSize: 1232,
                options: ecsEcho(r.scope ?? 0),
              } as unknown as dnsPacket.OptAnswer,
            ]
          : [],
      };
      const bytes = dnsPacket.encode(packet);
      // Like a real server: what does not fit the client's advertised size goes out with TC=1.
      const limit = opt ? Math.max(512, opt.udpPayloadSize) : 512;
      if (transport === 'udp' && bytes.length > limit)
        return reply({ ...r, answers: [], authorities: [] }, TC);
      return bytes;
    };
    if (transport === 'udp' && opts.truncateUdp) {
      send(reply({ rcode: 0, answers: [], authorities: [] }, TC));
      return;
    }
    const kind = typeof fault === 'object' ? fault.fault : fault;
    const respond = (): Buffer | null => {
      if (kind === 'drop') return null;
      if (kind === 'garbage') return randomBytes(12 + (total % 80));
      if (kind === 'servfail') return reply({ rcode: 2, answers: [], authorities: [] });
      if (kind === 'refused') return reply({ rcode: 5, answers: [], authorities: [] });
      if (kind === 'nxdomain') return reply({ rcode: 3, answers: [], authorities: [] });
      if ((kind === 'truncate' || kind === 'truncate-always') && transport === 'udp') {
        return reply({ rcode: 0, answers: [], authorities: [] }, TC);
      }
      if (kind === 'truncate-always') return null;
      const id = kind === 'wrong-id' ? ((query.id ?? 0) + 1) & 0xffff : query.id;
      return reply(resolve(qname, q.type, ecs), 0, id);
    };
    const hostile = (): boolean => {
      const right = (): Buffer => reply(resolve(qname, q.type, ecs));
      const asked = (other: dnsPacket.Question): Buffer =>
        dnsPacket.encode({ ...dnsPacket.decode(right()), questions: [other] });
      switch (kind) {
        case 'wrong-name':
          send(asked({ ...q, name: `spoof.${qname}` }));
          return true;
        case 'wrong-type':
          send(asked({ ...q, type: q.type === 'A' ? 'AAAA' : 'A' }));
          return true;
        case 'wrong-source':
          send(right(), transport === 'udp' ? 'spoof-source' : undefined);
          return true;
        case 'pointer-loop':
          send(pointerLoop(query.id ?? 0, q));
          return true;
        case 'cut': {
          const whole = right();
          send(whole.subarray(0, Math.max(12, whole.length >> 1)));
          return true;
        }
        case 'tcp-stall':
          if (transport === 'udp') send(reply({ rcode: 0, answers: [], authorities: [] }, TC));
          else send(Buffer.from([0xff, 0xff, (query.id ?? 0) >> 8, (query.id ?? 0) & 0xff]), 'raw');
          return true;
        case 'cname-only': {
          const r = resolve(qname, q.type, ecs);
          const first = r.answers[0]?.type === 'CNAME' ? r.answers.slice(0, 1) : r.answers;
          send(reply({ ...r, answers: first }));
          return true;
        }
        default:
          return false;
      }
    };
    if (typeof fault !== 'object') {
      if (!hostile()) send(respond());
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      if (!hostile()) send(respond());
    }, fault.delayMs);
    timers.add(t);
  };

  const { udp, tcp, port } = await listenBoth(opts.port);
  // A second socket, for replies that must come from the wrong port.
  const spoofer = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => spoofer.bind(0, '127.0.0.1', () => resolve()));
  spoofer.on('error', () => {});
  udp.on('message', (msg, rinfo) => {
    handle(msg, 'udp', (out, how) => {
      if (out) (how === 'spoof-source' ? spoofer : udp).send(out, rinfo.port, rinfo.address);
    });
  });
  tcp.on('connection', (socket) => {
    tcpConnTotal++;
    conns.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => conns.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let written = 0;
    let held: Buffer[] = [];
    let flush: NodeJS.Timeout | undefined;
    const writeHeld = () => {
      clearTimeout(flush);
      if (flush) timers.delete(flush);
      flush = undefined;
      const batch = held.reverse();
      held = [];
      for (const framed of batch) deliver(framed);
    };
    // Replies go out one after the other, each in pieces with a pause between them (so that the
    // peer sees separate reads): pieces of two replies never interleave.
    const pieces: Buffer[] = [];
    let pausing = false;
    let ending = false;
    const pump = (): void => {
      pausing = false;
      while (pieces.length > 0 && !socket.destroyed) {
        const head = pieces[0]!;
        const size = opts.tcpChunkBytes ?? head.length;
        socket.write(head.subarray(0, size));
        if (head.length > size) {
          pieces[0] = head.subarray(size);
          pausing = true;
          setTimeout(pump, 1);
          return;
        }
        pieces.shift();
      }
      if (ending && !socket.destroyed) socket.end();
    };
    const deliver = (framed: Buffer) => {
      if (socket.destroyed || ending) return;
      pieces.push(framed);
      written++;
      if (opts.tcpCloseAfter !== undefined && written >= opts.tcpCloseAfter) ending = true;
      if (!pausing) pump();
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        if (ending) continue;
        handle(msg, 'tcp', (out, how) => {
          if (!out) return void socket.destroy();
          if (how === 'raw') {
            pieces.push(out);
            if (!pausing) pump();
            return;
          }
          const framed = Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]);
          if (!opts.tcpReverse) return deliver(framed);
          held.push(framed);
          if (held.length >= opts.tcpReverse) writeHeld();
          else if (!flush) {
            flush = setTimeout(writeHeld, 20);
            timers.add(flush);
          }
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
    get ecsQueries() {
      return ecsTotal;
    },
    get tcpConnections() {
      return tcpConnTotal;
    },
    get tcpOpen() {
      return conns.size;
    },
    arrivals,
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
        new Promise<void>((r) => spoofer.close(() => r())),
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

const TC = dnsPacket.TRUNCATED_RESPONSE;

function ecsOfQuery(opt: dnsPacket.OptAnswer | undefined): EcsQuery | undefined {
  for (const o of opt?.options ?? []) {
    const e = o as {
      code?: number;
      family?: number;
      sourcePrefixLength?: number;
      ip?: string;
      data?: Buffer;
    };
    if (e.code !== 8 || !e.data || e.data.length < 4 || !e.ip) continue;
    return {
      family: e.family ?? 0,
      source: e.sourcePrefixLength ?? 0,
      ip: e.ip,
      address: e.data.subarray(4),
    };
  }
  return undefined;
}

function echoEcs(ecs: EcsQuery, scope: number): Buffer {
  const data = Buffer.alloc(4 + ecs.address.length);
  data.writeUInt16BE(ecs.family, 0);
  data.writeUInt8(ecs.source, 2);
  data.writeUInt8(scope, 3);
  ecs.address.copy(data, 4);
  return data;
}

function prefixOf(cidr: string): number {
  return Number(cidr.split('/')[1] ?? 0);
}

function inSubnet(ip: string, cidr: string): boolean {
  const [base = '', len = '0'] = cidr.split('/');
  const type = net.isIPv6(base) ? 'ipv6' : 'ipv4';
  if ((net.isIPv6(ip) ? 'ipv6' : 'ipv4') !== type) return false;
  const list = new net.BlockList();
  list.addSubnet(base, Number(len), type);
  return list.check(ip, type);
}

function lower(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function soaData(mname: string, zone: string, minimum: number): dnsPacket.SoaData {
  return { mname, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum };
}

/**
 * A reply with one answer whose owner name is a compression pointer to its own offset: a decoder
 * that follows pointers without a check loops forever.
 */
function pointerLoop(id: number, q: dnsPacket.Question): Buffer {
  const head = dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_AVAILABLE,
    questions: [q],
  });
  head.writeUInt16BE(1, 6); // ANCOUNT
  const at = head.length;
  const rr = Buffer.alloc(2 + 10 + 4);
  rr.writeUInt16BE(0xc000 | at, 0); // owner: pointer to this very byte
  rr.writeUInt16BE(1, 2); // TYPE A
  rr.writeUInt16BE(1, 4); // CLASS IN
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(4, 10);
  rr.set([192, 0, 2, 66], 12);
  return Buffer.concat([head, rr]);
}

/** UDP on a free port, then TCP on the same number; another port if TCP finds it taken. */
export async function listenBoth(
  fixed?: number,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    // Large buffers: a benchmark fires thousands of queries at once and loopback drops the excess.
    const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(fixed ?? 0, '127.0.0.1', () => resolve());
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
    if (fixed) throw new Error(`TCP port ${fixed} on 127.0.0.1 is taken`);
    if (attempt >= 20) throw new Error('no port free for both UDP and TCP');
  }
}
