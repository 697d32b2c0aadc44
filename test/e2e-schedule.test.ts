import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableDocument } from '../src/snapshot/normalise.js';
import type { AuditDocument } from '../src/types.js';
import { BIN, runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// The second run is the one that matters: baseline diffs, saved snapshots, and a run killed
// midway that resumes without losing or doubling a domain.

const N = 150;
function fixture(moved: boolean): LabFixture {
  const f: LabFixture = {
    zones: ['cloudflare.com', 'awsdns-25.com', 'nsone.net', 'sched.test'],
    records: [
      { name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' },
      { name: 'dns1.p01.nsone.net', type: 'A', data: '198.51.44.1' },
      // Run 2: someone dropped the secondary DNS provider.
      { name: 'sched.test', type: 'NS', data: 'ada.ns.cloudflare.com' },
      ...(moved ? [] : [{ name: 'sched.test', type: 'NS' as const, data: 'dns1.p01.nsone.net' }]),
      { name: 'www.sched.test', type: 'A', data: '52.6.1.1' },
    ],
    faults: {},
    sites: {},
  };
  for (let i = 0; i < N; i++) {
    f.records.push({ name: `d${i}.sched.test`, type: 'A', data: `104.16.${i % 250}.1` });
    f.faults![`d${i}.sched.test A`] = { delayMs: 30 };
  }
  return f;
}

let lab: Lab;
let dir: string;
let list: string;

beforeAll(async () => {
  lab = await startLab(fixture(false));
  dir = mkdtempSync(join(tmpdir(), 'singlepath-sched-'));
  list = join(dir, 'domains.txt');
  writeFileSync(
    list,
    ['www.sched.test', ...Array.from({ length: N }, (_, i) => `d${i}.sched.test`)].join('\n'),
  );
});
afterAll(() => lab?.close());

const auditArgs = () => ['audit', list, '--no-http', '--concurrency', '4', ...lab.args()];

describe('scheduled reassessment', () => {
  it('saves snapshots, then a baseline run reports drift and fails on new findings', async () => {
    const saveDir = join(dir, 'snapshots');
    const first = await runCli([
      ...auditArgs(),
      '--format',
      'json',
      '-o',
      join(dir, 'r1.json'),
      '--save-dir',
      saveDir,
      '--baseline',
      join(saveDir, 'latest.json'),
      '--fail-on-new',
      'high',
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/no baseline at .* yet/);
    expect(existsSync(join(saveDir, 'latest.json'))).toBe(true);
    expect(existsSync(join(saveDir, 'in-progress.journal'))).toBe(false);

    lab.dns.setData(fixture(true));
    // Snapshot file names have one-second resolution: make sure the second one is new.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await runCli([
      ...auditArgs(),
      '--format',
      'json',
      '-o',
      join(dir, 'r2.json'),
      '--save-dir',
      saveDir,
      '--baseline',
      join(saveDir, 'latest.json'),
      '--fail-on-new',
      'high',
    ]);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/ns1/);
    const snapshots = readdirSync(saveDir).filter((f) => f.startsWith('singlepath-'));
    expect(snapshots).toHaveLength(2);

    const diff = await runCli(['diff', join(dir, 'r1.json'), join(dir, 'r2.json'), '--format', 'json']);
    expect(diff.code).toBe(0);
    const parsed = JSON.parse(diff.stdout);
    expect(JSON.stringify(parsed)).toMatch(/single-provider/);
    lab.dns.setData(fixture(false));
  });

  it('a run killed midway resumes from its journal: same result, no domain lost or doubled', async () => {
    const full = await runCli([...auditArgs(), '--format', 'json']);
    expect(full.code, full.stderr).toBe(0);
    const reference = JSON.parse(full.stdout) as AuditDocument;

    const journal = join(dir, 'run.journal');
    const child = spawn(process.execPath, [BIN, ...auditArgs(), '--format', 'json', '--journal', journal], {
      env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1' },
      stdio: 'ignore',
    });
    // Kill it hard once some, but not all, domains are journalled.
    const lines = () =>
      existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length : 0;
    const deadline = Date.now() + 20_000;
    while (lines() < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const done = lines() - 1;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(N + 1);

    const resumed = await runCli([...auditArgs(), '--format', 'json', '--resume', journal]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming: \d+ domains already done/);
    const doc = JSON.parse(resumed.stdout) as AuditDocument;
    const names = doc.domains.map((d) => d.domain);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(N + 1);
    expect(stableDocument(doc).domains).toEqual(stableDocument(reference).domains);
    expect(doc.summary).toEqual(reference.summary);
  });

  it('SIGINT stops cleanly: finished results are written and the journal can finish the run', async () => {
    const journal = join(dir, 'int.journal');
    const out = join(dir, 'partial.json');
    const child = spawn(
      process.execPath,
      [BIN, ...auditArgs(), '--format', 'json', '-o', out, '--journal', journal],
      {
        env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1' },
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 20_000;
    while (
      !(existsSync(journal) && readFileSync(journal, 'utf8').split('\n').length > 20) &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    const partial = JSON.parse(readFileSync(out, 'utf8')) as AuditDocument;
    const journalled = readFileSync(journal, 'utf8').split('\n').filter(Boolean).length - 1;
    expect(partial.domains.length).toBe(journalled);
    expect(partial.domains.length).toBeLessThan(N + 1);

    const rest = await runCli([...auditArgs(), '--format', 'json', '--resume', journal]);
    expect(JSON.parse(rest.stdout).domains).toHaveLength(N + 1);
  });

  it('refuses to overwrite an existing journal', async () => {
    const journal = join(dir, 'exists.journal');
    writeFileSync(journal, '');
    const run = await runCli([...auditArgs(), '--journal', journal]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/use --resume/);
  });
});
