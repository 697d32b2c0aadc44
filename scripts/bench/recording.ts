// The queries a run sent, as the responder received them: a file of length-prefixed packets
// (u16 big-endian length, then the bytes), written while the CLI runs and replayed afterwards by
// the bare client, so that the ceiling asks exactly what the audit asked, in the same order.
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import dnsPacket from 'dns-packet';

const CHUNK = 1 << 16;

/** Appends packets to a file through one 64 KiB buffer (a write per chunk, not per packet). */
export class PacketRecorder {
  readonly #fd: number;
  #buf = Buffer.allocUnsafe(CHUNK);
  #used = 0;
  count = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }

  add(packet: Buffer): void {
    if (packet.length > 0xffff) return;
    if (this.#used + 2 + packet.length > this.#buf.length) this.#flush();
    this.#buf.writeUInt16BE(packet.length, this.#used);
    packet.copy(this.#buf, this.#used + 2);
    this.#used += 2 + packet.length;
    this.count++;
  }

  close(): void {
    this.#flush();
    closeSync(this.#fd);
  }

  #flush(): void {
    if (this.#used > 0) writeSync(this.#fd, this.#buf, 0, this.#used);
    this.#used = 0;
  }
}

/** The recorded packets, one at a time (read in 64 KiB chunks: a 1M-domain run does not fit in memory twice). */
export function* readPackets(path: string): Generator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      buf = buf.length ? Buffer.concat([buf, chunk.subarray(0, n)]) : Buffer.from(chunk.subarray(0, n));
      let at = 0;
      while (buf.length - at >= 2 && buf.length - at >= 2 + buf.readUInt16BE(at)) {
        const len = buf.readUInt16BE(at);
        yield Buffer.from(buf.subarray(at + 2, at + 2 + len));
        at += 2 + len;
      }
      buf = buf.subarray(at);
    }
    if (buf.length > 0) throw new Error(`${path}: ${buf.length} bytes of a truncated packet at the end`);
  } finally {
    closeSync(fd);
  }
}

export interface RecordedQuestions {
  packets: number;
  /** Distinct (name, type) pairs, names compared without case (0x20 bits differ between sends). */
  distinct: number;
  /** Packets by question type. */
  byType: Record<string, number>;
  /** Packets that repeat a (name, type) asked before, by type: retries, or the same question asked twice. */
  repeatsByType: Record<string, number>;
}

/** What the recorded packets asked (outside any timed phase: every packet is decoded). */
export function recordedQuestions(path: string): RecordedQuestions {
  const seen = new Set<string>();
  const r: RecordedQuestions = { packets: 0, distinct: 0, byType: {}, repeatsByType: {} };
  for (const packet of readPackets(path)) {
    r.packets++;
    let q: { name: string; type: string } | undefined;
    try {
      q = dnsPacket.decode(packet).questions?.[0];
    } catch {
      q = undefined;
    }
    const type = q?.type ?? '?';
    r.byType[type] = (r.byType[type] ?? 0) + 1;
    const key = `${type} ${(q?.name ?? '').toLowerCase()}`;
    if (seen.has(key)) r.repeatsByType[type] = (r.repeatsByType[type] ?? 0) + 1;
    else seen.add(key);
  }
  r.distinct = seen.size;
  return r;
}
