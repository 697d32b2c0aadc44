import { describe, expect, it } from 'vitest';
import { AUTO_MAX, AUTO_START, AutoConcurrency, checkConcurrency } from '../src/collect/auto-concurrency.js';
import { createGate } from '../src/collect/dns/gate.js';

// The --concurrency auto controller on a fake clock: every event is injected, nothing waits.

function controller(opts: Partial<ConstructorParameters<typeof AutoConcurrency>[0]> = {}) {
  const clock = { t: 0 };
  const auto = new AutoConcurrency({ timeoutMs: 3000, now: () => clock.t, ...opts });
  /** `k` packets sent now, answered after `rtt` ms (REFUSED when refused). */
  const answer = (k: number, rtt = 30, refused = false) => {
    const sent = Array.from({ length: k }, () => auto.sent());
    clock.t += rtt;
    for (const p of sent) auto.answered(p, refused);
  };
  return { auto, clock, answer };
}

describe('AutoConcurrency', () => {
  it('starts modest and doubles in slow start while answers come back in time', () => {
    const { auto, answer } = controller();
    expect(auto.limit).toBe(AUTO_START);
    // Four answers a domain: one domain more per domain's worth of answers.
    answer(4 * AUTO_START);
    expect(auto.limit).toBe(2 * AUTO_START);
  });

  it('does not grow while the window is not used up', () => {
    const { auto, answer } = controller();
    auto.busy = () => false;
    answer(1000);
    expect(auto.limit).toBe(AUTO_START);
  });

  it('stays within its maximum (lowered by cap, as --qps does)', () => {
    const { auto, answer } = controller({ max: 60 });
    answer(10_000);
    expect(auto.limit).toBe(60);
    auto.cap(40);
    expect(auto.limit).toBe(40);
    expect(controller().auto.stats().limit).toBeLessThanOrEqual(AUTO_MAX);
  });

  it('halves when REFUSED passes the tolerance in slow start, then shrinks by 0.7 and grows by +2 a window', () => {
    const { auto, answer } = controller({ initial: 100 });
    answer(1000); // slow start: 100 -> 350
    const before = auto.limit;
    answer(50, 30, true);
    expect(auto.limit).toBe(Math.floor(before * 0.5));
    expect(auto.stats().decreases).toBe(1);
    const second = auto.limit;
    answer(50, 30, true);
    expect(auto.limit).toBe(Math.floor(second * 0.7));
    // Congestion avoidance: a window's worth of answers adds two domains.
    const w = auto.limit;
    answer(w);
    expect(auto.limit).toBeGreaterThanOrEqual(w + 1);
    expect(auto.limit).toBeLessThanOrEqual(w + 2);
  });

  it('takes 1% random loss in its stride: no decrease below the tolerance', () => {
    const { auto, clock, answer } = controller({ initial: 50 });
    for (let i = 0; i < 100; i++) {
      answer(99);
      const lost = auto.sent();
      clock.t += 3000;
      auto.timedOut(lost);
    }
    expect(auto.stats().decreases).toBe(0);
    expect(auto.stats().timeouts).toBe(100);
    expect(auto.limit).toBeGreaterThan(50);
  });

  it('ignores outcomes of packets sent before its last decrease (one decrease per loss episode)', () => {
    const { auto, clock, answer } = controller({ initial: 100 });
    const old = Array.from({ length: 200 }, () => auto.sent());
    clock.t += 10;
    answer(20, 30, true); // decrease #1
    expect(auto.stats().decreases).toBe(1);
    const after = auto.limit;
    clock.t += 3000;
    for (const p of old) auto.timedOut(p);
    expect(auto.stats().decreases).toBe(1);
    expect(auto.limit).toBe(after);
  });

  it('counts a packet unanswered well past the round trips seen as late, before its timeout', () => {
    const { auto, clock, answer } = controller({ initial: 100 });
    answer(200, 30);
    const late = auto.lateAfterMs();
    expect(late).toBeGreaterThanOrEqual(250);
    expect(late).toBeLessThan(3000);
    const dropped = Array.from({ length: 40 }, () => auto.sent());
    clock.t += late - 1;
    auto.tick();
    expect(auto.stats().late).toBe(0);
    clock.t += 2;
    auto.tick();
    expect(auto.stats().late).toBe(40);
    expect(auto.stats().decreases).toBe(1);
    // Their timeouts later count no more.
    for (const p of dropped) auto.timedOut(p);
    expect(auto.stats().timeouts).toBe(0);
  });

  it('retransmits after the learnt timeout, doubled each retry, never past the user timeout', () => {
    const { auto, answer } = controller();
    expect(auto.retransmitAfterMs(0)).toBe(3000);
    answer(100, 40);
    const rto = auto.retransmitAfterMs(0);
    expect(rto).toBe(auto.lateAfterMs());
    expect(auto.retransmitAfterMs(1)).toBe(Math.min(3000, 2 * rto));
    expect(auto.retransmitAfterMs(5)).toBe(3000);
    // The last attempt waits the whole timeout: no question fails sooner than with a fixed one.
    expect(auto.retransmitAfterMs(0, true)).toBe(3000);
    const fixed = controller({ adaptiveTimeout: false });
    fixed.answer(100, 40);
    expect(fixed.auto.retransmitAfterMs(0)).toBe(3000);
  });

  it('reports the time-weighted mean window', () => {
    const { auto, clock } = controller({ initial: 10 });
    clock.t += 1000;
    expect(auto.stats()).toMatchObject({ limit: 10, mean: 10, peak: 10, low: 10 });
  });
});

describe('checkConcurrency', () => {
  it('takes auto or a whole number from 1 to 10000 and names the option otherwise', () => {
    expect(checkConcurrency('auto')).toBe('auto');
    expect(checkConcurrency(7)).toBe(7);
    for (const bad of [0, -1, 1.5, 10_001, 'fast', '50'])
      expect(() => checkConcurrency(bad)).toThrow(/invalid concurrency .*expected auto or an integer/);
  });
});

describe('createGate with a moving bound', () => {
  it('lets in more when the bound grows and fewer when it falls, never more than the bound', async () => {
    let bound = 2;
    const gate = createGate(() => bound);
    let active = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      gate(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      });
    const all = Array.from({ length: 10 }, task);
    await Promise.resolve();
    expect(active).toBe(2);
    expect(gate.full()).toBe(true);
    bound = 5;
    releases.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(active).toBe(5);
    bound = 1;
    while (releases.length > 1) releases.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(active).toBe(1);
    bound = 10;
    while (releases.length) {
      releases.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(all);
    expect(peak).toBe(5);
  });
});
