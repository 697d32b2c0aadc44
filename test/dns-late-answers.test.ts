import type dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { CongestionSignals, Packet } from '../src/collect/auto-concurrency.js';
import { DnsClient } from '../src/collect/dns/client.js';
import { listenBoth } from './helpers/dns-server.js';

// --concurrency auto retransmits a question on its learnt timeout, well before --timeout. The
// attempt it replaces must keep listening: on a long-tailed network its answer often comes just
// after the resend, and throwing it away costs a drop, a timeout and (when the resends are lost
// too) the question. A lab "resolver" on 127.0.0.1 answers chosen attempts after chosen delays.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const TIMEOUT_MS = 1000;

function answerTo(query: dnsPacket.Packet, over: Partial<dnsPacket.Packet> = {}): Buffer {
  const q = query.questions![0]!;
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [q],
    answers: [{ type: 'A', name: q.name, ttl: 60, data: '192.0.2.1' }],
    ...over,
  });
}

/**
 * UDP on 127.0.0.1: `script(query, n)` for the n-th query received (0 = the first attempt) says
 * what to send back, after how long and to which query's source port (`to`, default this one's;
 * nothing: the query is lost).
 */
async function resolver(
  script: (query: dnsPacket.Packet, n: number) => { after: number; reply: Buffer; to?: number }[],
) {
  const { udp, tcp, port } = await listenBoth();
  const queries: dnsPacket.Packet[] = [];
  const sources: dgram.RemoteInfo[] = [];
  const timers = new Set<NodeJS.Timeout>();
  udp.on('message', (msg, rinfo: dgram.RemoteInfo) => {
    const query = dnsPacket.decode(msg);
    const n = queries.push(query) - 1;
    sources.push(rinfo);
    for (const { after, reply, to = n } of script(query, n)) {
      const t = setTimeout(() => {
        timers.delete(t);
        const dest = sources[to]!;
        udp.send(reply, dest.port, dest.address);
      }, after);
      timers.add(t);
    }
  });
  cleanup.push(async () => {
    for (const t of timers) clearTimeout(t);
    await new Promise<void>((r) => udp.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  });
  return { address: { host: '127.0.0.1', port }, queries };
}

/** Signals as --concurrency auto gives them, with a retransmit time of `rto` ms doubled per retry. */
function signals(rto: number) {
  const outcomes: string[] = [];
  const s: CongestionSignals = {
    adaptive: true,
    sent: (): Packet => ({ at: performance.now(), settled: false }),
    answered: () => void outcomes.push('answered'),
    timedOut: () => void outcomes.push('timedOut'),
    forget: () => void outcomes.push('forget'),
    retransmitAfterMs: (attempt, last) => (last ? TIMEOUT_MS : Math.min(TIMEOUT_MS, rto * 2 ** attempt)),
  };
  return { s, outcomes };
}

function client(address: { host: string; port: number }, s: CongestionSignals, retries = 2) {
  const c = new DnsClient({
    resolvers: [address],
    timeoutMs: TIMEOUT_MS,
    retries,
    loopbackOnly: true,
    maxCacheEntries: 0,
    signals: s,
  });
  cleanup.push(() => c.close());
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('late answers to a retransmitted question (--concurrency auto)', () => {
  it('uses the first attempt’s answer that comes after the resend, and asks no more', async () => {
    // The first attempt is answered at 200 ms, after its 120 ms retransmit time; the resend never.
    const lab = await resolver((query, n) => (n === 0 ? [{ after: 200, reply: answerTo(query) }] : []));
    const { s, outcomes } = signals(120);
    const c = client(lab.address, s);
    const started = performance.now();
    const a = await c.query('late.example.test', 'A');
    expect(a.status).toBe('NOERROR');
    expect(a.answers.map((r) => r.data)).toEqual(['192.0.2.1']);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    // One resend (at 120 ms); the third attempt (due at 360 ms) is never sent.
    expect(c.stats()).toMatchObject({ sent: 2, retries: 1, retransmits: 1, timeouts: 0, dropped: 0 });
    // The resend that lost the race was ended at once (its id freed, its timer cleared): the
    // controller is told to forget it, not that it timed out, even after the whole timeout.
    expect(outcomes).toEqual(['answered', 'forget']);
    await sleep(TIMEOUT_MS + 200);
    expect(lab.queries).toHaveLength(2);
    expect(outcomes).toEqual(['answered', 'forget']);
    expect(c.stats()).toMatchObject({ sent: 2, timeouts: 0 });
  });

  it('uses the resend’s answer when it comes first, and ends the first attempt', async () => {
    // The first attempt is lost; the resend is answered at once.
    const lab = await resolver((query, n) => (n === 1 ? [{ after: 0, reply: answerTo(query) }] : []));
    const { s, outcomes } = signals(80);
    const c = client(lab.address, s);
    const a = await c.query('lost.example.test', 'A');
    expect(a.status).toBe('NOERROR');
    expect(c.stats()).toMatchObject({ sent: 2, retries: 1, retransmits: 1, timeouts: 0 });
    expect(outcomes).toEqual(['answered', 'forget']);
  });

  it('keeps each attempt’s own id and 0x20 case: a reply to one with the other’s is dropped', async () => {
    let first: dnsPacket.Packet | undefined;
    const lab = await resolver((query, n) => {
      if (n === 0) {
        first = query;
        return [];
      }
      // To the first attempt's socket, after the resend went out: its id with the resend's
      // question (the resend's case: dropped), then its own id and question (believed).
      return [
        { after: 10, reply: answerTo(query, { id: first!.id }), to: 0 },
        { after: 40, reply: answerTo(first!), to: 0 },
      ];
    });
    const { s } = signals(80);
    const c = client(lab.address, s);
    const a = await c.query('case.example.test', 'A');
    expect(a.status).toBe('NOERROR');
    expect(lab.queries[0]!.questions![0]!.name).not.toBe(lab.queries[1]!.questions![0]!.name);
    expect(c.stats()).toMatchObject({ sent: 2, retransmits: 1, timeouts: 0, dropped: 1 });
  });

  it('counts a timeout only for an attempt that waited its whole timeout; the question fails no sooner', async () => {
    const lab = await resolver(() => []);
    const { s, outcomes } = signals(50);
    const c = client(lab.address, s, 1);
    const started = performance.now();
    const a = await c.query('silent.example.test', 'A');
    const took = performance.now() - started;
    expect(a.status).toBe('TIMEOUT');
    // The resend at 50 ms waits its whole timeout (the last attempt), as with a fixed timeout.
    expect(took).toBeGreaterThanOrEqual(50 + TIMEOUT_MS - 20);
    expect(took).toBeLessThan(50 + TIMEOUT_MS + 500);
    expect(c.stats()).toMatchObject({ sent: 2, retries: 1, retransmits: 1, timeouts: 2 });
    expect(outcomes).toEqual(['timedOut', 'timedOut']);
    expect(lab.queries).toHaveLength(2);
  });

  it('leaves a fixed timeout as it was: attempts one after the other, each waiting it whole', async () => {
    const lab = await resolver((query, n) => (n === 0 ? [{ after: 200, reply: answerTo(query) }] : []));
    const { s } = signals(120);
    const c = client(lab.address, { ...s, adaptive: false, retransmitAfterMs: () => 150 }, 1);
    const a = await c.query('fixed.example.test', 'A');
    // The first attempt was given up at 150 ms: its answer at 200 ms is dropped, the retry is lost.
    expect(a.status).toBe('TIMEOUT');
    expect(c.stats()).toMatchObject({ sent: 2, retries: 1, retransmits: 0, timeouts: 2, dropped: 1 });
  });
});
