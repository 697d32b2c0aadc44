import { createHash, randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError, plainCode } from '../errors.js';

/** A file being written that appears whole at commit(), or not at all. */
export interface AtomicFile {
  write(data: string | Uint8Array): void;
  /** fsync and rename into place; on failure the temp file is removed and the error thrown. */
  commit(): void;
  /** Drops what was written: the target stays as it was. */
  discard(): void;
}

/** A write that failed with every byte kept elsewhere (`kept`), which the message names. */
export class KeptWriteError extends InputError {
  constructor(
    message: string,
    readonly kept: string,
  ) {
    super(message);
  }
}

/** Where a write to a path really goes, and whether it can be a temp file renamed into place. */
export interface WriteTarget {
  /** The path opened: the file itself at the end of any symlinks, or the path given (direct). */
  path: string;
  /**
   * Written through, never renamed over: a device, FIFO or socket, or anything under /dev or
   * /proc (`/dev/stdout` is a symlink to `/proc/self/fd/1`, itself a link to whatever stdout is:
   * renaming a temp file over it replaced the machine's `/dev/stdout`, issue 21).
   */
  direct: boolean;
  /** The direct target is a regular file (stdout redirected to a file): appended to, not truncated. */
  append: boolean;
}

const SPECIAL = /^\/(dev|proc)(\/|$)/;
const MAX_LINKS = 40;

/** Follows symlinks hop by hop (a dangling one names the file to create). */
export function writeTarget(path: string): WriteTarget {
  let at = resolve(path);
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    if (SPECIAL.test(at)) return directTarget(path);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(at);
    } catch {
      return { path: at, direct: false, append: false };
    }
    if (!st.isSymbolicLink())
      return st.isFile() || st.isDirectory()
        ? { path: at, direct: false, append: false }
        : directTarget(path);
    at = resolve(dirname(at), readlinkSync(at));
  }
  return directTarget(path);
}

function directTarget(path: string): WriteTarget {
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    // a dangling link under /dev or /proc: opened as given, the error is the open's
  }
  return { path, direct: true, append: file };
}

/**
 * Checked before any work, so that a run never audits a thousand domains to fail at the end: the
 * folder exists and is writable, and the target is not a folder. InputError names the path.
 */
export function assertWritable(path: string): void {
  const target = writeTarget(path);
  const fail = (why: string) => new InputError(`cannot write ${path}: ${why}`);
  if (target.direct) {
    try {
      accessSync(target.path, constants.W_OK);
    } catch (err) {
      throw fail(plainCode((err as NodeJS.ErrnoException).code ?? 'EACCES'));
    }
    return;
  }
  const dir = dirname(target.path);
  let dirStat: ReturnType<typeof statSync>;
  try {
    dirStat = statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? `folder ${dir} does not exist` : `folder ${dir}: ${plainCode(code)}`);
  }
  if (!dirStat.isDirectory()) throw fail(`${dir} is not a folder`);
  try {
    if (statSync(target.path).isDirectory()) throw fail('it is a folder');
  } catch (err) {
    if (err instanceof InputError) throw err;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw fail(
      `no permission to write in ${dir} (${plainCode((err as NodeJS.ErrnoException).code ?? 'EACCES')})`,
    );
  }
}

/**
 * `.<name>.<host>-<pid>.<12 hex>.tmp`: host (8 hex of a hash of the host name) and pid say whether
 * the writer can be asked if it is alive (a folder may be shared with other machines).
 */
const TEMP = /^\.(.+)\.([0-9a-f]{8})-(\d+)\.[0-9a-f]{12}\.tmp$/;
/** `.<name>.<12 hex>.tmp`, written before the writer was in the name: no writer can be asked. */
const OLD_TEMP = /^\.(.+)\.[0-9a-f]{12}\.tmp$/;
/** Snapshot names (--save-dir): each run writes a new one, so no later write shares its name. */
const SNAPSHOT_NAME = /^(singlepath-.+\.json|latest\.json)$/;
/** A temp file whose writer cannot be asked, untouched this long, is taken as left by a killed one. */
const UNASKED_AGE_MS = 24 * 3600 * 1000;

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

function tempName(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${HOST}-${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function untouchedFor(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs >= ms;
  } catch {
    return false;
  }
}

/**
 * Temp files in `path`'s folder left by writers that were killed (SIGKILL, a crash, a power cut):
 * ours by name, of any target in the folder (a snapshot's name is never written again), their
 * process gone (on this machine), or untouched for a day when their writer cannot be asked (another
 * machine, the old name without a writer). Removed before a new write; returns the paths removed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const full = join(dir, entry);
    const m = TEMP.exec(entry);
    if (m) {
      const pid = Number(m[3]);
      if (m[2] === HOST ? pid === process.pid || alive(pid) : !untouchedFor(full, UNASKED_AGE_MS)) continue;
    } else {
      const old = OLD_TEMP.exec(entry);
      if (!old || !(old[1] === name || SNAPSHOT_NAME.test(old[1]!))) continue;
      if (!untouchedFor(full, UNASKED_AGE_MS)) continue;
    }
    try {
      rmSync(full, { force: true });
      removed.push(full);
    } catch {
      // not ours to remove after all (permissions): left alone
    }
  }
  return removed;
}

/**
 * The one atomic write of the project: a temp file in the target's own folder, fsync, rename,
 * so a reader sees the old file or the new one, never half. Writes may come one at a time (a
 * streamed report), so memory stays flat. A symlink is followed and the file it names replaced
 * (the link stays); a device, pipe or anything under /dev or /proc is written through, never
 * renamed over (see writeTarget). The temp file never outlives an error, a discard or the
 * process's exit (an exit hook removes it; the CLI turns signals into exits), and one left by a
 * killed writer is removed by the next write to the same target.
 */
const BATCH_CHARS = 64 * 1024;

export function openAtomic(path: string): AtomicFile {
  const target = writeTarget(path);
  const direct = target.direct;
  if (!direct) removeStaleTemps(target.path);
  const tmp = direct ? null : tempName(target.path);
  let fd: number | null = openSync(tmp ?? target.path, direct ? (target.append ? 'a' : 'w') : 'wx');
  const onExit = () => {
    if (tmp) rmSync(tmp, { force: true });
  };
  if (tmp) process.once('exit', onExit);
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
      if (tmp) {
        rmSync(tmp, { force: true });
        process.off('exit', onExit);
      }
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
      } catch (err) {
        discard();
        throw err;
      }
      try {
        renameSync(tmp, target.path);
        process.off('exit', onExit);
      } catch (err) {
        // Every byte is in the temp file: kept where the user can find it, and said where.
        const kept = keep(tmp, target.path);
        process.off('exit', onExit);
        const message = `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
        if (!kept) {
          rmSync(tmp, { force: true });
          throw new InputError(message);
        }
        throw new KeptWriteError(`${message}; the results are kept in ${kept}`, kept);
      }
    },
    discard,
  };
}

/** A finished temp file whose rename failed, under a visible name beside the target if possible. */
function keep(tmp: string, target: string): string | undefined {
  const visible = join(dirname(target), `${basename(target)}.unsaved-${randomBytes(3).toString('hex')}`);
  try {
    renameSync(tmp, visible);
    return visible;
  } catch {
    try {
      statSync(tmp);
      return tmp;
    } catch {
      return undefined;
    }
  }
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
