import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Issue 21 item 8: --resume after the list was edited must not bring back the removed domains.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-resume-edit-'));
const NAMES = Array.from({ length: 6 }, (_, i) => `d${i}.edit.test`);
let lab: Lab;
let journalText: string;

beforeAll(async () => {
  lab = await startLab({
    zones: ['edit.test'],
    records: [...NAMES, 'new.edit.test'].map((name) => ({ name, type: 'A', data: '192.0.2.9' })),
    sites: {},
  });
  // The journal of a run over all six, as an interrupted run leaves it (header + one line each).
  const full = await runCli(['audit', '-', '--format', 'json', ...args()], { stdin: NAMES.join('\n') });
  expect(full.code, full.stderr).toBe(0);
  const doc = JSON.parse(full.stdout) as AuditDocument;
  const header = {
    type: 'journal',
    schema: 1,
    startedAt: doc.generatedAt,
    options: doc.options,
    list: 'old.txt',
  };
  journalText = [header, ...doc.domains].map((l) => `${JSON.stringify(l)}\n`).join('');
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

function args(): string[] {
  return ['--no-http', '--resolver', lab.resolver, '--timeout', '500', '-q'];
}

// Three of the six kept, three taken out, one new name added.
const EDITED = [NAMES[0], NAMES[2], NAMES[4], 'new.edit.test'].join('\n');
const EXPECTED = [NAMES[0], NAMES[2], NAMES[4], 'new.edit.test'].sort();

describe('resuming with an edited list', () => {
  it('--resume carries only the journalled domains still in the list, and says how many were left out', async () => {
    const journal = join(dir, 'run.journal');
    writeFileSync(journal, journalText);
    const list = join(dir, 'new.txt');
    writeFileSync(list, EDITED);
    const run = await runCli(['audit', list, '--format', 'json', '--resume', journal, ...args()]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.domains.map((d) => d.domain)).toEqual(EXPECTED);
    expect(doc.summary.domains).toBe(4);
    expect(run.stderr, run.stderr).toMatch(/3 domains of the journal no longer in the list: left out/);
    expect(run.stderr).toMatch(/journalled for the list "old\.txt", resumed with ".*new\.txt"/);
  });

  it('with --save-dir (resumed automatically) the saved snapshot holds no stale domain', async () => {
    const saveDir = join(dir, 'snapshots');
    mkdirSync(saveDir);
    writeFileSync(join(saveDir, 'in-progress.journal'), journalText);
    const run = await runCli(['audit', '-', '--format', 'json', '--save-dir', saveDir, ...args()], {
      stdin: EDITED,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/3 domains of the journal no longer in the list: left out/);
    const latest = JSON.parse(readFileSync(join(saveDir, 'latest.json'), 'utf8')) as AuditDocument;
    expect(latest.domains.map((d) => d.domain)).toEqual(EXPECTED);
  });

  it('NDJSON streaming: the same four, the summary counting four', async () => {
    const journal = join(dir, 'nd.journal');
    writeFileSync(journal, journalText);
    const run = await runCli(['audit', '-', '--format', 'ndjson', '--resume', journal, ...args()], {
      stdin: EDITED,
    });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      lines
        .filter((l) => l.type === 'domain')
        .map((l) => l.domain)
        .sort(),
    ).toEqual(EXPECTED);
    expect(lines.at(-1).summary?.domains ?? lines.at(-1).domains).toBe(4);
  });
});
