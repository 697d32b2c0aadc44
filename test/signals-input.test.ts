import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Issue 21 item 1: SIGTERM/SIGINT must finish a run whose input is still open (an idle pipe, a
// FIFO, /dev/zero) and write what finished.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-signals-'));
let lab: Lab;
beforeAll(async () => {
  lab = await startLab({
    zones: ['sig.test'],
    records: [
      { name: 'a.sig.test', type: 'A', data: '192.0.2.1' },
      { name: 'b.sig.test', type: 'A', data: '192.0.2.2' },
    ],
    sites: {},
  });
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (list: string, out: string, journal: string) => [
  BIN,
  'audit',
  list,
  '--format',
  'json',
  '-o',
  out,
  '--journal',
  journal,
  '--no-http',
  '--resolver',
  lab.resolver,
  '--timeout',
  '500',
  '-q',
];

function start(argv: string[]): {
  child: ChildProcess;
  closed: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const closed = new Promise<{ code: number | null; stderr: string }>((r) =>
    child.on('close', (code) => r({ code, stderr })),
  );
  return { child, closed };
}

const journalled = (journal: string) =>
  existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean).length - 1 : 0;

async function until(test: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

/** Signals the child, then waits at most 8 s for it to end ('hung' otherwise). */
async function stopWithin(
  child: ChildProcess,
  closed: Promise<{ code: number | null; stderr: string }>,
  signal: NodeJS.Signals,
) {
  child.kill(signal);
  const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8000));
  const got = await Promise.race([closed, hung]);
  if (got === 'hung') child.kill('SIGKILL');
  return got;
}

describe('a signal with the input still open', () => {
  it('stdin an idle pipe: SIGTERM ends the run at once, every finished domain written (exit 143)', async () => {
    const out = join(dir, 'pipe.json');
    const journal = join(dir, 'pipe.journal');
    const { child, closed } = start(args('-', out, journal));
    child.stdin!.write('a.sig.test\nb.sig.test\n'); // and the producer goes quiet, stdin left open
    await until(() => journalled(journal) === 2);
    expect(journalled(journal)).toBe(2);
    const got = await stopWithin(child, closed, 'SIGTERM');
    expect(got).not.toBe('hung');
    if (got === 'hung') return;
    expect(got.code, got.stderr).toBe(143);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.domains.map((d: { domain: string }) => d.domain)).toEqual(['a.sig.test', 'b.sig.test']);
  });

  it('--jobs 2 with stdin an idle pipe: SIGTERM ends the run, results written', async () => {
    const out = join(dir, 'jobs.json');
    const journal = join(dir, 'jobs.journal');
    const { child, closed } = start([...args('-', out, journal), '--jobs', '2']);
    child.stdin!.write('a.sig.test\nb.sig.test\n');
    await until(() => journalled(journal) === 2);
    expect(journalled(journal)).toBe(2);
    const got = await stopWithin(child, closed, 'SIGTERM');
    expect(got).not.toBe('hung');
    if (got === 'hung') return;
    expect(got.code, got.stderr).toBe(143);
    expect(JSON.parse(readFileSync(out, 'utf8')).domains).toHaveLength(2);
  });

  it('the list a FIFO whose writer is idle: SIGINT ends the run, results written (exit 130)', async () => {
    const fifo = join(dir, 'list.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const out = join(dir, 'fifo.json');
    const journal = join(dir, 'fifo.journal');
    const { child, closed } = start(args(fifo, out, journal));
    const writer = spawn('sh', ['-c', 'exec 7>"$1"; printf "a.sig.test\\n" >&7; exec sleep 60', 'sh', fifo], {
      stdio: 'ignore',
    });
    try {
      await until(() => journalled(journal) === 1);
      expect(journalled(journal)).toBe(1);
      const got = await stopWithin(child, closed, 'SIGINT');
      expect(got).not.toBe('hung');
      if (got === 'hung') return;
      expect(got.code, got.stderr).toBe(130);
      expect(JSON.parse(readFileSync(out, 'utf8')).domains.map((d: { domain: string }) => d.domain)).toEqual([
        'a.sig.test',
      ]);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a FIFO nobody has opened for writing yet: SIGTERM still ends the run', async () => {
    const fifo = join(dir, 'unopened.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { child, closed } = start(args(fifo, join(dir, 'unopened.json'), join(dir, 'unopened.journal')));
    await until(() => existsSync(join(dir, 'unopened.journal')));
    await new Promise((r) => setTimeout(r, 300));
    const got = await stopWithin(child, closed, 'SIGTERM');
    expect(got).not.toBe('hung');
  });

  it('an endless line (no newline ever comes): SIGTERM stops the read', async () => {
    const fifo = join(dir, 'endless.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const { child, closed } = start(args(fifo, join(dir, 'endless.json'), join(dir, 'endless.journal')));
    // `yes` without its newlines: text, but one line that never ends.
    const writer = spawn('sh', ['-c', 'yes a | tr -d "\\n" > "$1"', 'sh', fifo], { stdio: 'ignore' });
    try {
      await until(() => existsSync(join(dir, 'endless.journal')));
      await new Promise((r) => setTimeout(r, 500));
      const got = await stopWithin(child, closed, 'SIGTERM');
      expect(got).not.toBe('hung');
      if (got === 'hung') return;
      expect(got.code, got.stderr).toBe(143);
    } finally {
      // yes and tr end on SIGPIPE once the CLI has closed the FIFO.
      writer.kill('SIGKILL');
    }
  });

  it('/dev/zero as the list is refused at once as binary (no endless read to stop)', async () => {
    const { closed } = start(args('/dev/zero', join(dir, 'zero.json'), join(dir, 'zero.journal')));
    const got = await closed;
    expect(got.code).toBe(2);
    expect(got.stderr).toMatch(/\/dev\/zero is a binary file, not a text list/);
  });
});
