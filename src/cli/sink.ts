import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where streamed lines go: stdout as they come, or a file that appears whole at the end. */
export interface LineSink {
  write(text: string): void;
  /** Makes the output final (for a file: fsync and rename into place). */
  commit(): void;
  /** Drops a file output that should not appear (nothing to report). */
  discard(): void;
}

export function stdoutSink(write: (text: string) => void): LineSink {
  return { write, commit: () => {}, discard: () => {} };
}

/**
 * Lines are written to a temp file beside the target as each domain finishes, so memory stays
 * flat; the rename at the end means a reader never sees a half-written report.
 */
export function fileSink(path: string): LineSink {
  if (existsSync(path) && !statSync(path).isFile()) {
    const fd = openSync(path, 'w');
    return { write: (t) => void writeSync(fd, t), commit: () => closeSync(fd), discard: () => closeSync(fd) };
  }
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.singlepath.partial`);
  let fd: number | null = openSync(tmp, 'w');
  const close = () => {
    if (fd === null) return;
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
  };
  return {
    write: (text) => {
      if (fd !== null) writeSync(fd, text);
    },
    commit: () => {
      close();
      renameSync(tmp, path);
    },
    discard: () => {
      close();
      rmSync(tmp, { force: true });
    },
  };
}
