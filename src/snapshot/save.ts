import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { jsonChunks } from '../report/json.js';
import type { ReportDocument } from '../report/spill.js';
import type { AuditDocument } from '../types.js';
import { stableDocument, stableReport } from './normalise.js';

// A snapshot directory holds one file per run and latest.json, a copy (not a symlink: CI
// artifacts and Windows keep copies) of the newest. Both are written through a temp file in the
// same directory and a rename, so a reader or a later --baseline never sees half a file.

export interface SavedSnapshot {
  path: string;
  latest: string;
  /** false when latest.json was left as it was (SaveOptions.latest false). */
  latestUpdated: boolean;
}

export interface SaveOptions {
  /** Also replace latest.json (default true); false for a run not to be compared with. */
  latest?: boolean;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `singlepath-20260115T093000Z.json` for 2026-01-15T09:30:00Z (UTC, sortable by name). */
export function snapshotFileName(now: Date): string {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}T${pad(
    now.getUTCHours(),
  )}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}Z`;
  return `singlepath-${stamp}.json`;
}

/** The bytes of a saved snapshot: the stable document (volatile values removed), as `--format json`. */
export function snapshotText(doc: AuditDocument): string {
  return [...jsonChunks(stableDocument(doc, { keepGeneratedAt: true }))].join('');
}

function syncDir(dir: string): void {
  // Makes the rename itself durable; not every platform can open a directory (Windows), which is fine.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Temp file + fsync + rename in the target's own directory. */
export function writeAtomic(dir: string, name: string, data: string | Iterable<string>): string {
  const path = join(dir, name);
  writeFileAtomic(path, data);
  return path;
}

/** Writes `<dir>/singlepath-<UTC stamp>.json` and `<dir>/latest.json`, creating `dir` if needed. */
export function saveSnapshot(
  doc: ReportDocument,
  dir: string,
  now: Date,
  opts: SaveOptions = {},
): SavedSnapshot {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create snapshot directory ${dir}: ${(err as NodeJS.ErrnoException).code}`);
  }
  // Results kept on disk are made stable as they are written, once per file.
  const stable = stableReport(doc, { keepGeneratedAt: true });
  try {
    const path = writeAtomic(dir, snapshotFileName(now), jsonChunks(stable));
    if (opts.latest === false) {
      syncDir(dir);
      return { path, latest: join(dir, 'latest.json'), latestUpdated: false };
    }
    const latest = writeAtomic(dir, 'latest.json', jsonChunks(stable));
    syncDir(dir);
    return { path, latest, latestUpdated: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    throw new InputError(`cannot write snapshot in ${dir}: ${code}`);
  }
}
