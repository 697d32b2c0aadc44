import { describe, expect, it } from 'vitest';
import { type Auditor, auditStream, emptyObservation } from '../src/audit.js';
import type { DomainResult } from '../src/types.js';

// auditStream drives every audit: bounded domains in flight, results yielded as they finish.

function fakeAuditor(delayMs: (domain: string) => number, log: { inFlight: number; most: number }): Auditor {
  return {
    async auditDomain(domain: string): Promise<DomainResult> {
      log.inFlight++;
      log.most = Math.max(log.most, log.inFlight);
      await new Promise((r) => setTimeout(r, delayMs(domain)));
      log.inFlight--;
      return { domain, observations: emptyObservation(domain), dependencies: [], risks: [] };
    },
  } as unknown as Auditor;
}

describe('auditStream', () => {
  it('yields a finished result while the next input line is still to come', async () => {
    // A source fed by the consumer (as `audit --jobs` feeds a child): line i + 3 is only given
    // once result i has been received. Holding results back until the next line comes deadlocks.
    const received: string[] = [];
    let release: (() => void) | undefined;
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < 20; i++) {
        while (i >= received.length + 3) await new Promise<void>((r) => (release = r));
        yield `d${i}.test`;
      }
    }
    const log = { inFlight: 0, most: 0 };
    for await (const r of auditStream(
      source(),
      fakeAuditor(() => 5, log),
      50,
    )) {
      received.push(r.domain);
      release?.();
    }
    expect(received.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `d${i}.test`).sort());
  }, 5000);

  it('keeps at most twice the concurrency in flight and loses nothing', async () => {
    const log = { inFlight: 0, most: 0 };
    const names = Array.from({ length: 300 }, (_, i) => `n${i}.test`);
    const out: string[] = [];
    for await (const r of auditStream(
      names,
      fakeAuditor((d) => (d.length % 3) * 2, log),
      10,
    ))
      out.push(r.domain);
    expect(out.sort()).toEqual([...names].sort());
    expect(log.most).toBeLessThanOrEqual(20);
    expect(log.most).toBeGreaterThan(10);
  });

  it('stops reading when the consumer stops, and counts unread results against the bound', async () => {
    let pulled = 0;
    async function* counted(): AsyncGenerator<string> {
      for (let i = 0; i < 2000; i++) {
        pulled++;
        yield `c${i}.test`;
      }
    }
    const log = { inFlight: 0, most: 0 };
    for await (const _ of auditStream(
      counted(),
      fakeAuditor(() => 2, log),
      10,
    ))
      break;
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled).toBeLessThanOrEqual(21);
    // A consumer slower than the audits: finished and in flight together stay within 2 × 10.
    pulled = 0;
    let most = 0;
    const gen = auditStream(
      counted(),
      fakeAuditor(() => 1, log),
      10,
    );
    let taken = 0;
    for await (const _ of gen) {
      taken++;
      most = Math.max(most, pulled - taken);
      await new Promise((r) => setTimeout(r, 5));
      if (taken === 100) break;
    }
    expect(most).toBeLessThanOrEqual(21);
  });

  it('passes an input error on to the consumer', async () => {
    async function* broken(): AsyncGenerator<string> {
      yield 'a.test';
      throw new Error('input went away');
    }
    const log = { inFlight: 0, most: 0 };
    await expect(async () => {
      for await (const _ of auditStream(
        broken(),
        fakeAuditor(() => 1, log),
        5,
      ));
    }).rejects.toThrow('input went away');
  });
});
