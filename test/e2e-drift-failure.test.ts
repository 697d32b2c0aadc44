import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotDiff } from '../src/snapshot/diff.js';
import type { AuditDocument } from '../src/types.js';
import { ROOT, runCli } from './helpers/cli.js';
import { startDnsServer } from './helpers/dns-server.js';
import { type Lab, type LabFixture, readFixture, startLab } from './helpers/lab.js';

// Issue 20: a flaky night must not raise a false alarm a week later. A domain that fails for
// one run is "failing" in the drift (not a source of resolved findings), and the next healthy
// run finds it "recovered" (not a source of new ones), compared with its last good result that
// the failing run's snapshot carried. A run where everything failed is not saved as latest.

const LIST = join(ROOT, 'samples', 'domains.txt');
const FLAKY = 'www.northwind-retail.com';
let healthy: LabFixture;
let lab: Lab;
let dir: string;

beforeAll(async () => {
  healthy = readFixture(join(ROOT, 'samples', 'lab.json'));
  lab = await startLab(healthy);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-drift-failure-'));
});
afterAll(async () => {
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const withFaults = (faults: LabFixture['faults']): LabFixture => ({
  ...healthy,
  faults: { ...healthy.faults, ...faults },
});

const scheduled = (saveDir: string, resolver = lab.resolver) =>
  runCli([
    'audit',
    LIST,
    '--resolver',
    resolver,
    ...lab.connectTo.flatMap((c) => ['--connect-to', c]),
    '--ca-file',
    lab.caFile,
    '--timeout',
    '1500',
    '--retries',
    '0',
    '--format',
    'json',
    '-o',
    join(dir, 'report.json'),
    '--save-dir',
    saveDir,
    '--baseline',
    join(saveDir, 'latest.json'),
    '--fail-on-new',
    'critical',
  ]);

/** Snapshot file names have one-second resolution: each run gets a new one. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

describe('drift that understands failure', () => {
  it('one flaky run: failing, then recovered, and no new or resolved findings from either', async () => {
    const saveDir = join(dir, 'flaky');
    lab.dns.setData(healthy);
    const first = await scheduled(saveDir);
    expect(first.code, first.stderr).toBe(0);
    const good = JSON.parse(readFileSync(join(saveDir, 'latest.json'), 'utf8')) as AuditDocument;
    const goodRisks = good.domains.find((d) => d.domain === FLAKY)!.risks;
    expect(goodRisks.some((r) => r.severity === 'critical')).toBe(true);

    await nextSecond();
    lab.dns.setData(withFaults({ [FLAKY]: 'drop' }));
    const flaky = await scheduled(saveDir);
    expect(flaky.code, flaky.stderr).toBe(0);
    expect(flaky.stderr).toMatch(/Failing \(\d+\)/);
    expect(flaky.stderr).toMatch(/www\.northwind-retail\.com +TIMEOUT/);
    // Its failure is not drift of the blast radius either.
    expect(flaky.stderr).not.toMatch(/-www\.northwind-retail\.com/);
    expect(flaky.stderr).not.toMatch(/Resolved findings/);
    expect(flaky.stderr).not.toMatch(/domain failing/);
    // The failing run's snapshot carries the last good facts of the domain.
    const saved = JSON.parse(readFileSync(join(saveDir, 'latest.json'), 'utf8')) as AuditDocument;
    const carried = saved.domains.find((d) => d.domain === FLAKY)!;
    expect(carried.error?.code).toBe('TIMEOUT');
    expect(carried.lastGood?.generatedAt).toBe(good.generatedAt);
    expect(carried.lastGood?.risks).toEqual(goodRisks);
    const goodDeps = good.domains.find((d) => d.domain === FLAKY)!.dependencies;
    expect(carried.lastGood?.dependencies).toEqual(goodDeps.map((d) => ({ ...d, evidence: [] })));

    await nextSecond();
    lab.dns.setData(healthy);
    const back = await scheduled(saveDir);
    // Before: "New findings: 5 (critical 1 …)" and exit 1.
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/New findings: 0/);
    expect(back.stderr).toMatch(/Recovered \(1\)/);
    expect(back.stderr).toContain(FLAKY);

    // The same pair through `diff --format json`: the states, and nothing new or resolved.
    const diff = await runCli(['diff', join(saveDir, 'latest.json'), join(dir, 'report.json'), '-f', 'json']);
    expect(diff.code, diff.stderr).toBe(0);
    const d = JSON.parse(diff.stdout) as SnapshotDiff;
    expect(d.findings.new).toEqual([]);
  });

  it('a run where every domain fails fails, is not saved as latest, and the next run sees no news', async () => {
    const saveDir = join(dir, 'outage');
    lab.dns.setData(healthy);
    const first = await scheduled(saveDir);
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(join(saveDir, 'latest.json'), 'utf8');

    await nextSecond();
    // A resolver that answers NXDOMAIN for every name (the wrong resolver).
    const wrong = await startDnsServer({ zones: ['com', 'org', 'io'], records: [] });
    let down: Awaited<ReturnType<typeof scheduled>>;
    try {
      down = await scheduled(saveDir, wrong.address);
    } finally {
      await wrong.close();
    }
    expect(down.code, down.stderr).toBe(2);
    expect(down.stderr).toMatch(/not saved as latest/);
    expect(readFileSync(join(saveDir, 'latest.json'), 'utf8')).toBe(before);
    expect(existsSync(join(saveDir, 'in-progress.journal'))).toBe(false);

    await nextSecond();
    lab.dns.setData(healthy);
    const next = await scheduled(saveDir);
    // Before: the all-failed run was latest.json and this run reported 65 "new" findings.
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/New findings: 0|No changes/);
  });
});
