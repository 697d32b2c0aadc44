import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { isIPv6, Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsRecord, RecordType, Status } from '../../types.js';
import { encodeQuery } from './packet.js';
import { RateLimiter } from './rate.js';

// Direct, non-recursive questions (RD=0) to one name server address: the delegation checks ask
// the root, the parents and every name server of a zone themselves instead of trusting one
// resolver's merged view. UDP with TCP on truncation, a timeout and one retry per question, a
// rate per server address, and every (server, name, type) asked at most once per run.

/** Records kept per section: no authoritative server needs more to answer our questions. */
const MAX_RECORDS = 64;
/** Questions remembered per run (answers of the root and parents are asked by many zones). */
const MAX_REMEMBERED = 200_000;
/**
 * Send errors that say this host has no path to the address (no IPv6 route on an IPv4-only
 * network, no route at all): a fact about where we stand, not about the server (SKIPPED).
 */
const NO_ROUTE: ReadonlySet<string> = new Set([
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'EAFNOSUPPORT',
]);
/** Questions sent from one UDP socket before the next goes out from a new one. */
const SOCKET_USES = 64;
/** Largest TCP reply read (two-byte length prefix). */
const MAX_TCP_REPLY = 65_535;

export interface DirectAnswer {
  /** The address asked. */
  server: string;
  name: string;
  type: RecordType;
  /**
   * rcode, or TIMEOUT (no reply in time), ERROR (garbage, a send that failed otherwise), SKIPPED
   * (not allowed to be asked, or no route from here to it).
   */
  status: Status;
  /** AA bit. */
  authoritative: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** Serial of the SOA record owned by the asked name in the answer section. */
  serial?: number;
  transport: 'udp' | 'tcp';
}

export interface DirectClientOptions {
  timeoutMs: number;
  /** Extra UDP attempts after a timeout (default 1). */
  retries?: number;
  /** Packets a second to each server address (0: no limit). */
  qps?: number;
  /** Which addresses may be asked at all (the loopback-only safety net); default: all. */
  allow?: (ip: string) => boolean;
  /**
   * Where a server address is reached (default: the address, port 53). Tests map the addresses of
   * a fake hierarchy onto loopback ports.
   */
  route?: (ip: string) => { host: string; port: number };
  udpPayloadSize?: number;
}

export interface DirectStats {
  /** Questions asked (after the once-per-run sharing). */
  questions: number;
  /** UDP packets sent, retries included. */
  sent: number;
  tcp: number;
  timeouts: number;
  /** Questions answered by a question already asked. */
  shared: number;
}

type Decoded = NonNullable<ReturnType<typeof decode>>;

interface Pending {
  key: string;
  socket: dgram.Socket;
  /** The reply decoded when it answers exactly this question; null otherwise (it is ignored). */
  match: (buf: Buffer) => Decoded | null;
  resolve: (reply: Decoded | null) => void;
}

export class DirectClient {
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #qps: number;
  readonly #allow: (ip: string) => boolean;
  readonly #route: (ip: string) => { host: string; port: number };
  readonly #payload: number;
  readonly #asked = new Map<string, Promise<DirectAnswer>>();
  readonly #rates = new Map<string, RateLimiter>();
  readonly #pending = new Map<string, Pending>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #uses = new Map<dgram.Socket, number>();
  /** Sockets past their uses, waiting for their last replies before they close. */
  readonly #retired = new Set<dgram.Socket>();
  #v4: dgram.Socket | null = null;
  #v6: dgram.Socket | null = null;
  #closed = false;
  readonly #stats: DirectStats = { questions: 0, sent: 0, tcp: 0, timeouts: 0, shared: 0 };

  constructor(opts: DirectClientOptions) {
    this.#timeoutMs = opts.timeoutMs;
    this.#retries = opts.retries ?? 1;
    this.#qps = opts.qps ?? 0;
    this.#allow = opts.allow ?? (() => true);
    this.#route = opts.route ?? ((ip) => ({ host: ip, port: 53 }));
    this.#payload = opts.udpPayloadSize ?? 1232;
  }

  stats(): DirectStats {
    return { ...this.#stats };
  }

  /** Resolves with a status for every outcome; never rejects. The answer is shared: do not modify it. */
  query(server: string, name: string, type: RecordType, remember = true): Promise<DirectAnswer> {
    const normal = lower(name);
    const key = `${server} ${normal} ${type}`;
    const known = this.#asked.get(key);
    if (known) {
      this.#stats.shared++;
      return known;
    }
    const asking = this.#ask(server, normal, type);
    // `remember` false: a question asked once per run anyway (a domain's own name): not kept, so
    // a long portfolio's answers do not pile up.
    if (remember && this.#asked.size < MAX_REMEMBERED) this.#asked.set(key, asking);
    return asking;
  }

  async #ask(server: string, name: string, type: RecordType): Promise<DirectAnswer> {
    const failed = (status: Status): DirectAnswer => ({
      server,
      name,
      type,
      status,
      authoritative: false,
      answers: [],
      authority: [],
      additional: [],
      transport: 'udp',
    });
    if (this.#closed || !this.#allow(server)) return failed('SKIPPED');
    this.#stats.questions++;
    const to = this.#route(server);
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (!(await this.#pace(server))) return failed('SKIPPED');
      const id = randomInt(0, 65536);
      const query = encode(name, type, id, this.#payload);
      const parsed = await this.#udp(to, id, query, (buf) => decode(buf, id, name, type));
      if (parsed === 'error') return failed('ERROR');
      if (parsed === 'no-route') return failed('SKIPPED');
      if (parsed === null) {
        this.#stats.timeouts++;
        continue;
      }
      if (!parsed.truncated) return { server, name, type, ...parsed.answer, transport: 'udp' };
      this.#stats.tcp++;
      const tcp = await this.#tcpQuery(to, encode(name, type, id, this.#payload));
      const viaTcp = tcp && decode(tcp, id, name, type);
      if (!viaTcp) return failed(tcp === null ? 'TIMEOUT' : 'ERROR');
      return { server, name, type, ...viaTcp.answer, transport: 'tcp' };
    }
    return failed('TIMEOUT');
  }

  #pace(server: string): true | Promise<boolean> {
    if (this.#qps <= 0) return true;
    let rate = this.#rates.get(server);
    if (!rate) {
      rate = new RateLimiter(this.#qps);
      this.#rates.set(server, rate);
    }
    return rate.take();
  }

  /**
   * The socket of a family, a new one (a new random source port) every SOCKET_USES questions, so
   * an off-path forger must guess port and id; an old one closes once its questions are over.
   */
  #socket(v6: boolean): dgram.Socket {
    const existing = v6 ? this.#v6 : this.#v4;
    if (existing && this.#uses.get(existing)! < SOCKET_USES) {
      this.#uses.set(existing, this.#uses.get(existing)! + 1);
      return existing;
    }
    if (existing) {
      const old = existing;
      this.#retired.add(old);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#retired.delete(old);
        old.close();
      }, this.#timeoutMs + 1000);
      timer.unref();
      this.#timers.add(timer);
      this.#uses.delete(old);
    }
    const socket = dgram.createSocket(v6 ? 'udp6' : 'udp4');
    this.#uses.set(socket, 1);
    socket.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const p = this.#pending.get(`${rinfo.address} ${rinfo.port} ${msg.readUInt16BE(0)}`);
      // A reply must reach the socket its question left from.
      if (!p || p.socket !== socket) return;
      // Garbage or a reply to another question (a spoof that guessed the id): ignored, the real
      // reply may still come.
      const decoded = p.match(msg);
      if (!decoded) return;
      this.#pending.delete(p.key);
      p.resolve(decoded);
    });
    // Errors on an unconnected socket (ICMP reports) belong to no one question: the timeout answers.
    socket.on('error', () => {});
    socket.unref();
    if (v6) this.#v6 = socket;
    else this.#v4 = socket;
    return socket;
  }

  #udp(
    to: { host: string; port: number },
    id: number,
    query: Buffer,
    match: (buf: Buffer) => Decoded | null,
  ): Promise<Decoded | null | 'error' | 'no-route'> {
    const socket = this.#socket(isIPv6(to.host));
    const key = `${to.host} ${to.port} ${id}`;
    // Another question to the same address with the same id still waits: wait for it to end
    // rather than take its reply (ids are random, so this is rare).
    if (this.#pending.has(key)) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#pending.delete(key);
        resolve(null);
      }, this.#timeoutMs);
      this.#timers.add(timer);
      const done = (buf: Decoded | null | 'error' | 'no-route') => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        resolve(buf);
      };
      this.#pending.set(key, { key, socket, match, resolve: done });
      this.#stats.sent++;
      socket.send(query, to.port, to.host, (err) => {
        if (!err) return;
        this.#pending.delete(key);
        done(NO_ROUTE.has((err as NodeJS.ErrnoException).code ?? '') ? 'no-route' : 'error');
      });
    });
  }

  #tcpQuery(to: { host: string; port: number }, query: Buffer): Promise<Buffer | null | undefined> {
    return new Promise((resolve) => {
      const socket = new Socket();
      let got = Buffer.alloc(0);
      const finish = (buf: Buffer | null | undefined) => {
        clearTimeout(timer);
        this.#timers.delete(timer);
        socket.destroy();
        resolve(buf);
      };
      const timer = setTimeout(() => finish(null), this.#timeoutMs);
      this.#timers.add(timer);
      socket.on('error', () => finish(undefined));
      socket.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (got.length > MAX_TCP_REPLY + 2) return finish(undefined);
        if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0))
          finish(got.subarray(2, 2 + got.readUInt16BE(0)));
      });
      socket.on('end', () => finish(undefined));
      socket.connect(to.port, to.host, () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        socket.write(Buffer.concat([len, query]));
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const p of this.#pending.values()) p.resolve(null);
    this.#pending.clear();
    for (const r of this.#rates.values()) r.close();
    for (const s of [this.#v4, this.#v6, ...this.#retired]) if (s) s.close();
    this.#retired.clear();
    this.#v4 = null;
    this.#v6 = null;
  }
}

/** The resolver client's query bytes (EDNS0, the same fast path), with our id and RD cleared. */
function encode(name: string, type: RecordType, id: number, udpPayloadSize: number): Buffer {
  const query = encodeQuery(name, type, udpPayloadSize);
  query.writeUInt16BE(id, 0);
  query[2]! &= ~0x01; // RD is the low bit of the third byte
  return query;
}

const RCODES: Readonly<Record<string, Status>> = {
  NOERROR: 'NOERROR',
  NXDOMAIN: 'NXDOMAIN',
  SERVFAIL: 'SERVFAIL',
  REFUSED: 'REFUSED',
  FORMERR: 'FORMERR',
  NOTIMP: 'NOTIMP',
};
const TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'NS', 'MX', 'SOA', 'TXT']);

type Parsed = Pick<
  DirectAnswer,
  'status' | 'authoritative' | 'answers' | 'authority' | 'additional' | 'serial'
>;

/** A reply to exactly our question, or null (garbage, another question: hostile until proven not). */
export function decode(
  buf: Buffer,
  id: number,
  name: string,
  type: RecordType,
): { answer: Parsed; truncated: boolean } | null {
  if (buf.length < 12 || buf.readUInt16BE(0) !== id) return null;
  let p: dnsPacket.DecodedPacket;
  try {
    p = dnsPacket.decode(buf);
  } catch {
    return null;
  }
  const q = p.questions?.[0];
  if (!p.flag_qr || p.questions?.length !== 1 || !q || q.type !== type) return null;
  if (typeof q.name !== 'string' || lower(q.name) !== name) return null;
  const rcode = (p as { rcode?: unknown }).rcode;
  const answers = records(p.answers);
  const answer: Parsed = {
    status: (typeof rcode === 'string' && RCODES[rcode]) || 'ERROR',
    authoritative: p.flag_aa === true,
    answers,
    authority: records(p.authorities),
    additional: records(p.additionals),
  };
  for (const a of (p.answers ?? []).slice(0, MAX_RECORDS)) {
    if (a?.type === 'SOA' && typeof a.name === 'string' && lower(a.name) === name) {
      const serial = (a.data as { serial?: unknown } | undefined)?.serial;
      if (typeof serial === 'number' && Number.isInteger(serial)) answer.serial = serial;
      break;
    }
  }
  return { answer, truncated: p.flag_tc === true };
}

function records(section: dnsPacket.Answer[] | undefined): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const item of (section ?? []).slice(0, MAX_RECORDS)) {
    const a = item as { type?: unknown; name?: unknown; class?: unknown; ttl?: unknown; data?: unknown };
    if (!a || typeof a.type !== 'string' || !TYPES.has(a.type) || typeof a.name !== 'string') continue;
    if (a.class !== undefined && a.class !== 'IN') continue;
    const owner = lower(a.name);
    const ttl = typeof a.ttl === 'number' ? a.ttl : 0;
    const type = a.type as RecordType;
    const data = a.data;
    let value: string | undefined;
    if (type === 'A' || type === 'AAAA' || type === 'CNAME' || type === 'NS')
      value = typeof data === 'string' ? (type === 'CNAME' || type === 'NS' ? lower(data) : data) : undefined;
    else if (type === 'SOA') {
      const mname = (data as { mname?: unknown } | undefined)?.mname;
      value = typeof mname === 'string' ? lower(mname) : undefined;
    } else if (type === 'MX') {
      const exchange = (data as { exchange?: unknown } | undefined)?.exchange;
      value = typeof exchange === 'string' ? lower(exchange) : undefined;
    }
    if (value !== undefined && value.length <= 253) out.push({ name: owner, type, ttl, data: value });
  }
  return out;
}

function lower(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') && n.length > 1 ? n.slice(0, -1) : n;
}
