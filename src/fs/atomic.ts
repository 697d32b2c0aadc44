import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The one atomic write of the project: a temp file in the target's own folder, fsync, rename,
 * so a reader sees the old file or the new one, never half. A device or pipe (/dev/null,
 * /dev/stdout) is written to directly, never renamed over. The temp file never outlives an error.
 */
export function writeFileAtomic(path: string, data: string): void {
  if (existsSync(path) && !statSync(path).isFile()) {
    writeFileSync(path, data);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
