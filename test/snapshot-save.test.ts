import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { diffDocuments, isEmptyDiff } from '../src/snapshot/diff.js';
import { readBaseline, readSnapshot } from '../src/snapshot/read.js';
import { saveSnapshot, snapshotFileName } from '../src/snapshot/save.js';
import type { AuditDocument } from '../src/types.js';

const load = (): AuditDocument =>
  JSON.parse(readFileSync(new URL('./fixtures/snapshot-v1.json', import.meta.url), 'utf8')) as AuditDocument;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'singlepath-save-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('saveSnapshot', () => {
  it('names files by UTC time', () => {
    expect(snapshotFileName(new Date('2026-01-05T07:08:09.999Z'))).toBe('singlepath-20260105T070809Z.json');
  });

  it('writes the timestamped file and an equal latest.json, creating the directory', () => {
    const dir = join(tempDir(), 'snapshots', 'weekly');
    const saved = saveSnapshot(load(), dir, new Date('2026-01-15T09:30:00Z'));
    expect(saved).toEqual({
      path: join(dir, 'singlepath-20260115T093000Z.json'),
      latest: join(dir, 'latest.json'),
      latestUpdated: true,
    });
    expect(readdirSync(dir).sort()).toEqual(['latest.json', 'singlepath-20260115T093000Z.json']);
    const text = readFileSync(saved.path, 'utf8');
    expect(readFileSync(saved.latest, 'utf8')).toBe(text);
    const doc = readSnapshot(saved.latest);
    expect(doc.generatedAt).toBe(load().generatedAt);
    expect(doc.domains.find((d) => d.domain === 'static.example')?.observations.http?.durationMs).toBe(0);
    expect(isEmptyDiff(diffDocuments(load(), doc))).toBe(true);
  });

  it('moves latest.json to the newest run and keeps the older files', () => {
    const dir = tempDir();
    saveSnapshot(load(), dir, new Date('2026-01-15T09:30:00Z'));
    const next = load();
    next.generatedAt = '2026-01-22T09:30:00.000Z';
    next.domains = next.domains.slice(1);
    const second = saveSnapshot(next, dir, new Date('2026-01-22T09:30:00Z'));
    expect(readdirSync(dir).sort()).toEqual([
      'latest.json',
      'singlepath-20260115T093000Z.json',
      'singlepath-20260122T093000Z.json',
    ]);
    expect(readFileSync(second.latest, 'utf8')).toBe(readFileSync(second.path, 'utf8'));
    expect(readSnapshot(second.latest).domains).toHaveLength(6);
  });

  it('is deterministic: unchanged infrastructure gives identical bytes', () => {
    const a = load();
    const b = load();
    b.domains.reverse();
    const st = b.domains.find((d) => d.domain === 'static.example')!;
    st.observations.http!.durationMs = 999;
    st.observations.http!.headers['x-request-id'] = ['other'];
    const one = saveSnapshot(a, tempDir(), new Date('2026-01-15T09:30:00Z'));
    const two = saveSnapshot(b, tempDir(), new Date('2026-01-15T09:30:00Z'));
    expect(readFileSync(two.path, 'utf8')).toBe(readFileSync(one.path, 'utf8'));
  });

  it('refuses a directory it cannot create with InputError', () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    expect(() => saveSnapshot(load(), join(file, 'sub'), new Date())).toThrow(InputError);
  });

  it('a missing baseline is the first run (null); a bad one is an InputError', () => {
    const dir = tempDir();
    expect(readBaseline(join(dir, 'latest.json'), {})).toBeNull();
    const { latest } = saveSnapshot(load(), dir, new Date('2026-01-15T09:30:00Z'));
    const baseline = readBaseline(latest, {});
    expect([...baseline!.report.domains]).toHaveLength(7);
    baseline!.release();
    writeFileSync(latest, 'example.com\n');
    expect(() => readBaseline(latest, {})).toThrow(InputError);
  });
});
