import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli, spawnCli } from './helpers/cli.js';
import { generatedLab, readNdjson } from './helpers/generated.js';
import { type Lab, startLab } from './helpers/lab.js';
import { withoutTimings } from './helpers/results.js';

// `audit --jobs N`: the same results and summary as one process, every domain exactly once, and
// a child that dies mid-run loses nothing (its domains go to the others).

const N = 90;
const { fixture, domains } = generatedLab(N, 5);
// Slow answers keep the run going long enough to kill a child while it holds domains.
for (let i = 0; i < N; i += 3) fixture.faults![domains[i]!] = { delayMs: 700 };

const POISON_PRELOAD = fileURLToPath(new URL('./fixtures/poison-preload.mjs', import.meta.url));

/** Process ids of a process's children. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Runs the audit, SIGKILLs one of its two children `afterMs` after they start, checks nothing was lost. */
async function killOneChild(args: string[], afterMs: number, expected: string[]): Promise<void> {
  const { child, done } = spawnCli([...args, '--no-http', '--format', 'json', ...lab.args()]);
  let workers: number[] = [];
  for (let i = 0; i < 100 && workers.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 50));
    workers = childrenOf(child.pid!);
  }
  expect(workers).toHaveLength(2);
  await new Promise((r) => setTimeout(r, afterMs));
  process.kill(workers[0]!, 'SIGKILL');
  const { code, stdout, stderr } = await done;
  expect(code, stderr).toBe(0);
  expect(stderr).toMatch(/worker exited with SIGKILL holding (\d+) domains: \1 handed on/);
  const doc = JSON.parse(stdout) as AuditDocument;
  expect(doc.domains.map((d) => d.domain).sort()).toEqual([...expected].sort());
  expect(doc.domains.filter((d) => d.error)).toEqual([]);
}

let lab: Lab;
let dir: string;
let list: string;
let short: string;
let single: AuditDocument;

beforeAll(async () => {
  lab = await startLab(fixture);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-jobs-'));
  list = join(dir, 'domains.txt');
  // Duplicates and a bad line: read once, by the parent.
  writeFileSync(list, `${domains.join('\n')}\n${domains[0]}\nnot a domain!\n`);
  const run = await runCli(['audit', list, '--no-http', '--format', 'json', ...lab.args()]);
  expect(run.code, run.stderr).toBe(0);
  single = JSON.parse(run.stdout);
  // The first 20 (7 of them slow): enough to kill a child while it holds some.
  short = join(dir, 'short.txt');
  writeFileSync(short, `${domains.slice(0, 20).join('\n')}\n`);
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit --jobs', () => {
  it('gives the single-process results and summary, bad lines reported once', async () => {
    // --concurrency 2: each child's window (4 × 2) is far below its share, so hand-over and
    // results keep flowing both ways all run long.
    const run = await runCli([
      'audit',
      list,
      '--no-http',
      '--format',
      'json',
      '--jobs',
      '3',
      '--concurrency',
      '2',
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.domains.map((d) => d.domain).sort()).toEqual([...domains].sort());
    expect(withoutTimings(doc.domains)).toEqual(withoutTimings(single.domains));
    expect(doc.summary).toEqual(single.summary);
    expect(run.stderr.match(/skipped "not a domain!"/g)).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`singlepath: ${N} domains in .*; 3 jobs`));
    // Every child asked the lab: the stats line adds up their packets.
    const packets = Number(/ (\d+) packets/.exec(run.stderr)?.[1]);
    expect(packets).toBeGreaterThanOrEqual(N);
  });

  it('streams NDJSON: each domain once, then the summary', async () => {
    const out = join(dir, 'jobs.ndjson');
    const run = await runCli([
      'audit',
      list,
      '--no-http',
      '--format',
      'ndjson',
      '-o',
      out,
      '--jobs',
      '2',
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const recs = readNdjson(out);
    expect(
      recs
        .slice(0, -1)
        .map((r) => r.domain)
        .sort(),
    ).toEqual([...domains].sort());
    // The summary line also says which resolvers the children asked (their counts are per child).
    const { type: _type, resolvers, ...summary } = recs.at(-1);
    expect(summary).toEqual(single.summary);
    expect(resolvers.map((r: { resolver: string }) => r.resolver)).toEqual([lab.resolver]);
  });

  it('a child killed mid-run loses no domain: the others take its share', async () => {
    await killOneChild(['audit', list, '--jobs', '2', '--concurrency', '5'], 900, domains);
  });

  it('shares --qps among the children: the lab sees the rate asked for, not N times it', async () => {
    const few = join(dir, 'few.txt');
    writeFileSync(
      few,
      `${domains
        .filter((_, i) => i % 3 !== 0)
        .slice(0, 24)
        .join('\n')}\n`,
    );
    const before = lab.dns.arrivals.length;
    const run = await runCli([
      'audit',
      few,
      '--no-http',
      '--depth',
      '0',
      '--format',
      'json',
      '--jobs',
      '2',
      '--qps',
      '20',
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const stamps = lab.dns.arrivals.slice(before).sort((a, b) => a - b);
    expect(stamps.length).toBeGreaterThan(40);
    let most = 0;
    for (let i = 0, j = 0; j < stamps.length; j++) {
      while (stamps[j]! - stamps[i]! >= 1000) i++;
      most = Math.max(most, j - i + 1);
    }
    // Two children at 10/s with a burst of 1 each: at most ~22 in any second (40+ if each had 20).
    expect(most).toBeLessThanOrEqual(24);
  });

  it('a child killed after the whole list was handed out: its domains still go to the other', async () => {
    // Default concurrency: each child's window (200) holds its whole share at once.
    await killOneChild(['audit', short, '--jobs', '2'], 300, domains.slice(0, 20));
  });

  it('a domain that takes its child down: retried once, then WORKER_FAILED alone; exit 2', async () => {
    const poison = domains[4]!;
    const { code, stdout, stderr } = await runCli(
      ['audit', short, '--no-http', '--format', 'json', '--jobs', '2', ...lab.args()],
      { env: { NODE_OPTIONS: `--import=${POISON_PRELOAD}`, POISON: poison } },
    );
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/1 domains failed in worker processes \(WORKER_FAILED\)/);
    const doc = JSON.parse(stdout) as AuditDocument;
    expect(doc.domains).toHaveLength(20);
    const failed = doc.domains.filter((d) => d.error?.code === 'WORKER_FAILED').map((d) => d.domain);
    expect(failed).toEqual([poison]);
  });

  it('--jobs must be a whole number from 1 to 256', async () => {
    for (const bad of ['0', '257', 'x']) {
      const run = await runCli(['audit', list, '--jobs', bad, ...lab.args()]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--jobs/);
    }
  });
});
