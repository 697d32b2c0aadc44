import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { KeptWriteError, writeFileAtomic } from '../fs/atomic.js';

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

/**
 * A report whose target fails at the end (its folder removed or made read-only during the run,
 * checked though it was at the start) is written again, rendered anew, to the temporary folder,
 * and the error says where: the run's results are not lost with the target.
 */
export function writeOutputOrKeep(
  path: string,
  render: () => string | Iterable<string>,
  tmp = tmpdir(),
): void {
  try {
    writeOutput(path, render());
  } catch (err) {
    if (!(err instanceof InputError) || err instanceof KeptWriteError) throw err;
    const fallback = join(tmp, `singlepath-unsaved-${process.pid}-${basename(path)}`);
    try {
      writeFileAtomic(fallback, render());
    } catch {
      throw err;
    }
    throw new KeptWriteError(`${err.message}; the report is kept in ${fallback}`, fallback);
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
