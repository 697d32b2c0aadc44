import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { ROOT, runCli, spawnCli } from './helpers/cli.js';
import { type Lab, type LabFixture, readFixture, startLab } from './helpers/lab.js';

// Issue 20, "Smaller": --own-asn AS13335 accepted; a binary or gzip list refused in one line; an
// interrupted JSON report marked incomplete in the file; plain words instead of errno codes.

let lab: Lab;
let slow: Lab;
let dir: string;
const SLOW = 40;

beforeAll(async () => {
  lab = await startLab(readFixture(join(ROOT, 'samples', 'lab.json')));
  const f: LabFixture = { zones: ['slow.test'], records: [], faults: {}, sites: {} };
  for (let i = 0; i < SLOW; i++) {
    f.records.push({ name: `d${i}.slow.test`, type: 'A', data: '104.16.1.1' });
    f.faults![`d${i}.slow.test A`] = { delayMs: 250 };
  }
  slow = await startLab(f);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-smaller-'));
});
afterAll(async () => {
  await Promise.all([lab?.close(), slow?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('smaller things', () => {
  it('--own-asn AS13335 is accepted, as ASNs are written', async () => {
    const r = await runCli([
      'audit',
      'www.northwind-retail.com',
      '--own-asn',
      'AS13335',
      ...lab.args(),
      '-f',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as AuditDocument;
    expect(doc.options.ownAsns).toEqual([13335]);
    const bad = await runCli(['audit', 'www.northwind-retail.com', '--own-asn', 'ASX', ...lab.args()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--own-asn must be an AS number/);
  });

  it('a gzip or binary list is refused in one line, from a file or stdin', async () => {
    const gz = join(dir, 'domains.txt.gz');
    writeFileSync(gz, gzipSync('www.northwind-retail.com\n'));
    const r = await runCli(['audit', gz, ...lab.args()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `singlepath: ${gz} is gzip-compressed, not a text list (decompress it first: gunzip -c FILE | singlepath audit)\n`,
    );
    const bin = await runCli(['audit', ...lab.args()], { stdin: 'www.example.com\u0000\u0001\u0002\n' });
    expect(bin.code).toBe(2);
    expect(bin.stderr.trim().split('\n')).toEqual([
      'singlepath: stdin is a binary file, not a text list (one domain per line, UTF-8)',
    ]);
  });

  it('an interrupted JSON report says so in the file', async () => {
    const out = join(dir, 'partial.json');
    const list = Array.from({ length: SLOW }, (_, i) => `d${i}.slow.test`).join('\n');
    const { child, done } = spawnCli(
      ['audit', '-', '--no-http', '--concurrency', '2', '-f', 'json', '-o', out, ...slow.args()],
      { stdin: list },
    );
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).toBe(130);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as AuditDocument;
    expect(doc.incomplete).toEqual({ reason: 'SIGINT', audited: doc.domains.length });
    expect(doc.domains.length).toBeGreaterThan(0);
    expect(doc.domains.length).toBeLessThan(SLOW);
    // Near the top: a reader that stops early still sees it.
    expect(Object.keys(doc).indexOf('incomplete')).toBeLessThan(Object.keys(doc).indexOf('domains'));
  });

  it('system errors are said in words, not errno codes', async () => {
    const missing = await runCli(['audit', '/nonexistent/domains.txt', ...lab.args()]);
    expect(missing.stderr).toBe('singlepath: cannot read /nonexistent/domains.txt: no such file or folder\n');
    const folder = await runCli(['audit', dir, ...lab.args()]);
    expect(folder.stderr).toBe(`singlepath: cannot read ${dir}: is a folder, not a file\n`);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const saveDir = await runCli([
      'audit',
      'www.northwind-retail.com',
      '--save-dir',
      join(file, 'sub'),
      ...lab.args(),
    ]);
    expect(saveDir.code).toBe(2);
    expect(saveDir.stderr).toMatch(
      /cannot create --save-dir .*a-file\/sub: a part of the path is not a folder\n$/,
    );
    expect(`${missing.stderr}${folder.stderr}${saveDir.stderr}`).not.toMatch(/\bE[A-Z]{3,}\b/);
  });
});
