import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { Journal, MAX_HEADER_LINE, readJournal, scanJournal } from '../src/snapshot/journal.js';
import { BIN } from './helpers/cli.js';
import { result } from './helpers/results.js';

// Issue 21 item 9: the journal reader is bounded like the list reader.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-journal-bounds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = `${JSON.stringify({ type: 'journal', schema: 1, startedAt: '', options: {} })}\n`;
const line = (domain: string) => `${JSON.stringify(result(domain, [['cdn', 'cloudflare']]))}\n`;

function write(name: string, pieces: (string | { repeat: string; bytes: number })[]): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  for (const p of pieces) {
    if (typeof p === 'string') writeSync(fd, p);
    else {
      const block = Buffer.alloc(1 << 20, p.repeat);
      for (let left = p.bytes; left > 0; left -= block.length)
        writeSync(fd, block, 0, Math.min(left, block.length));
    }
  }
  closeSync(fd);
  return path;
}

describe('journal lines have a bound', () => {
  it('--resume /dev/zero is refused at once (it grew past 700 MB without end)', async () => {
    const child = spawn(process.execPath, [BIN, 'audit', '-', '--resume', '/dev/zero', '--no-http'], {
      env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    child.stdin!.end('a.test\n');
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const started = performance.now();
    const got = await Promise.race([
      new Promise<number | null>((r) => child.on('close', r)),
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000)),
    ]);
    if (got === 'hung') child.kill('SIGKILL');
    expect(got).toBe(2);
    expect(stderr).toMatch(/\/dev\/zero: not a singlepath journal \(first line longer than 65536 bytes\)/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a first line past the header bound is refused without reading to its end', () => {
    const path = write('long-header.journal', [{ repeat: 'x', bytes: 64 << 20 }, '\n', line('a.test')]);
    const started = performance.now();
    expect(() => scanJournal(path)).toThrow(/first line longer than/);
    expect(() => scanJournal(path)).toThrow(InputError);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(() => Journal.open(path, { options: {}, startedAt: '' })).toThrow(/first line longer than/);
  });

  it('a header just at the bound is read', () => {
    const header = JSON.stringify({ type: 'journal', schema: 1, startedAt: '', options: {}, pad: '' });
    const padded = header.replace('"pad":""', `"pad":"${'p'.repeat(MAX_HEADER_LINE - header.length)}"`);
    expect(padded.length).toBe(MAX_HEADER_LINE);
    const path = write('at-bound.journal', [`${padded}\n`, line('a.test')]);
    expect(readJournal(path).results.map((r) => r.domain)).toEqual(['a.test']);
  });

  it('a result line past 8 MiB is one unreadable line: skipped, the lines around it read', () => {
    const path = write('long-line.journal', [
      HEADER,
      line('a.test'),
      { repeat: 'y', bytes: 20 << 20 },
      '\n',
      line('b.test'),
    ]);
    const j = readJournal(path);
    expect(j.results.map((r) => r.domain)).toEqual(['a.test', 'b.test']);
    expect(j.skipped).toEqual([3]);
  });

  it('lines that cross the 1 MiB read chunks come back whole', () => {
    const big = result('big.test', [
      ['cdn', 'cloudflare', { evidence: [{ signal: 'header', value: 'v'.repeat(3 << 20) }] }],
    ]);
    const path = write('cross.journal', [HEADER, line('a.test'), `${JSON.stringify(big)}\n`, line('c.test')]);
    const j = readJournal(path);
    expect(j.results.map((r) => r.domain)).toEqual(['a.test', 'big.test', 'c.test']);
    expect(JSON.stringify(j.results[1])).toBe(JSON.stringify(big));
  });
});
