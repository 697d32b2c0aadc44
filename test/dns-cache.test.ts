import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../src/collect/dns/cache.js';
import { createGate } from '../src/collect/dns/gate.js';
import { encodeQuery, normaliseName } from '../src/collect/dns/packet.js';
import type { DnsAnswer, RecordType } from '../src/types.js';

const answer = (name: string, type: RecordType = 'A'): DnsAnswer => ({
  name,
  type,
  status: 'NOERROR',
  answers: [{ name, type, ttl: 300, data: '192.0.2.1' }],
  authority: [],
  resolver: '127.0.0.1:53',
  transport: 'udp',
  durationMs: 3,
});

describe('AnswerCache (segmented)', () => {
  it('keeps shared answers through a stream of one-off answers far larger than the cache', () => {
    const cache = new AnswerCache(100, () => 0);
    for (let z = 0; z < 20; z++) cache.set('NS', `z${z}.test`, answer(`z${z}.test`, 'NS'), 300, true);
    for (let i = 0; i < 10_000; i++) cache.set('A', `d${i}.z${i % 20}.test`, answer(`d${i}.test`), 300);
    for (let z = 0; z < 20; z++) expect(cache.get('NS', `z${z}.test`)).toBeDefined();
    expect(cache.size).toBeLessThanOrEqual(100);
  });

  it('keeps serving part of a cyclic working set larger than the cache (domains in round-robin over more zones than fit)', () => {
    // Issue 19: 100k domains over 10k zones in turn, twelve shared answers a zone, a 50k cache.
    // Plain LRU (or FIFO) evicts every zone's answers just before its next domain: no hit at all.
    const cache = new AnswerCache(1000, () => 0);
    const zones = 300;
    let hits = 0;
    let lookups = 0;
    for (let i = 0; i < 30 * zones; i++) {
      const z = i % zones;
      for (const t of ['NS', 'MX', 'TXT', 'A']) {
        lookups++;
        if (cache.get(t, `z${z}.test`)) hits++;
        else cache.set(t, `z${z}.test`, answer(`z${z}.test`, 'NS'), 300, true);
      }
      cache.set('A', `d${i}.z${z}.test`, answer(`d${i}.test`), 300);
    }
    // 1200 shared answers for a cache of 1000 (one-offs included): most of them can stay.
    expect(hits / lookups).toBeGreaterThan(0.6);
    expect(cache.size).toBeLessThanOrEqual(1000);
  });

  it("lets a new zone's shared answers in once the cache is full, as soon as they are hit (a list sorted by zone)", () => {
    const cache = new AnswerCache(200, () => 0);
    let hits = 0;
    let lookups = 0;
    for (let z = 0; z < 500; z++)
      for (let d = 0; d < 5; d++) {
        for (const t of ['NS', 'MX']) {
          lookups++;
          if (cache.get(t, `z${z}.test`)) hits++;
          else cache.set(t, `z${z}.test`, answer(`z${z}.test`, 'NS'), 300, true);
        }
        cache.set('A', `d${d}.z${z}.test`, answer(`d${d}.test`), 300);
      }
    // Each zone misses its two answers once, then hits them for its four other domains.
    expect(hits).toBe(lookups - 2 * 500);
  });

  it('protects a one-off answer once it is hit, and serves hits as frozen shared objects', () => {
    const cache = new AnswerCache(5000, () => 0);
    cache.set('A', 'cdn.test', answer('cdn.test'), 300);
    const first = cache.get('A', 'cdn.test');
    for (let i = 0; i < 20_000; i++) cache.set('A', `d${i}.test`, answer(`d${i}.test`), 300);
    const again = cache.get('A', 'cdn.test');
    expect(again).toBe(first);
    expect(again?.transport).toBe('cache');
    expect(Object.isFrozen(again) && Object.isFrozen(again?.answers[0])).toBe(true);
  });

  it('ages TTLs only for callers who ask, and keeps spaces apart', () => {
    let clock = 0;
    const cache = new AnswerCache(10, () => clock);
    cache.set('A', 'x.test', answer('x.test'), 300);
    cache.set('A ecs=192.0.2.0/24', 'x.test', { ...answer('x.test'), answers: [] }, 300);
    clock = 10_500;
    expect(cache.get('A', 'x.test')?.answers[0]?.ttl).toBe(290);
    expect(cache.get('A', 'x.test', false)?.answers[0]?.ttl).toBe(300);
    expect(cache.get('A ecs=192.0.2.0/24', 'x.test')?.answers).toEqual([]);
    clock = 300_000;
    expect(cache.get('A', 'x.test')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});

describe('encodeQuery', () => {
  it('writes the bytes dns-packet writes', () => {
    for (const name of ['a', 'example.com', 'd123.z45.bench', `${'x'.repeat(63)}.b`, 'a-b_c.d1.e'])
      for (const type of ['A', 'AAAA', 'NS', 'MX', 'SOA', 'TXT', 'CNAME'] as const)
        for (const payload of [512, 1232, 4096]) {
          const reference = dnsPacket.encode({
            type: 'query',
            id: 0,
            flags: dnsPacket.RECURSION_DESIRED,
            questions: [{ type, name, class: 'IN' }],
            additionals: [
              {
                type: 'OPT',
                name: '.',
                udpPayloadSize: payload,
                extendedRcode: 0,
                ednsVersion: 0,
                flags: 0,
                flag_do: false,
                options: [],
              },
            ],
          });
          expect(encodeQuery(name, type, payload).equals(reference)).toBe(true);
        }
  });

  it('normaliseName keeps the fast path equal to the slow one', () => {
    expect(normaliseName('example.com')).toBe('example.com');
    expect(normaliseName('Example.COM.')).toBe('example.com');
    expect(normaliseName('a..b')).toBeNull();
    expect(normaliseName('x'.repeat(64))).toBeNull();
    expect(normaliseName('é.test')).toBe('é.test');
  });
});

describe('createGate', () => {
  it('runs at most max tasks at once, in arrival order', async () => {
    const gate = createGate(3);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      active--;
      if (i === 7) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => gate(task(i))));
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : -1))).toEqual(
      Array.from({ length: 20 }, (_, i) => (i === 7 ? -1 : i)),
    );
  });
});
