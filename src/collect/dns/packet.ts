import dnsPacket from 'dns-packet';
import type { DnsRecord, RecordType, Status } from '../../types.js';
import { decodeEcs, ECS_OPTION_CODE, type EcsReply, type EcsSubnet, ecsMatches, ecsOption } from './ecs.js';

// Wire format in and out of dns-packet. Everything that comes off the network is treated as
// hostile: decode errors become `null`, unknown shapes are skipped, sections are bounded.

/** Records kept per section; a resolver has no business sending more for one question. */
export const MAX_RECORDS_PER_SECTION = 64;
/** Negative answers are cached at most this long (RFC 2308 suggests 1-3 hours; a run is short). */
export const MAX_NEGATIVE_TTL = 300;

const RECORD_TYPES: ReadonlySet<string> = new Set<RecordType>([
  'A',
  'AAAA',
  'CNAME',
  'NS',
  'MX',
  'SOA',
  'TXT',
]);
const RCODES: Readonly<Record<string, Status>> = {
  NOERROR: 'NOERROR',
  NXDOMAIN: 'NXDOMAIN',
  SERVFAIL: 'SERVFAIL',
  REFUSED: 'REFUSED',
  FORMERR: 'FORMERR',
  NOTIMP: 'NOTIMP',
};

export interface ParsedResponse {
  status: Status;
  truncated: boolean;
  answers: DnsRecord[];
  authority: DnsRecord[];
  /** Seconds the answer may be cached; 0 = do not cache. */
  cacheTtl: number;
  /** The ECS option of the reply, when the query carried one and the reply has one. */
  ecs?: EcsReply;
}

/**
 * Whether a name is already in normal form and ASCII: lower case letters, digits, '-', '_' and
 * dots between labels of 1-63 bytes, 253 bytes at most. The common case, checked without
 * allocating.
 */
function isNormalAscii(name: string): boolean {
  const len = name.length;
  if (len === 0 || len > 253) return false;
  let label = 0;
  for (let i = 0; i < len; i++) {
    const c = name.charCodeAt(i);
    if (c === 46) {
      if (label === 0) return false;
      label = 0;
    } else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95) {
      if (++label > 63) return false;
    } else return false;
  }
  return label > 0;
}

/** Lower case, no trailing dot; null when it cannot go on the wire (RFC 1035 length limits). */
export function normaliseName(name: string): string | null {
  if (isNormalAscii(name)) return name;
  const n = name.trim().toLowerCase().replace(/\.$/, '');
  if (n === '') return null;
  if (Buffer.byteLength(n) > 253) return null;
  for (const label of n.split('.')) {
    const len = Buffer.byteLength(label);
    if (len === 0 || len > 63) return null;
  }
  return n;
}

const TYPE_CODES: Readonly<Record<RecordType, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
};

/** Query with RD and an EDNS0 OPT record; id 0, the caller writes the id into bytes 0-1 per attempt. */
export function encodeQuery(name: string, type: RecordType, udpPayloadSize: number, ecs?: EcsSubnet): Buffer {
  // The usual query (a normal ASCII name, no ECS) is written directly: the same bytes dns-packet
  // writes, without its intermediate objects.
  if (!ecs && isNormalAscii(name)) {
    const buf = Buffer.allocUnsafe(12 + name.length + 2 + 4 + 11);
    buf.writeUInt32BE(0x00000100, 0); // id 0, flags RD
    buf.writeUInt32BE(0x00010000, 4); // 1 question, 0 answers
    buf.writeUInt32BE(0x00000001, 8); // 0 authority, 1 additional
    // Labels: each dot becomes the length byte of the label after it.
    let lenAt = 12;
    let off = 13;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c === 46) {
        buf[lenAt] = off - lenAt - 1;
        lenAt = off++;
      } else buf[off++] = c;
    }
    buf[lenAt] = off - lenAt - 1;
    buf[off++] = 0;
    buf.writeUInt16BE(TYPE_CODES[type], off);
    buf.writeUInt16BE(1, off + 2);
    off += 4;
    buf[off++] = 0; // OPT: root owner
    buf.writeUInt16BE(41, off);
    buf.writeUInt16BE(udpPayloadSize, off + 2);
    buf.writeUInt32BE(0, off + 4); // extended rcode, version, flags (DO off)
    buf.writeUInt16BE(0, off + 8); // no options
    return buf;
  }
  return dnsPacket.encode({
    type: 'query',
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: ecs ? [ecsOption(ecs)] : [],
      },
    ],
  });
}

/**
 * DNS 0x20 (draft-vixie-dnsext-dns0x20): each letter of the query's QNAME (from byte 12) gets a
 * random case, which resolvers copy into their reply's question: an off-path forger must guess
 * those bits too, on top of the id and the source port. Returns the name as now written (labels
 * joined by dots, as dns-packet decodes a reply's question); `bits` gives 8 random bits a call.
 */
export function randomiseCase(query: Buffer, bits: () => number): string {
  let name = '';
  let random = 0;
  let left = 0;
  for (let at = 12; at < query.length && query[at]! > 0 && query[at]! < 64; ) {
    const end = at + 1 + query[at]!;
    if (end > query.length) break;
    if (name) name += '.';
    for (let i = at + 1; i < end; i++) {
      let c = query[i]!;
      const lower = c | 0x20;
      if (lower >= 97 && lower <= 122) {
        if (left === 0) {
          random = bits();
          left = 8;
        }
        c = random & 1 ? lower & ~0x20 : lower;
        random >>= 1;
        left--;
        query[i] = c;
      }
      name += String.fromCharCode(c);
    }
    at = end;
  }
  return name;
}

export interface Expected {
  id: number;
  name: string;
  type: RecordType;
  /**
   * The question's name exactly as sent (0x20 case, see randomiseCase): the reply's must be the
   * same, case included. Absent: compared without case (TCP, where no off-path forger can answer).
   */
  wireName?: string;
  /** The client subnet the query carried: the reply's ECS option must match it. */
  ecs?: EcsSubnet;
}

/** Decodes a reply; null when it is garbage or does not answer exactly the question asked. */
export function parseResponse(buf: Buffer, expect: Expected): ParsedResponse | null {
  if (buf.length < 12 || buf.readUInt16BE(0) !== expect.id) return null;
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch {
    return null;
  }
  const q = packet.questions?.[0];
  if (!packet.flag_qr || packet.questions?.length !== 1 || !q || typeof q.name !== 'string') return null;
  if (q.type !== expect.type) return null;
  if (expect.wireName !== undefined) {
    if (q.name !== expect.wireName) return null;
  } else if (q.name !== expect.name && q.name.toLowerCase().replace(/\.$/, '') !== expect.name) return null;
  const rcode = (packet as { rcode?: unknown }).rcode;
  const status = (typeof rcode === 'string' && RCODES[rcode]) || 'ERROR';
  const ecs = expect.ecs ? ecsReply(packet) : undefined;
  // RFC 7871 section 7.3: an ECS option for another subnet means the reply is not ours: drop it.
  if (ecs && expect.ecs && !ecsMatches(ecs, expect.ecs)) return null;
  const answers = toRecords(packet.answers, expect.name);
  const authority = toRecords(packet.authorities, expect.name);
  const parsed: ParsedResponse = {
    status,
    truncated: packet.flag_tc,
    answers,
    authority,
    cacheTtl: packet.flag_tc ? 0 : cacheTtl(status, answers, packet.authorities),
  };
  if (ecs) parsed.ecs = ecs;
  return parsed;
}

/** The first well-formed ECS option of the OPT record; undefined when there is none. */
function ecsReply(packet: dnsPacket.DecodedPacket): EcsReply | undefined {
  for (const a of packet.additionals ?? []) {
    if (a?.type !== 'OPT' || !Array.isArray(a.options)) continue;
    for (const o of a.options as { code?: unknown; data?: unknown }[]) {
      if (o?.code !== ECS_OPTION_CODE || !Buffer.isBuffer(o.data)) continue;
      const reply = decodeEcs(o.data);
      if (reply) return reply;
    }
  }
  return undefined;
}

/**
 * The section's records in an array of their own size: an array grown by push keeps room for 17
 * elements (~180 bytes) after its first, and answers live in the cache for the whole run.
 * `asked`: the question's name, shared by the records it owns instead of a copy per record.
 */
function toRecords(section: dnsPacket.Answer[] | undefined, asked: string): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const a of (section ?? []).slice(0, MAX_RECORDS_PER_SECTION)) {
    const r = toRecord(a, asked);
    if (r) out.push(r);
  }
  return out.length === 0 ? out : out.slice();
}

/**
 * Records are built by object literals of one shape (two with MX's priority): a spread here
 * (`{ ...base, data }`) gave every record a map of its own, which made each site that reads
 * records megamorphic and put a fresh map into old space per record.
 */
function record(name: string, type: RecordType, ttl: number, data: string): DnsRecord {
  return { name, type, ttl, data };
}

function toRecord(a: dnsPacket.Answer, asked: string): DnsRecord | null {
  if (!a || !RECORD_TYPES.has(a.type) || typeof a.name !== 'string' || a.type === 'OPT') return null;
  if (a.class !== undefined && a.class !== 'IN') return null;
  const owner = hostName(a.name);
  const name = owner === asked ? asked : owner;
  const type = a.type as RecordType;
  const ttl = a.ttl ?? 0;
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return typeof a.data === 'string' ? record(name, type, ttl, a.data) : null;
    case 'CNAME':
    case 'NS':
      return typeof a.data === 'string' ? record(name, type, ttl, hostName(a.data)) : null;
    case 'MX':
      return typeof a.data?.exchange === 'string'
        ? { name, type, ttl, data: hostName(a.data.exchange), priority: a.data.preference ?? 0 }
        : null;
    case 'SOA':
      return typeof a.data?.mname === 'string' ? record(name, type, ttl, hostName(a.data.mname)) : null;
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      const text = parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('');
      return record(name, type, ttl, text);
    }
    default:
      return null;
  }
}

/** Lower case without trailing dot; the root stays ".", which is what a null MX points at. */
function hostName(name: string): string {
  if (isNormalAscii(name)) return name;
  if (name === '.' || name === '') return '.';
  return name.toLowerCase().replace(/\.$/, '');
}

/** Positive: min TTL of the answer. Negative (NXDOMAIN/NODATA): min(SOA TTL, SOA minimum), RFC 2308. */
function cacheTtl(status: Status, answers: DnsRecord[], authorities: dnsPacket.Answer[] | undefined): number {
  if (status === 'NOERROR' && answers.length > 0) return Math.min(...answers.map((r) => r.ttl));
  if (status !== 'NOERROR' && status !== 'NXDOMAIN') return 0;
  const soa = (authorities ?? []).find((a) => a?.type === 'SOA');
  if (soa?.type !== 'SOA') return 0;
  return Math.min(soa.ttl ?? 0, soa.data?.minimum ?? 0, MAX_NEGATIVE_TTL);
}
