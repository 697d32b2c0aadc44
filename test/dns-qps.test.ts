import { afterEach, describe, expect, it } from 'vitest';
import { dnsStageLimit } from '../src/audit.js';
import { BACKOFF_CAP_MS, backoffMs, maxBackoffMs } from '../src/collect/dns/backoff.js';
import { DnsClient, type DnsClientOptions } from '../src/collect/dns/client.js';
import { burstFor, type RateClock, RateLimiter } from '../src/collect/dns/rate.js';
import { ConfigError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';
import { type LabDnsData, type LabDnsServer, startDnsServer } from './helpers/dns-server.js';

// The scale issue: a per-resolver packet rate (--qps) and backoff before retries that follow an
// immediate failure. Timing is only ever checked as a lower bound or against a rate with a margin.

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

const NAMES = Array.from({ length: 30 }, (_, i) => `h${i}.rate.test`);
const DATA: LabDnsData = {
  zones: ['rate.test'],
  records: [
    ...NAMES.map((name, i) => ({ name, type: 'A' as const, data: `10.0.0.${i + 1}` })),
    { name: 'rate.test', type: 'A', data: '192.0.2.1' },
    { name: 'rate.test', type: 'NS', data: 'ns1.rate.test' },
    { name: 'ns1.rate.test', type: 'A', data: '192.0.2.53' },
    { name: 'bad.rate.test', type: 'A', data: '192.0.2.9' },
  ],
  faults: { 'slow.rate.test': { delayMs: 5000 } },
};

async function server(data: LabDnsData = DATA): Promise<LabDnsServer> {
  const s = await startDnsServer(data);
  cleanup.push(() => s.close());
  return s;
}

function client(resolvers: LabDnsServer[], options: Partial<DnsClientOptions> = {}): DnsClient {
  const c = new DnsClient({
    resolvers: resolvers.map((s) => ({ host: s.host, port: s.port })),
    timeoutMs: 1000,
    retries: 0,
    loopbackOnly: true,
    ...options,
  });
  cleanup.push(() => c.close());
  return c;
}

/** A clock and timers that move only when told, with the number of timers pending. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; handle: number }[] = [];
  let next = 0;
  const clock: RateClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const handle = ++next;
      timers.push({ at: now + ms, fn, handle });
      return handle;
    },
    clearTimeout: (handle) => {
      timers = timers.filter((t) => t.handle !== handle);
    },
  };
  return {
    clock,
    pending: () => timers.length,
    /** Moves time forward, firing due timers in order, and lets promise callbacks run. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > end) break;
        timers.shift();
        now = due.at;
        due.fn();
        await Promise.resolve();
      }
      now = end;
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** Most timestamps inside any half-open window [t, t + ms). */
function maxInWindow(stamps: readonly number[], ms: number): number {
  const t = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= ms) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

describe('RateLimiter (token bucket, injected clock)', () => {
  it('lets a burst through at once, then one packet per 1/qps, in FIFO order, with one timer', async () => {
    const fake = fakeClock();
    const limiter = new RateLimiter(20, fake.clock);
    expect(limiter.burst).toBe(2);
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(true);
    const order: number[] = [];
    const waits = [3, 4, 5].map((n) => {
      const got = limiter.take();
      expect(got).toBeInstanceOf(Promise);
      return (got as Promise<boolean>).then((ok) => {
        expect(ok).toBe(true);
        order.push(n);
      });
    });
    expect(limiter.waiting).toBe(3);
    expect(fake.pending()).toBe(1); // one timer for the queue, not one per waiter
    await fake.advance(49);
    expect(order).toEqual([]);
    await fake.advance(1);
    expect(order).toEqual([3]);
    await fake.advance(49);
    expect(order).toEqual([3]);
    await fake.advance(1);
    expect(order).toEqual([3, 4]);
    await fake.advance(50);
    expect(order).toEqual([3, 4, 5]);
    await Promise.all(waits);
    expect(fake.pending()).toBe(0);
    // An idle second refills the bucket up to the burst, never beyond.
    await fake.advance(1000);
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBeInstanceOf(Promise);
  });

  it('a newcomer does not overtake waiters even when a token has come back', async () => {
    const fake = fakeClock();
    const limiter = new RateLimiter(1, fake.clock);
    expect(limiter.take()).toBe(true);
    const first = limiter.take() as Promise<boolean>;
    await fake.advance(999);
    // Not yet due; the newcomer queues behind the first waiter.
    const second = limiter.take();
    expect(second).toBeInstanceOf(Promise);
    await fake.advance(1);
    expect(await first).toBe(true);
    expect(limiter.waiting).toBe(1);
  });

  it('close() lets every waiter go with false, and refuses later takes', async () => {
    const fake = fakeClock();
    const limiter = new RateLimiter(1, fake.clock);
    limiter.take();
    const waiting = [limiter.take(), limiter.take()];
    limiter.close();
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect(await limiter.take()).toBe(false);
    expect(fake.pending()).toBe(0);
  });

  it('burst is 100 ms worth of packets, at least one', () => {
    expect([1, 9, 10, 11, 20, 100, 1000].map(burstFor)).toEqual([1, 1, 1, 2, 2, 10, 100]);
  });
});

describe('DnsClient qps', () => {
  it('keeps to qps=20 against the lab server, the queue wait outside the timeout', async () => {
    const s = await server();
    const qps = 20;
    const burst = burstFor(qps);
    // 30 packets at 20/s take about 1.4 s to leave: past the 1 s timeout, which must therefore
    // start only when each packet is sent.
    const c = client([s], { qps, timeoutMs: 1000 });
    const answers = await Promise.all(NAMES.map((n) => c.query(n, 'A')));
    answers.forEach((a, i) => {
      expect(a.status).toBe('NOERROR');
      expect(a.answers[0]?.data).toBe(`10.0.0.${i + 1}`);
    });
    expect(s.arrivals).toHaveLength(30);
    // A token bucket sends at most burst + qps × W packets in any W seconds (burst + 1 in a window
    // of burst / qps). The server shares the process and its event loop with the client: on a
    // loaded machine it may read packets up to SLACK late, bunched; the bound allows for that.
    // Without the limit all 30 arrive at once.
    const SLACK = 100;
    for (const w of [(1000 * burst) / qps, 500, 1000]) {
      expect(maxInWindow(s.arrivals, w), `${w} ms`).toBeLessThanOrEqual(
        Math.floor(burst + (qps * (w + SLACK)) / 1000),
      );
    }
    // The last of 30 leaves no earlier than (30 - burst) / qps s after the first.
    const span = s.arrivals.at(-1)! - s.arrivals[0]!;
    expect(span).toBeGreaterThan(((30 - burst) * 1000) / qps - 2 * SLACK);
    const stats = c.stats();
    expect(stats.sent).toBe(30);
    expect(stats.throttled).toBeGreaterThanOrEqual(20);
    expect(stats.throttled).toBeLessThanOrEqual(30 - burst);
  });

  it('limits each resolver on its own', async () => {
    const a = await server();
    const b = await server();
    const c = client([a, b], { qps: 10 });
    // Pinned queries: 3 to each resolver. Burst 1 at 10/s: each resolver sees 3 packets over at
    // least 200 ms, whatever the other one gets (a 100 ms allowance for a loaded machine).
    const asked = ['h0', 'h1', 'h2'].flatMap((h) =>
      [a, b].map((s) => c.query(`${h}.rate.test`, 'A', { resolver: s.address })),
    );
    expect((await Promise.all(asked)).every((x) => x.status === 'NOERROR')).toBe(true);
    for (const s of [a, b]) {
      expect(s.arrivals).toHaveLength(3);
      expect(s.arrivals[2]! - s.arrivals[0]!).toBeGreaterThan(100);
    }
  });

  it('counts TCP fallbacks against the rate too', async () => {
    const s = await startDnsServer(DATA, { truncateUdp: true });
    cleanup.push(() => s.close());
    const c = client([s], { qps: 10 });
    const answers = await Promise.all(['h0', 'h1'].map((h) => c.query(`${h}.rate.test`, 'A')));
    expect(answers.map((a) => a.transport)).toEqual(['tcp', 'tcp']);
    // 2 UDP + 2 TCP packets at 10/s with burst 1: at least 300 ms from first to last.
    expect(s.arrivals).toHaveLength(4);
    expect(s.arrivals.at(-1)! - s.arrivals[0]!).toBeGreaterThan(200);
    expect(c.stats().throttled).toBeGreaterThanOrEqual(3);
  });

  it('close() settles the queries waiting for a token with ERROR', async () => {
    const s = await server();
    const c = client([s], { qps: 1 });
    const pending = NAMES.slice(0, 5).map((n) => c.query(n, 'A'));
    await new Promise((r) => setTimeout(r, 50));
    await c.close();
    const answers = await Promise.all(pending);
    expect(answers[0]!.status).toBe('NOERROR');
    expect(answers.slice(1).map((a) => a.status)).toEqual(Array(4).fill('ERROR'));
    expect(s.queries).toBe(1);
  });

  it('rejects a bad qps with ConfigError', () => {
    const base = { resolvers: [{ host: '127.0.0.1', port: 53 }], timeoutMs: 100, retries: 0 };
    for (const qps of [-1, 1_000_001, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new DnsClient({ ...base, qps })).toThrow(ConfigError);
    expect(() => new DnsClient({ ...base, qps: 0 })).not.toThrow();
    // A share of the rate (`--jobs 3 --qps 2` gives each child 2/3 a second).
    expect(() => new DnsClient({ ...base, qps: 2 / 3 })).not.toThrow();
    expect(() => new DnsClient({ ...base, qps: 1_000_000 })).not.toThrow();
  });
});

describe('--qps on the command line', () => {
  it.each([['-1'], ['1.5'], ['abc'], ['1000001']])('--qps %s is a usage error (exit 2)', async (value) => {
    const s = await server();
    const run = await runCli(['audit', '-', '--no-http', '--qps', value, '--resolver', s.address], {
      stdin: 'rate.test',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--qps/);
    expect(s.queries).toBe(0);
  });

  it('--qps reaches the DNS client: an audit at 5 packets a second is spread out', async () => {
    const s = await server();
    const run = await runCli(
      ['audit', '-', '--no-http', '--format', 'json', '--qps', '5', '--resolver', s.address],
      {
        stdin: 'rate.test',
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const n = s.arrivals.length;
    expect(n).toBeGreaterThanOrEqual(4);
    // Burst 1 at 5/s: n packets need (n - 1) × 200 ms.
    expect(s.arrivals.at(-1)! - s.arrivals[0]!).toBeGreaterThan((n - 1) * 200 - 100);
    expect(maxInWindow(s.arrivals, 200)).toBeLessThanOrEqual(2);
  });
});

describe('DNS stage under --qps', () => {
  it('lets in only as many domains as the rate serves in half a deadline', () => {
    expect(dnsStageLimit(50, undefined, 36_600)).toBe(50);
    expect(dnsStageLimit(50, 0, 36_600)).toBe(50);
    expect(dnsStageLimit(50, 1000, 36_600)).toBe(50);
    expect(dnsStageLimit(50, 10, 36_600)).toBe(13);
    expect(dnsStageLimit(50, 40, 1_200)).toBe(1);
    expect(dnsStageLimit(50, 1, 300)).toBe(1);
  });

  it('many domains at a tight rate and a short timeout: none times out merely queued', async () => {
    const s = await server();
    const names = NAMES;
    // Deadline 4 × 300 ms = 1.2 s; 30 domains need 2+ packets each (A, AAAA), 60+ packets at
    // 40/s ≥ 1.5 s of queue. All let in at once, the last ones would wait past their deadline.
    const run = await runCli(
      [
        'audit',
        '-',
        '--no-http',
        '--depth',
        '0',
        '--format',
        'ndjson',
        '--qps',
        '40',
        '--timeout',
        '300',
        '--retries',
        '0',
        '--resolver',
        s.address,
      ],
      { stdin: names.join('\n') },
    );
    expect(run.code, run.stderr).toBeLessThan(2);
    const recs = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'domain');
    expect(recs).toHaveLength(names.length);
    expect(recs.filter((r) => r.observations.dns.status !== 'NOERROR').map((r) => r.domain)).toEqual([]);
    // A full bucket plus what 100 ms refill: the rate held while the stage limit did its part.
    expect(maxInWindow(s.arrivals, 100)).toBeLessThanOrEqual(burstFor(40) + 4 + 1);
  });
});

describe('retry backoff', () => {
  it('grows from 50 ms, doubles, caps at 1 s, with half of it random', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(maxBackoffMs)).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(1, () => 0)).toBe(25);
    expect(backoffMs(1, () => 0.999999)).toBe(50);
    expect(backoffMs(3, () => 0.5)).toBe(150);
    expect(backoffMs(10, () => 1)).toBe(BACKOFF_CAP_MS);
  });

  it.each([
    [1, [50, 100, 200]],
    [0, [25, 50, 100]],
  ])('after SERVFAIL from every resolver, retries are spaced per random()=%d', async (r, delays) => {
    const faults = { 'bad.rate.test': 'servfail' as const };
    const a = await server({ ...DATA, faults });
    const b = await server({ ...DATA, faults });
    const c = client([a, b], { retries: 3, random: () => r });
    const answer = await c.query('bad.rate.test', 'A');
    expect(answer.status).toBe('SERVFAIL');
    expect(c.stats()).toMatchObject({ sent: 4, retries: 3, backoffMs: delays.reduce((x, y) => x + y) });
    const stamps = [...a.arrivals, ...b.arrivals].sort((x, y) => x - y);
    expect(stamps).toHaveLength(4);
    // Each retry left at least its backoff after the previous attempt arrived (timers never fire
    // early by more than a millisecond).
    for (let i = 1; i < 4; i++)
      expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(delays[i - 1]! - 2);
  });

  it('does not back off after a timeout: the timeout was the wait', async () => {
    const s = await server({ ...DATA, faults: { 'bad.rate.test': 'drop' } });
    const c = client([s], { retries: 2, timeoutMs: 50, random: () => 1 });
    expect((await c.query('bad.rate.test', 'A')).status).toBe('TIMEOUT');
    expect(c.stats()).toMatchObject({ sent: 3, retries: 2, timeouts: 3, backoffMs: 0 });
  });

  it('queryBudgetMs() adds the longest backoff of each retry', async () => {
    const s = await server();
    expect(client([s], { timeoutMs: 300, retries: 0 }).queryBudgetMs()).toBe(300);
    expect(client([s], { timeoutMs: 300, retries: 2 }).queryBudgetMs()).toBe(900 + 50 + 100);
    expect(client([s], { timeoutMs: 100, retries: 10 }).queryBudgetMs()).toBe(1100 + 6550);
  });

  it('a query that only ever fails at once still settles within queryBudgetMs()', async () => {
    const faults = { 'bad.rate.test': 'refused' as const };
    const a = await server({ ...DATA, faults });
    const b = await server({ ...DATA, faults });
    const c = client([a, b], { retries: 4, timeoutMs: 200, random: () => 1 });
    const started = performance.now();
    expect((await c.query('bad.rate.test', 'A')).status).toBe('REFUSED');
    expect(c.stats().backoffMs).toBe(50 + 100 + 200 + 400);
    expect(performance.now() - started).toBeLessThan(c.queryBudgetMs());
  });

  it('close() cuts a backoff short', async () => {
    const faults = { 'bad.rate.test': 'servfail' as const };
    const a = await server({ ...DATA, faults });
    const b = await server({ ...DATA, faults });
    const c = client([a, b], { retries: 10, random: () => 1 });
    const started = performance.now();
    const pending = c.query('bad.rate.test', 'A');
    await new Promise((r) => setTimeout(r, 100));
    await c.close();
    await pending;
    // Ten backoffs would take 6.5 s.
    expect(performance.now() - started).toBeLessThan(3000);
    expect(a.queries + b.queries).toBeLessThan(6);
  });
});
