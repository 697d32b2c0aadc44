import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A file being written that appears whole at commit(), or not at all. */
export interface AtomicFile {
  write(data: string | Uint8Array): void;
  /** fsync and rename into place; on failure the temp file is removed and the error thrown. */
  commit(): void;
  /** Drops what was written: the target stays as it was. */
  discard(): void;
}

/**
 * The one atomic write of the project: a temp file in the target's own folder, fsync, rename,
 * so a reader sees the old file or the new one, never half. Writes may come one at a time (a
 * streamed report), so memory stays flat. A device or pipe (/dev/null, /dev/stdout) is written
 * to directly, never renamed over. The temp file never outlives an error or a discard.
 */
const BATCH_CHARS = 64 * 1024;

export function openAtomic(path: string): AtomicFile {
  const direct = existsSync(path) && !statSync(path).isFile();
  const tmp = direct ? null : join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = openSync(tmp ?? path, direct ? 'w' : 'wx');
  const close = (sync: boolean) => {
    if (fd === null) return;
    const open = fd;
    fd = null;
    try {
      if (sync) fsyncSync(open);
    } finally {
      closeSync(open);
    }
  };
  const discard = () => {
    try {
      close(false);
    } finally {
      if (tmp) rmSync(tmp, { force: true });
    }
  };
  // A temp file nobody reads before the rename is written in 64 KiB batches rather than a system
  // call per streamed line (one per domain cost ~5% of a DNS-only run). A device or pipe gets
  // each write at once, as a live reader expects.
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    if (fd === null || pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    pendingChars = 0;
    writeAll(fd, text);
  };
  return {
    write: (data) => {
      if (fd === null) return;
      if (direct || typeof data !== 'string') {
        flush();
        writeAll(fd, data);
        return;
      }
      pending.push(data);
      pendingChars += data.length;
      if (pendingChars >= BATCH_CHARS) flush();
    },
    commit: () => {
      if (!tmp) return close(false);
      try {
        flush();
        close(true);
        renameSync(tmp, path);
      } catch (err) {
        discard();
        throw err;
      }
    },
    discard,
  };
}

/** Writes a whole file atomically (see openAtomic): one string or buffer, or pieces in order. */
export function writeFileAtomic(path: string, data: string | Uint8Array | Iterable<string>): void {
  const file = openAtomic(path);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) file.write(data);
    else for (const piece of data) file.write(piece);
  } catch (err) {
    file.discard();
    throw err;
  }
  file.commit();
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let at = 0; at < bytes.byteLength; ) at += writeSync(fd, bytes, at);
}
