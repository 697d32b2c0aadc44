import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  const tmp = join(dirname(path), `.${process.pid}-${Date.now()}.singlepath.partial`);
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
