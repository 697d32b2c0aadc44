import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { FORMATS, render } from '../src/report/index.js';
import { ResultKeeper, SpilledResults } from '../src/report/spill.js';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { generatedLab } from './helpers/generated.js';
import { type Lab, startLab } from './helpers/lab.js';
import { withoutTimings } from './helpers/results.js';

// Whole-document reports of long lists keep their results in a temporary file past
// SINGLEPATH_SPILL_AFTER (2,000) instead of in memory. The report must be the same either way.

/** What a run says when its temporary folder cannot be used: the results stay in memory. */
const HELD_INSTEAD =
  /warning: cannot keep results in a temporary folder \(.*\): [a-z ]+; holding them in memory/;

const golden = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'singlepath-spill-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SpilledResults', () => {
  it('renders every format as the same document held in memory would, byte for byte', () => {
    const spilled = new SpilledResults(dir);
    try {
      // Added in another order: read back in name order, as buildDocument sorts.
      for (const r of [...golden.domains].reverse()) spilled.add(r);
      expect(spilled.length).toBe(golden.domains.length);
      const onDisk = { ...golden, domains: spilled };
      for (const format of FORMATS)
        for (const explain of [false, true])
          expect([format, explain, render(onDisk, format, { color: false, explain })]).toEqual([
            format,
            explain,
            render(golden, format, { color: false, explain }),
          ]);
      // Read as often as wanted.
      expect([...spilled]).toEqual(golden.domains);
    } finally {
      spilled.close();
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('singlepath-results-'))).toEqual([]);
  });
});

describe('SpilledResults keeps names compactly and sorts them as strings sort', () => {
  const bySort = (names: string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const keep = (names: string[]) => {
    const spilled = new SpilledResults(dir);
    for (const domain of names)
      spilled.add({ domain, dependencies: [], risks: [] } as unknown as DomainResult);
    return spilled;
  };

  it('in UTF-16 order past ASCII too: prefixes, accents, astral characters, a lone surrogate', () => {
    const names = [
      'b.example',
      'a.example',
      'a.example.org',
      'a',
      '',
      'zürich.example',
      'zz.example',
      'z\u00e9.example',
      'x\uffff.example',
      // U+1F600 is two code units (D83D DE00): before U+FFFF as strings, after it as UTF-8 bytes.
      'x\u{1F600}.example',
      'x\ue000.example',
      'x\ud800.example',
      // The same bytes as the lone surrogate once encoded: told apart as strings.
      'x\ufffd.example',
      'x\udfff',
      'a.example',
    ];
    const spilled = keep(names);
    try {
      expect(spilled.names()).toEqual(bySort(names));
      expect([...spilled].map((r) => r.domain)).toEqual(
        bySort(names).map((n) => JSON.parse(JSON.stringify(n))),
      );
    } finally {
      spilled.close();
    }
  });

  it('across pages of names, a name longer than a page among them', () => {
    const names = Array.from({ length: 80_000 }, (_, i) => `n${(i * 7919) % 80_000}.zone${i % 97}.example`);
    names.push(`long-${'x'.repeat(1_100_000)}.example`, 'zz-last.example');
    const spilled = keep(names);
    try {
      const got = spilled.names();
      expect(got.length).toBe(names.length);
      expect(got).toEqual(bySort(names));
    } finally {
      spilled.close();
    }
  });
});

describe('report of a JSON document with its results kept on disk', () => {
  it('renders what the document held in memory renders', async () => {
    const path = new URL('../samples/golden-snapshot.json', import.meta.url).pathname;
    for (const args of [
      ['--format', 'json'],
      ['--format', 'html'],
      ['--format', 'table', '--explain'],
    ]) {
      const memory = await runCli(['report', path, ...args]);
      const disk = await runCli(['report', path, ...args], { env: { SINGLEPATH_SPILL_AFTER: '1' } });
      expect(disk.code, disk.stderr).toBe(0);
      expect([args, disk.stdout]).toEqual([args, memory.stdout]);
    }
    // The document's members keep their order (domains before summary).
    const json = await runCli(['report', path, '--format', 'json'], { env: { SINGLEPATH_SPILL_AFTER: '1' } });
    expect(Object.keys(JSON.parse(json.stdout))).toEqual(Object.keys(golden));
    // A document laid out otherwise (read whole, being small) too.
    const four = join(dir, 'four.json');
    writeFileSync(four, JSON.stringify(golden, null, 4));
    const disk = await runCli(['report', four, '--format', 'json'], { env: { SINGLEPATH_SPILL_AFTER: '1' } });
    expect(disk.code, disk.stderr).toBe(0);
    expect(disk.stdout).toBe((await runCli(['report', path, '--format', 'json'])).stdout);
    // It did try to keep them on disk: without a temporary folder it says so and holds them.
    const env = { SINGLEPATH_SPILL_AFTER: '0', TMPDIR: join(dir, 'no-such-folder') };
    const held = await runCli(['report', path], { env });
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toMatch(HELD_INSTEAD);
    expect(held.stdout).toBe((await runCli(['report', path])).stdout);
  });
});

describe('audit with results kept on disk', () => {
  const N = 30;
  const { fixture, domains } = generatedLab(N, 3);
  let lab: Lab;
  let list: string;
  beforeAll(async () => {
    lab = await startLab(fixture);
    list = join(dir, 'domains.txt');
    writeFileSync(list, `${domains.join('\n')}\n`);
  });
  afterAll(() => lab?.close());

  const audit = (extra: string[], env: Record<string, string>) =>
    runCli(['audit', list, '--no-http', ...lab.args(), ...extra], { env });

  it('gives the document held in memory would, and leaves no temporary file', async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const held = await audit(['--format', 'json'], { SINGLEPATH_SPILL_AFTER: '1000000', TMPDIR: tmp });
    const spilled = await audit(['--format', 'json'], { SINGLEPATH_SPILL_AFTER: '5', TMPDIR: tmp });
    expect(held.code, held.stderr).toBe(0);
    expect(spilled.code, spilled.stderr).toBe(0);
    const [a, b] = [JSON.parse(held.stdout), JSON.parse(spilled.stdout)] as AuditDocument[];
    expect(b.domains.map((d) => d.domain)).toEqual([...domains].sort());
    expect(withoutTimings(b.domains)).toEqual(withoutTimings(a.domains));
    expect(b.summary).toEqual(a.summary);
    expect(b.options).toEqual(a.options);
    // The same from --jobs 2 (results from two processes, kept on disk by the parent).
    const jobs = await audit(['--format', 'json', '--jobs', '2'], {
      SINGLEPATH_SPILL_AFTER: '4',
      TMPDIR: tmp,
    });
    expect(jobs.code, jobs.stderr).toBe(0);
    const fromJobs = JSON.parse(jobs.stdout) as AuditDocument;
    expect(withoutTimings(fromJobs.domains)).toEqual(withoutTimings(a!.domains));
    expect(fromJobs.summary).toEqual(a!.summary);
    const table = await audit(['--format', 'table', '-o', join(dir, 'report.txt')], {
      SINGLEPATH_SPILL_AFTER: '0',
      TMPDIR: tmp,
    });
    expect(table.code, table.stderr).toBe(0);
    expect(readFileSync(join(dir, 'report.txt'), 'utf8')).toBe(
      (await audit(['--format', 'table'], { SINGLEPATH_SPILL_AFTER: '1000000', TMPDIR: tmp })).stdout,
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('merge and report of NDJSON results give the same report from disk as from memory', async () => {
    const tmp = join(dir, 'tmp-merge');
    mkdirSync(tmp);
    const parts = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')];
    for (const [i, part] of parts.entries()) {
      const run = await audit(['--format', 'ndjson', '-o', part, '--shard', `${i}/2`], {});
      expect(run.code, run.stderr).toBe(0);
    }
    const both = async (args: string[]) => {
      const [memory, disk] = [
        await runCli(args, { env: { SINGLEPATH_SPILL_AFTER: '1000000', TMPDIR: tmp } }),
        await runCli(args, { env: { SINGLEPATH_SPILL_AFTER: '2', TMPDIR: tmp } }),
      ];
      expect(memory.code, memory.stderr).toBe(0);
      expect(disk.code, disk.stderr).toBe(0);
      const time = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;
      expect(disk.stdout.replace(time, 'T')).toBe(memory.stdout.replace(time, 'T'));
      return disk.stdout;
    };
    const merged = JSON.parse(await both(['merge', ...parts, '--format', 'json'])) as AuditDocument;
    expect(merged.domains.map((d) => d.domain)).toEqual([...domains].sort());
    await both(['merge', ...parts, '--format', 'html']);
    await both(['report', parts[0]!, '--format', 'table', '--explain']);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('whatif of a list (a file, or stdin) audits it with its results on disk past the threshold', async () => {
    const tmp = join(dir, 'tmp-whatif');
    mkdirSync(tmp);
    const whatif = (input: string, spill: string, stdin?: string) =>
      runCli(['whatif', input, '-p', 'cloudflare', '--format', 'json', '--no-http', ...lab.args()], {
        env: { SINGLEPATH_SPILL_AFTER: spill, TMPDIR: tmp },
        ...(stdin === undefined ? {} : { stdin }),
      });
    const held = await whatif(list, '1000000');
    expect(held.code, held.stderr).toBe(0);
    const result = JSON.parse(held.stdout) as { down: unknown[]; unaffected: unknown[] };
    expect(result.down.length + result.unaffected.length).toBeGreaterThan(0);
    for (const run of [await whatif(list, '3'), await whatif('-', '3', readFileSync(list, 'utf8'))]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(held.stdout);
    }
    expect(readdirSync(tmp)).toEqual([]);
    // A snapshot on stdin is still read as one; an unknown provider is refused after the audit.
    const snapshot = await audit(['--format', 'json'], { SINGLEPATH_SPILL_AFTER: '1000000' });
    const fromStdin = await whatif('-', '3', snapshot.stdout);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe(held.stdout);
    const unknown = await runCli(['whatif', list, '-p', 'no-such-cdn', '--no-http', ...lab.args()], {
      env: { SINGLEPATH_SPILL_AFTER: '3', TMPDIR: tmp },
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown provider "no-such-cdn"/);
    expect(readdirSync(tmp)).toEqual([]);
    // It did try to keep them on disk: without a temporary folder it says so and holds them.
    const noTmp = await runCli(
      ['whatif', list, '-p', 'cloudflare', '--format', 'json', '--no-http', ...lab.args()],
      { env: { SINGLEPATH_SPILL_AFTER: '0', TMPDIR: join(dir, 'no-such-folder') } },
    );
    expect(noTmp.code, noTmp.stderr).toBe(0);
    expect(noTmp.stderr).toMatch(HELD_INSTEAD);
    expect(noTmp.stdout).toBe(held.stdout);
  });

  it('--save-dir writes the same snapshot from results on disk', async () => {
    const tmp = join(dir, 'tmp-save');
    mkdirSync(tmp);
    const saved: string[] = [];
    for (const [i, spill] of ['1000000', '3'].entries()) {
      const saveDir = join(dir, `saved-${i}`);
      // NDJSON streams to its file; the snapshot needs every result kept.
      const out = join(dir, `saved-${i}.ndjson`);
      const run = await audit(['--format', 'ndjson', '-o', out, '--save-dir', saveDir], {
        SINGLEPATH_SPILL_AFTER: spill,
        TMPDIR: tmp,
      });
      expect(run.code, run.stderr).toBe(0);
      saved.push(readFileSync(join(saveDir, 'latest.json'), 'utf8'));
    }
    const [held, spilled] = saved.map((text) => ({
      ...JSON.parse(text),
      generatedAt: '',
    })) as AuditDocument[];
    expect(spilled!.domains).toHaveLength(N);
    expect(spilled).toEqual(held);
    expect(readdirSync(tmp)).toEqual([]);
    // It did try to keep them on disk: without a temporary folder it says so and holds them.
    const noTmp = await audit(
      ['--format', 'ndjson', '-o', join(dir, 'x.ndjson'), '--save-dir', join(dir, 'x')],
      {
        SINGLEPATH_SPILL_AFTER: '0',
        TMPDIR: join(dir, 'no-such-folder'),
      },
    );
    expect(noTmp.code, noTmp.stderr).toBe(0);
    expect(noTmp.stderr).toMatch(HELD_INSTEAD);
    const fallback = JSON.parse(readFileSync(join(dir, 'x', 'latest.json'), 'utf8')) as AuditDocument;
    expect({ ...fallback, generatedAt: '' }).toEqual(held);
  });

  it('--baseline and diff give the same drift from results on disk', async () => {
    const tmp = join(dir, 'tmp-drift');
    mkdirSync(tmp);
    // A baseline that differs: the golden document (other domains, other findings).
    const baseline = new URL('../samples/golden-snapshot.json', import.meta.url).pathname;
    const drift: string[] = [];
    for (const spill of ['1000000', '2']) {
      const env = { SINGLEPATH_SPILL_AFTER: spill, TMPDIR: tmp };
      const run = await audit(
        ['--format', 'ndjson', '-o', join(dir, `drift-${spill}.ndjson`), '--baseline', baseline],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      drift.push(run.stderr.slice(run.stderr.indexOf('singlepath diff:')).replace(/→ \S+Z/, ''));
    }
    expect(drift[0]).toMatch(/Domains added \(30\)/);
    expect(drift[1]).toBe(drift[0]);
    const diffs: string[] = [];
    for (const spill of ['1000000', '2']) {
      const env = { SINGLEPATH_SPILL_AFTER: spill, TMPDIR: tmp };
      const run = await runCli(['diff', baseline, join(dir, 'drift-2.ndjson'), '--format', 'json'], { env });
      expect(run.code, run.stderr).toBe(0);
      diffs.push(run.stdout.replace(/"generatedAt": "[^"]*"/g, ''));
    }
    expect(diffs[1]).toBe(diffs[0]);
    expect(readdirSync(tmp)).toEqual([]);
    // The baseline did try to go to disk: without a temporary folder it is held, the drift the same.
    const env = { SINGLEPATH_SPILL_AFTER: '0', TMPDIR: join(dir, 'no-such-folder') };
    const noTmp = await audit(
      ['--format', 'ndjson', '-o', join(dir, 'r.ndjson'), '--baseline', baseline],
      env,
    );
    expect(noTmp.code, noTmp.stderr).toBe(0);
    expect(noTmp.stderr).toMatch(HELD_INSTEAD);
    expect(noTmp.stderr.slice(noTmp.stderr.indexOf('singlepath diff:')).replace(/→ \S+Z/, '')).toBe(drift[0]);
  });

  it('a temporary folder it cannot write is said once, and the results are held instead', async () => {
    const run = await audit(['--format', 'json'], {
      SINGLEPATH_SPILL_AFTER: '0',
      TMPDIR: join(dir, 'no-such-folder'),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /cannot keep results in a temporary folder \(.*no-such-folder\): no such file or folder/,
    );
    expect(run.stderr.match(/cannot keep results/g)).toHaveLength(1);
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.domains.map((d) => d.domain)).toEqual([...domains].sort());
    // Past a threshold, with results already held when the folder fails: none of them is lost.
    const later = await audit(['--format', 'json'], {
      SINGLEPATH_SPILL_AFTER: '7',
      TMPDIR: join(dir, 'no-such-folder'),
    });
    expect(later.code, later.stderr).toBe(0);
    expect(later.stderr.match(/cannot keep results/g)).toHaveLength(1);
    const held = JSON.parse(later.stdout) as AuditDocument;
    expect(withoutTimings(held.domains)).toEqual(withoutTimings(doc.domains));
    expect(held.summary).toEqual(doc.summary);
    // merge and report go the same way (their results are kept on disk too).
    const part = join(dir, 'all.ndjson');
    expect((await audit(['--format', 'ndjson', '-o', part], {})).code).toBe(0);
    for (const args of [
      ['merge', part, '--format', 'json'],
      ['report', part],
    ]) {
      const r = await runCli(args, {
        env: { SINGLEPATH_SPILL_AFTER: '0', TMPDIR: join(dir, 'no-such-folder') },
      });
      expect([args[0], r.code]).toEqual([args[0], 0]);
      expect(r.stderr).toMatch(HELD_INSTEAD);
      const time = /\d{4}-\d\d-\d\dT[\d:.]+Z/g;
      expect(r.stdout.replace(time, 'T')).toBe((await runCli(args)).stdout.replace(time, 'T'));
    }
  });

  it('a library caller without a warning gets the folder it cannot use as an InputError', () => {
    const keeper = new ResultKeeper({ SINGLEPATH_SPILL_AFTER: '0', TMPDIR: join(dir, 'no-such-folder') });
    expect(() => keeper.add(golden.domains[0]!)).toThrow(InputError);
    expect(() => keeper.add(golden.domains[0]!)).toThrow(/cannot keep results in a temporary folder/);
  });

  it('a complete --format ndjson run with --journal removes its journal', async () => {
    const journal = join(dir, 'ndjson.journal');
    const run = await audit(['--format', 'ndjson', '-o', join(dir, 'out.ndjson'), '--journal', journal], {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/--resume/);
    expect(existsSync(journal)).toBe(false);
  });
});
