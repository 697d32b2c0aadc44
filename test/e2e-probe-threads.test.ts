import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoProbeThreads } from '../src/cli/options.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { generatedLab } from './helpers/generated.js';
import { type Lab, startLab } from './helpers/lab.js';
import { withoutTimings } from './helpers/results.js';

// `audit --probe-threads N`: web probes in worker threads give the same results as probes in the
// main thread; a thread that dies fails only the probe that killed it (twice), the others are
// sent again; a thread that stops answering is stopped by the watchdog, with the same outcome;
// threads that cannot start at all leave the probes to the main thread.

const N = 24;
const { fixture, domains } = generatedLab(N, 3);
for (const [i, d] of domains.entries())
  fixture.sites[d] = {
    headers: i % 2 ? { server: 'cloudflare', 'cf-ray': `${i}-FRA` } : { server: 'AmazonS3' },
  };
const POISONED = domains[5]!;
const PRELOAD = fileURLToPath(new URL('./fixtures/probe-thread-poison.cjs', import.meta.url));

let lab: Lab;
let dir: string;
let list: string;

async function audit(extra: string[], env: Record<string, string> = {}) {
  const run = await runCli(['audit', list, '--format', 'json', ...lab.args(), ...extra], { env });
  return { ...run, doc: run.stdout ? (JSON.parse(run.stdout) as AuditDocument) : undefined };
}

beforeAll(async () => {
  lab = await startLab(fixture);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-probe-threads-'));
  list = join(dir, 'domains.txt');
  writeFileSync(list, `${domains.join('\n')}\n`);
});
afterAll(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit --probe-threads', () => {
  it('gives the same results on 2 threads as in the main thread, and says so', async () => {
    const main = await audit(['--probe-threads', '0']);
    const threaded = await audit(['--probe-threads', '2']);
    expect(main.code, main.stderr).toBe(0);
    expect(threaded.code, threaded.stderr).toBe(0);
    expect(main.doc!.domains.map((d) => d.observations.http?.httpStatus)).toEqual(domains.map(() => 200));
    expect(withoutTimings(threaded.doc!.domains)).toEqual(withoutTimings(main.doc!.domains));
    expect(threaded.doc!.summary).toEqual(main.doc!.summary);
    expect(threaded.stderr).toMatch(/; web probes on 2 threads\n/);
    expect(main.stderr).not.toMatch(/web probes on/);
  });

  // --timeout 300 where the thread stops answering: a probe may take 2 x 300 ms, the watchdog
  // waits 3 x 300 + 2000 ms before it stops the thread.
  const STUCK = /stopped answering \(a probe held over 3 s\) while probing/;
  it.each([
    ['dies', 'exit', /exited \(code 7\) while probing/],
    ['dies', 'throw', /failed \(poisoned by the test\) while probing/],
    ['stops answering', 'hang', STUCK],
    ['stops answering', 'stall', STUCK],
  ])(
    'a thread that %s (%s) fails only the probe that caused it; the others are answered',
    async (_, mode, why) => {
      const run = await audit(['--probe-threads', '1', '--concurrency', '6', '--timeout', '300'], {
        NODE_OPTIONS: `--require=${PRELOAD}`,
        PROBE_POISON: POISONED,
        PROBE_POISON_MODE: mode,
      });
      expect(run.code, run.stderr).toBe(0);
      const byName = new Map(run.doc!.domains.map((d) => [d.domain, d]));
      expect(byName.size).toBe(N);
      const poisoned = byName.get(POISONED)!;
      expect(poisoned.observations.http?.error).toMatchObject({ code: 'PROBE_THREAD_FAILED' });
      expect(poisoned.observations.http?.error?.message).toMatch(why);
      // Its DNS facts are kept.
      expect(poisoned.observations.dns.status).toBe('NOERROR');
      for (const d of domains.filter((x) => x !== POISONED))
        expect([d, byName.get(d)!.observations.http?.httpStatus]).toEqual([d, 200]);
      // The first death, then at least one in quarantine that found it; exactly one probe failed.
      const m = /; web probes on (\d+) threads \((\d+) died, 1 probe failed\)\n/.exec(run.stderr);
      expect(m, run.stderr).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    },
    30_000,
  );

  it('probes in the main thread when threads fail as they start', async () => {
    const run = await audit(['--probe-threads', '2'], {
      NODE_OPTIONS: `--require=${PRELOAD}`,
      PROBE_THREAD_BROKEN: '1',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.doc!.domains.map((d) => d.observations.http?.httpStatus)).toEqual(domains.map(() => 200));
    // Every thread started (3 or 4: a replacement may start before the other first one fails) died.
    const m = /; web probes on (\d+) threads \((\d+) died, 0 probes failed\)\n/.exec(run.stderr);
    expect(m, run.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(3);
    expect(m![2]).toBe(m![1]);
  });

  it('with --jobs 2, each child probes on its threads and the stats line sums them', async () => {
    const main = await audit(['--probe-threads', '0']);
    const jobs = await audit(['--jobs', '2', '--probe-threads', '1']);
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(withoutTimings(jobs.doc!.domains)).toEqual(withoutTimings(main.doc!.domains));
    expect(jobs.stderr).toMatch(/; 2 jobs; web probes on 2 threads\n/);
  });

  it('rejects a bad count, naming the flag', async () => {
    const run = await audit(['--probe-threads', '-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--probe-threads/);
  });
});

describe('autoProbeThreads', () => {
  it("uses each process's share of the cores beyond its main thread, at most 4", () => {
    expect([1, 2, 3, 8, 64].map((cores) => autoProbeThreads(1, cores))).toEqual([0, 1, 2, 4, 4]);
    // --jobs: cores / jobs - 1 per child.
    expect([2, 3, 4, 8, 16].map((cores) => autoProbeThreads(2, cores))).toEqual([0, 0, 1, 3, 4]);
    expect(autoProbeThreads(4, 2)).toBe(0);
  });
});
