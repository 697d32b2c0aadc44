import { writeFileAtomic } from '../fs/atomic.js';

/** Temp file in the same folder, fsync, rename: a reader sees the old list or the new, never half. */
export function writeAtomic(path: string, data: string): void {
  writeFileAtomic(path, data);
}
