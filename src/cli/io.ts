import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** Writes via a temp file in the same folder and a rename, so a reader never sees half a file. */
export function writeFileAtomic(path: string, data: string): void {
  // A device or pipe (/dev/null, /dev/stdout) is written to, never renamed over.
  if (existsSync(path) && !statSync(path).isFile()) {
    writeFileSync(path, data);
    return;
  }
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.singlepath.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a file, or standard input for "-". */
export async function readInput(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
