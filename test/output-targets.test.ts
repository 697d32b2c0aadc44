import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAtomic, removeStaleTemps, writeFileAtomic, writeTarget } from '../src/fs/atomic.js';
import { BIN, runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Issue 21 item 2 (/dev/stdout renamed over), item 4 (temp files left by interrupted writes) and
// issue 20's output check before the audit.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const temps = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.tmp'));

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({
    zones: ['out.test'],
    records: [{ name: 'a.out.test', type: 'A', data: '192.0.2.1' }],
    sites: {},
  });
});
afterAll(() => lab?.close());
const auditArgs = () => ['--no-http', '--resolver', lab.resolver, '--timeout', '300', '--retries', '0'];

describe('write targets that are not plain files', () => {
  it('a symlink to a file: the file it names is replaced, the link stays a link', () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, 'old');
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(temps(dir)).toEqual([]);
  });

  it('a dangling symlink: the file it names is created', () => {
    const link = join(dir, 'dangling.json');
    symlinkSync(join(dir, 'made-by-link.json'), link);
    writeFileAtomic(link, 'made');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'made-by-link.json'), 'utf8')).toBe('made');
  });

  it('anything under /dev or /proc, and links into them, are written through', () => {
    expect(writeTarget('/dev/stdout').direct).toBe(true);
    expect(writeTarget('/dev/null').direct).toBe(true);
    expect(writeTarget('/proc/self/fd/1').direct).toBe(true);
    const link = join(dir, 'to-stdout');
    symlinkSync('/dev/stdout', link);
    expect(writeTarget(link).direct).toBe(true);
    expect(writeTarget(join(dir, 'plain.json'))).toEqual({
      path: join(dir, 'plain.json'),
      direct: false,
      append: false,
    });
  });

  it('a FIFO is written through, not renamed over', async () => {
    const fifo = join(dir, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d) => {
      got += d;
    });
    const closed = new Promise((r) => reader.on('close', r));
    writeFileAtomic(fifo, 'through the pipe\n');
    await closed;
    expect(got).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('the CLI writing -o to a link to /proc/self/fd/1 (= -o /dev/stdout) with stdout in a file: the file gets the report, the link stays', async () => {
    // A link of our own stands for /dev/stdout: the real one is never touched by a test (root here).
    const link = join(dir, 'my-stdout');
    symlinkSync('/proc/self/fd/1', link);
    const outFile = join(dir, 'stdout-capture.json');
    const fd = openSync(outFile, 'w');
    const child = spawn(
      process.execPath,
      [BIN, 'audit', '-', '--format', 'json', '-o', link, '-q', ...auditArgs()],
      {
        env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1' },
        stdio: ['pipe', fd, 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.stdin!.end('a.out.test\n');
    const code = await new Promise((r) => child.on('close', r));
    closeSync(fd);
    expect(code, stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('/proc/self/fd/1');
    expect(JSON.parse(readFileSync(outFile, 'utf8')).domains[0].domain).toBe('a.out.test');
    expect(temps(dir)).toEqual([]);
  });
});

describe('output targets are checked before anything is audited (issue 20)', () => {
  const noAudit = (stderr: string) => expect(stderr).not.toMatch(/domains in|internal error|\n\s+at /);

  it('a missing folder: exit 2, the path named, no query sent', async () => {
    const before = lab.dns.queries;
    const target = join(dir, 'nonexistent', 'r.json');
    const run = await runCli(['audit', '-', '-f', 'json', '-o', target, ...auditArgs()], {
      stdin: 'a.out.test\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write ${target}`);
    expect(run.stderr).toContain('does not exist');
    noAudit(run.stderr);
    expect(lab.dns.queries).toBe(before);
  });

  it('a folder as the target (EISDIR): named, in words', async () => {
    const run = await runCli(['audit', '-', '-f', 'ndjson', '-o', dir, ...auditArgs()], {
      stdin: 'a.out.test\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`singlepath: cannot write ${dir}: it is a folder\n`);
    noAudit(run.stderr);
  });

  it('a file where a folder should be (ENOTDIR): named, in words', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const run = await runCli(['report', join(dir, 'none.json'), '-o', join(file, 'r.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write ${join(file, 'r.json')}`);
    expect(run.stderr).toContain(`${file} is not a folder`);
    expect(run.stderr).not.toMatch(/\bE[A-Z]{3,}\b/);
  });

  it('a rename that fails at the end keeps every byte beside the target and says where', () => {
    const target = join(dir, 'late.json');
    const file = openAtomic(target);
    file.write('{"all":"results"}\n');
    mkdirSync(target); // the target became a folder while the run went on
    let message = '';
    try {
      file.commit();
    } catch (err) {
      message = (err as Error).message;
    }
    const kept = /kept in (\S+)$/.exec(message)?.[1];
    expect(message).toContain(`cannot write ${target}: `);
    expect(kept).toBeDefined();
    expect(readFileSync(kept!, 'utf8')).toBe('{"all":"results"}\n');
    expect(temps(dir)).toEqual([]);
  });
});

describe('temp files of interrupted writes (issue 21 item 4)', () => {
  const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  const twoDaysAgo = () => new Date(Date.now() - 48 * 3600 * 1000);

  it('ours whose writer is gone are removed by the next write in the folder, whatever their target', () => {
    const sub = mkdtempSync(join(dir, 'stale-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const pid = Number(dead.stdout.toString());
    const stale = join(sub, `.report.json.${HOST}-${pid}.0123456789ab.tmp`);
    // A --save-dir snapshot's name is never written again: its stale temp goes with any write.
    const snapshot = join(sub, `.singlepath-20260101T000000Z.json.${HOST}-${pid}.0123456789ab.tmp`);
    const live = join(sub, `.report.json.${HOST}-${process.pid}.ba9876543210.tmp`);
    const otherHost = join(sub, `.report.json.00000000-${pid}.0123456789ab.tmp`);
    const otherHostOld = join(sub, `.report.json.00000000-${pid}.0123456789ac.tmp`);
    const notOurs = join(sub, '.report.json.swp');
    for (const f of [stale, snapshot, live, otherHost, otherHostOld, notOurs])
      writeFileSync(f, 'x'.repeat(1000));
    utimesSync(otherHostOld, twoDaysAgo(), twoDaysAgo());
    writeFileAtomic(join(sub, 'latest.json'), 'fresh');
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(snapshot)).toBe(false);
    expect(existsSync(otherHostOld)).toBe(false);
    // A write in progress (this process), another machine's recent one and other files stay.
    expect(existsSync(live)).toBe(true);
    expect(existsSync(otherHost)).toBe(true);
    expect(existsSync(notOurs)).toBe(true);
    expect(readFileSync(join(sub, 'latest.json'), 'utf8')).toBe('fresh');
  });

  it('an old-style temp file (no writer in its name) of the same target or a snapshot is removed once a day old', () => {
    const sub = mkdtempSync(join(dir, 'old-'));
    const stale = join(sub, '.old.json.0123456789ab.tmp');
    const fresh = join(sub, '.old.json.ba9876543210.tmp');
    const snapshot = join(sub, '.singlepath-20260101T000000Z.json.0123456789ab.tmp');
    const unrelated = join(sub, '.notes.txt.0123456789ab.tmp');
    for (const f of [stale, fresh, snapshot, unrelated]) writeFileSync(f, 'x');
    for (const f of [stale, snapshot, unrelated]) utimesSync(f, twoDaysAgo(), twoDaysAgo());
    expect(removeStaleTemps(join(sub, 'old.json')).sort()).toEqual([stale, snapshot].sort());
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });

  it('a process that exits in the middle of a write leaves no temp file', () => {
    const sub = mkdtempSync(join(dir, 'exit-'));
    const code = `
      const { openAtomic } = await import(${JSON.stringify(new URL('../dist/src/fs/atomic.js', import.meta.url).href)});
      const f = openAtomic(${JSON.stringify(join(sub, 'big.json'))});
      f.write('x'.repeat(200000));
      process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code]);
    expect(r.status, r.stderr.toString()).toBe(3);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('SIGTERM while the CLI writes a streamed report: exit 143, no temp file left', async () => {
    const sub = mkdtempSync(join(dir, 'sig-'));
    const fifo = join(sub, 'part.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const out = join(sub, 'all.ndjson');
    const child = spawn(process.execPath, [BIN, 'merge', fifo, '--format', 'ndjson', '-o', out], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.stdout!.resume();
    const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    // A writer holds the FIFO open with one line written: merge has its temp file open and waits.
    const line = JSON.stringify({
      type: 'domain',
      domain: 'a.test',
      observations: {},
      dependencies: [],
      risks: [],
    });
    const writer = spawn(
      'sh',
      ['-c', `exec 7>"$1"; printf '%s\\n' "$2" >&7; exec sleep 60`, 'sh', fifo, line],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 100 && temps(sub).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(temps(sub).length).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    child.kill('SIGTERM');
    const code = await Promise.race([closed, new Promise((r) => setTimeout(() => r('hung'), 5000))]);
    const took = performance.now() - t0;
    writer.kill('SIGKILL');
    expect(code, stderr).toBe(143);
    expect(took).toBeLessThan(5000);
    expect(temps(sub)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a target that fails at the end (issue 20)', () => {
  it('its folder removed during the audit: the report is kept in TMPDIR and the error says where', async () => {
    const target = mkdtempSync(join(dir, 'gone-'));
    const keep = mkdtempSync(join(dir, 'keep-'));
    // One domain whose queries are dropped keeps the audit busy while the folder goes away.
    const slow = await startLab({
      zones: ['slow.test'],
      records: [{ name: 'x.slow.test', type: 'A', data: '192.0.2.3' }],
      faults: { 'x.slow.test': 'drop' },
      sites: {},
    });
    try {
      const out = join(target, 'r.json');
      const args = ['audit', '-', '-f', 'json', '-o', out, '--no-http', '--resolver', slow.resolver];
      const running = runCli([...args, '--timeout', '1500', '--retries', '0', '-q'], {
        stdin: 'x.slow.test\n',
        env: { TMPDIR: keep },
      });
      // Removed once the audit is under way (its first query in), after the check at the start.
      for (let i = 0; i < 200 && slow.dns.queries === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(slow.dns.queries).toBeGreaterThan(0);
      rmSync(target, { recursive: true });
      const run = await running;
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(/internal error/);
      const kept = /the report is kept in (\S+)$/m.exec(run.stderr)?.[1];
      expect(run.stderr, run.stderr).toContain(`cannot write ${out}: no such file or folder`);
      expect(kept).toBeDefined();
      expect(kept!.startsWith(keep)).toBe(true);
      expect(JSON.parse(readFileSync(kept!, 'utf8')).domains[0].domain).toBe('x.slow.test');
    } finally {
      await slow.close();
    }
  });
});
