// Hand-written DNS wire format for the bench responder: the question is read in place and the
// reply written into one scratch buffer, so the responder spends its time on I/O, not on objects.
import type { Rec, Reply, RType } from './model.js';

export interface Query {
  id: number;
  rd: boolean;
  name: string;
  type: RType | null;
  /** Offset just past the question (where the answer section starts). */
  qEnd: number;
  /** EDNS0 payload size the client advertised; null when it sent no OPT record. */
  payload: number | null;
}

const TYPES: Record<number, RType> = {
  1: 'A',
  28: 'AAAA',
  5: 'CNAME',
  2: 'NS',
  15: 'MX',
  6: 'SOA',
  16: 'TXT',
};
const CODES: Record<RType, number> = { A: 1, AAAA: 28, CNAME: 5, NS: 2, MX: 15, SOA: 6, TXT: 16 };
const TC = 0x0200;

/** The first question of a query; null for anything that is not one well-formed query. */
export function parseQuery(msg: Buffer): Query | null {
  if (msg.length < 17 || msg[2]! & 0x80 || msg.readUInt16BE(4) !== 1) return null;
  let off = 12;
  const labels: string[] = [];
  for (;;) {
    const len = msg[off];
    if (len === undefined || len > 63) return null;
    off++;
    if (len === 0) break;
    if (off + len > msg.length) return null;
    labels.push(msg.toString('latin1', off, off + len).toLowerCase());
    off += len;
  }
  if (off + 4 > msg.length) return null;
  const type = TYPES[msg.readUInt16BE(off)] ?? null;
  const qEnd = off + 4;
  let payload: number | null = null;
  if (
    msg.readUInt16BE(10) > 0 &&
    msg[qEnd] === 0 &&
    msg.length >= qEnd + 5 &&
    msg.readUInt16BE(qEnd + 1) === 41
  )
    payload = msg.readUInt16BE(qEnd + 3);
  return { id: msg.readUInt16BE(0), rd: (msg[2]! & 1) === 1, name: labels.join('.'), type, qEnd, payload };
}

function writeName(buf: Buffer, off: number, name: string, qname: string): number {
  if (name === qname) return buf.writeUInt16BE(0xc00c, off);
  for (const label of name.split('.')) {
    buf[off++] = label.length;
    off += buf.write(label, off, 'latin1');
  }
  buf[off++] = 0;
  return off;
}

function writeIp(buf: Buffer, off: number, rec: Rec): number {
  if (rec.type === 'A') {
    for (const part of rec.data.split('.')) buf[off++] = Number(part);
    return off;
  }
  // Expand "::" to the missing zero groups.
  const [head = '', tail = ''] = rec.data.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  for (const g of groups) off = buf.writeUInt16BE(Number.parseInt(g, 16), off);
  return off;
}

function writeRecord(buf: Buffer, off: number, rec: Rec, qname: string): number {
  off = writeName(buf, off, rec.name, qname);
  off = buf.writeUInt16BE(CODES[rec.type], off);
  off = buf.writeUInt16BE(1, off);
  off = buf.writeUInt32BE(3600, off);
  const lenAt = off;
  off += 2;
  switch (rec.type) {
    case 'A':
    case 'AAAA':
      off = writeIp(buf, off, rec);
      break;
    case 'MX':
      off = buf.writeUInt16BE(rec.preference ?? 10, off);
      off = writeName(buf, off, rec.data, '');
      break;
    case 'SOA':
      off = writeName(buf, off, rec.data, '');
      off = writeName(buf, off, `hostmaster.${rec.name}`, '');
      // serial, refresh, retry, expire, minimum (the negative TTL).
      for (const v of [1, 3600, 600, 86400, 3600]) off = buf.writeUInt32BE(v, off);
      break;
    case 'TXT':
      // One character-string (the model's texts are short ASCII).
      buf[off++] = rec.data.length;
      off += buf.write(rec.data, off, 'latin1');
      break;
    default:
      off = writeName(buf, off, rec.data, '');
  }
  buf.writeUInt16BE(off - lenAt - 2, lenAt);
  return off;
}

const scratch = Buffer.alloc(65535);

/** The reply bytes (a fresh buffer); over UDP, a reply larger than the client allows goes with TC=1. */
export function encodeReply(msg: Buffer, q: Query, reply: Reply, udp: boolean): Buffer {
  const limit = udp ? Math.max(512, q.payload ?? 512) : 65535;
  const write = (r: Reply, flags: number): number => {
    scratch.writeUInt16BE(q.id, 0);
    scratch.writeUInt16BE(0x8000 | (q.rd ? 0x0100 : 0) | 0x0080 | flags | r.rcode, 2);
    scratch.writeUInt16BE(1, 4);
    scratch.writeUInt16BE(r.answers.length, 6);
    scratch.writeUInt16BE(r.authority.length, 8);
    scratch.writeUInt16BE(q.payload === null ? 0 : 1, 10);
    msg.copy(scratch, 12, 12, q.qEnd);
    let off = q.qEnd;
    for (const rec of r.answers) off = writeRecord(scratch, off, rec, q.name);
    for (const rec of r.authority) off = writeRecord(scratch, off, rec, q.name);
    if (q.payload !== null) {
      // OPT: root name, type 41, class = our payload size, TTL 0, no options.
      scratch[off++] = 0;
      off = scratch.writeUInt16BE(41, off);
      off = scratch.writeUInt16BE(1232, off);
      off = scratch.writeUInt32BE(0, off);
      off = scratch.writeUInt16BE(0, off);
    }
    return off;
  };
  let len = write(reply, 0);
  if (len > limit) len = write({ rcode: reply.rcode, answers: [], authority: [] }, TC);
  return Buffer.from(scratch.subarray(0, len));
}

/** A reply with only a status (REFUSED for what we cannot parse the type of, FORMERR...). */
export function statusReply(msg: Buffer, q: Query, rcode: 0 | 3 | 5): Buffer {
  return encodeReply(msg, q, { rcode, answers: [], authority: [] }, false);
}
