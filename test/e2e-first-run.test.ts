import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { BIN, ROOT, runCli, spawnCli } from './helpers/cli.js';
import { type Lab, readFixture, startLab } from './helpers/lab.js';

// Issue 20: the first things people type must work. `audit example.com` read a file named
// example.com (ENOENT), `echo example.com | singlepath audit` wanted a `-`, `report -` did not
// read stdin, and there was no way to start the lab for one's own list, nor to run the README's
// lab command as written.

let lab: Lab;
let dir: string;

beforeAll(async () => {
  lab = await startLab(readFixture(join(ROOT, 'samples', 'lab.json')));
  dir = mkdtempSync(join(tmpdir(), 'singlepath-first-run-'));
});
afterAll(async () => {
  await lab?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const names = (stdout: string) => (JSON.parse(stdout) as AuditDocument).domains.map((d) => d.domain);

/** Reads the child's stdout until `lab: ready`; returns what it printed. */
function ready(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('lab: ready')) resolve(out);
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => reject(new Error(`lab exited ${code}: ${err}${out}`)));
  });
}

/** The audit command a lab printed, as arguments for the CLI. */
const printedAudit = (out: string) =>
  /^ {2}singlepath (audit .*)$/m.exec(out)![1]!.split(' ').filter(Boolean);

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('the first things people type', () => {
  it('domains as arguments: audit www.northwind-retail.com shop.northwind-retail.com', async () => {
    const r = await runCli([
      'audit',
      'www.northwind-retail.com',
      'https://shop.northwind-retail.com/cart',
      ...lab.args(),
      '-f',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(names(r.stdout)).toEqual(['shop.northwind-retail.com', 'www.northwind-retail.com']);
    // A bad name among them is reported by position, the others audited.
    const bad = await runCli([
      'audit',
      'www.northwind-retail.com',
      'not a host',
      ...lab.args(),
      '-f',
      'json',
    ]);
    expect(bad.code, bad.stderr).toBe(0);
    expect(bad.stderr).toMatch(/arguments:2: skipped "not a host"/);
    expect(names(bad.stdout)).toEqual(['www.northwind-retail.com']);
  });

  it('a list piped on stdin needs no -', async () => {
    const r = await runCli(['audit', ...lab.args(), '-f', 'json'], {
      stdin: 'www.northwind-retail.com\nwww.contoso-travel.com\n',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(names(r.stdout)).toEqual(['www.contoso-travel.com', 'www.northwind-retail.com']);
  });

  it('a missing list file is still named as one', async () => {
    const r = await runCli(['audit', '/nonexistent/domains.txt', ...lab.args()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read \/nonexistent\/domains\.txt/);
  });

  it('report - reads a JSON document or NDJSON results from stdin', async () => {
    const snapshot = readFileSync(join(ROOT, 'samples', 'snapshot.json'), 'utf8');
    const table = await runCli(['report', '-'], { stdin: snapshot });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^Domains: 15 {3}failed: 2/);
    const ndjson = await runCli(['report', join(ROOT, 'samples', 'snapshot.json'), '-f', 'ndjson']);
    const again = await runCli(['report', '-', '-f', 'json'], { stdin: ndjson.stdout });
    expect(again.code, again.stderr).toBe(0);
    expect(names(again.stdout)).toHaveLength(15);
  });

  it('npm run lab starts the bundled lab and prints flags that audit against it', async () => {
    const ca = join(dir, 'lab-root.pem');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'dist', 'scripts', 'lab.js'),
        '--dns-port',
        '0',
        '--https-port',
        '0',
        '--http-port',
        '0',
        '--ca-out',
        ca,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const out = await ready(child);
      const r = await runCli([...printedAudit(out), '-f', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(names(r.stdout)).toHaveLength(15);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('singlepath lab does the same from the CLI', async () => {
    const { child } = spawnCli([
      'lab',
      '--dns-port',
      '0',
      '--https-port',
      '0',
      '--http-port',
      '0',
      '--ca-out',
      join(dir, 'cli-root.pem'),
    ]);
    try {
      const out = await ready(child);
      const r = await runCli([...printedAudit(out), '-f', 'json']);
      expect(r.code, r.stderr).toBe(0);
      expect(names(r.stdout)).toHaveLength(15);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it("the README's lab commands run as written", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing without the network'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
    expect(block).toMatch(/^npm run lab/m);
    const command = block
      .split('\n')
      .filter((l) => !l.startsWith('npm run lab'))
      .join('\n')
      .replace(/\\\n\s*/g, ' ')
      .replace(/#.*$/gm, '')
      .trim();
    const args = command.split(/\s+/);
    expect(args.slice(0, 2)).toEqual(['node', 'bin/singlepath.js']);
    // The lab as README starts it (npm run lab in the repository: default ports, the root
    // certificate in ./lab-root.pem), and the command exactly as written.
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'scripts', 'lab.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await ready(child);
      expect(printedAudit(out)).toEqual(args.slice(2));
      const run = spawn(process.execPath, [BIN, ...args.slice(2)], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      run.stdout!.on('data', (d) => {
        stdout += d;
      });
      const code = await new Promise((resolve) => run.on('exit', resolve));
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Domains: 15 {3}failed: 2/);
    } finally {
      expect(await stop(child)).toBe(0);
      rmSync(join(ROOT, 'lab-root.pem'), { force: true });
    }
  });
});
