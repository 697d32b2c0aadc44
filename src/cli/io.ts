import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';

export { assertWritable } from '../fs/atomic.js';

/** writeFileAtomic with a failed write (a full disk, a quota) said as the user's to fix, naming the file. */
export function writeOutput(path: string, data: string | Iterable<string>): void {
  try {
    writeFileAtomic(path, data);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof InputError || !code) throw err;
    throw new InputError(`cannot write ${path}: ${code}`);
  }
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
