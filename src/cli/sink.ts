import { InputError } from '../errors.js';
import { openAtomic } from '../fs/atomic.js';

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
  return openAtomic(path);
}

/** A full disk or a file size limit is the user's to fix: said as such, naming the output. */
export function namedSink(sink: LineSink, name: string): LineSink {
  const named = (f: () => void) => {
    try {
      f();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code && !(err instanceof InputError) ? new InputError(`cannot write ${name}: ${code}`) : err;
    }
  };
  return {
    write: (text) => named(() => sink.write(text)),
    commit: () => named(() => sink.commit()),
    discard: () => sink.discard(),
  };
}
