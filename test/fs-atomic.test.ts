import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAtomic } from '../src/fs/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'singlepath-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openAtomic (streamed writes)', () => {
  it('keeps every byte and its order across batches, strings and bytes mixed', () => {
    const path = join(dir, 'out.ndjson');
    const file = openAtomic(path);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const line = `{"n":${i},"pad":"${'é'.repeat(i % 40)}"}\n`;
      expected.push(line);
      if (i % 997 === 0) file.write(Buffer.from(line));
      else file.write(line);
    }
    // Nothing at the target before commit, whatever was flushed to the temp file.
    expect(existsSync(path)).toBe(false);
    file.commit();
    expect(readFileSync(path, 'utf8')).toBe(expected.join(''));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('discard leaves neither target nor temp file', () => {
    const path = join(dir, 'dropped.txt');
    const file = openAtomic(path);
    file.write('x'.repeat(200_000));
    file.write('tail');
    file.discard();
    expect(readdirSync(dir).filter((f) => f.includes('dropped'))).toEqual([]);
  });
});
