// The DNS ceiling: the simplest fast client one could write on dns-packet. One UDP socket, a
// fixed window of queries in flight, replies matched on the id alone and fully decoded. It asks
// either the distinct questions the model says a DNS-only audit asks (`questions`), or exactly
// the packets a recorded audit sent (`packets`, the replay ceiling), so domains/s compare like
// for like.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Question } from './model.js';

export interface DnsCeilingOptions {
  port: number;
  /** Exactly one of these: questions to encode, or recorded queries to send again (new ids). */
  questions?: Iterable<Question>;
  packets?: Iterable<Buffer>;
  /** Queries in flight at once. */
  window: number;
  /** Per attempt; a query gets `retries` more attempts, then counts as lost. */
  timeoutMs?: number;
  retries?: number;
}

export interface DnsCeilingResult {
  questions: number;
  answered: number;
  sent: number;
  timeouts: number;
  lost: number;
  /** Replies that matched no query in flight (late answers to a retried query). */
  stray: number;
  elapsedMs: number;
}

interface Pending {
  question: Question | null;
  packet: Buffer | null;
  id: number;
  sentAt: number;
  attempts: number;
}

export async function bareDnsCeiling(opts: DnsCeilingOptions): Promise<DnsCeilingResult> {
  const { port, window } = opts;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const retries = opts.retries ?? 2;
  const source: Iterator<Question | Buffer> = (opts.packets ?? opts.questions ?? [])[Symbol.iterator]();
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const slots: (Pending | undefined)[] = new Array(65536);
  const inFlight = new Set<Pending>();
  const r: DnsCeilingResult = {
    questions: 0,
    answered: 0,
    sent: 0,
    timeouts: 0,
    lost: 0,
    stray: 0,
    elapsedMs: 0,
  };
  let nextId = 0;
  let exhausted = false;
  const started = performance.now();

  const send = (p: Pending): void => {
    while (slots[nextId]) nextId = (nextId + 1) & 0xffff;
    p.id = nextId;
    nextId = (nextId + 1) & 0xffff;
    slots[p.id] = p;
    p.sentAt = performance.now();
    p.attempts++;
    r.sent++;
    if (p.packet) {
      p.packet.writeUInt16BE(p.id, 0);
      socket.send(p.packet, port, '127.0.0.1');
      return;
    }
    const [name, type] = p.question!;
    const bytes = dnsPacket.encode({
      type: 'query',
      id: p.id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.OptAnswer],
    });
    socket.send(bytes, port, '127.0.0.1');
  };

  return new Promise<DnsCeilingResult>((resolve) => {
    const finish = (): void => {
      clearInterval(sweeper);
      r.elapsedMs = performance.now() - started;
      socket.close(() => resolve(r));
    };
    const pump = (): void => {
      while (!exhausted && inFlight.size < window) {
        const next = source.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        r.questions++;
        const packet = Buffer.isBuffer(next.value) ? next.value : null;
        const question = packet ? null : (next.value as Question);
        const p: Pending = { question, packet, id: 0, sentAt: 0, attempts: 0 };
        inFlight.add(p);
        send(p);
      }
      if (exhausted && inFlight.size === 0) finish();
    };
    socket.on('message', (msg) => {
      const p = msg.length >= 12 ? slots[msg.readUInt16BE(0)] : undefined;
      if (!p) return void r.stray++;
      try {
        dnsPacket.decode(msg);
      } catch {
        return void r.stray++;
      }
      slots[p.id] = undefined;
      inFlight.delete(p);
      r.answered++;
      pump();
    });
    // Timeouts by a coarse sweep: cheaper than a timer per query, and the window is small.
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (const p of inFlight) {
        if (now - p.sentAt < timeoutMs) continue;
        r.timeouts++;
        slots[p.id] = undefined;
        if (p.attempts <= retries) send(p);
        else {
          inFlight.delete(p);
          r.lost++;
        }
      }
      pump();
    }, 100);
    pump();
  });
}
