import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type LabDnsServer, startDnsServer } from './helpers/dns-server.js';

// Issue 20: a run where everything fails must not look like success. A resolver that answers
// NXDOMAIN for every name, or one that never answers, made every domain fail with exit 0 and no
// warning, and the document did not say which resolver had been asked.

const NAMES = ['www.example.com', 'example.org', 'shop.example.io'];
let nxdomain: LabDnsServer;
let silent: Socket;
const silentAddress = () => `127.0.0.1:${silent.address().port}`;
let healthy: LabDnsServer;
let dir: string;
let list: string;

beforeAll(async () => {
  // Authoritative for the TLDs with no records: NXDOMAIN for everything (the wrong resolver).
  nxdomain = await startDnsServer({ zones: ['com', 'org', 'io'], records: [] });
  // A socket that reads every query and never answers.
  silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  healthy = await startDnsServer({
    zones: ['example.com', 'example.org', 'example.io'],
    records: NAMES.map((name) => ({ name, type: 'A' as const, data: '104.16.1.1' })),
  });
  dir = mkdtempSync(join(tmpdir(), 'singlepath-health-'));
  list = join(dir, 'domains.txt');
  writeFileSync(list, `${NAMES.join('\n')}\n`);
});
afterAll(async () => {
  silent?.close();
  await Promise.all([nxdomain?.close(), healthy?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const audit = (resolver: string, extra: string[] = []) =>
  runCli([
    'audit',
    list,
    '--no-http',
    '--resolver',
    resolver,
    '--timeout',
    '200',
    '--retries',
    '0',
    ...extra,
  ]);

describe('runs the network failed', () => {
  it('every name NXDOMAIN: exit 2 (also with --fail-on low), a line saying so, and a question about the resolver', async () => {
    const r = await audit(nxdomain.address, ['--fail-on', 'low', '--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `singlepath: warning: the resolver ${nxdomain.address} answered NXDOMAIN for 3 of 3: is it the right resolver?`,
    );
    expect(r.stderr).toMatch(
      /3 of 3 domains failed for network reasons \(NXDOMAIN 3\), more than the default --fail-on-errors 50%/,
    );
    // The document still comes out whole, and says who answered.
    const doc = JSON.parse(r.stdout) as AuditDocument;
    expect(doc.domains).toHaveLength(3);
    expect(doc.resolvers).toEqual([
      { resolver: nxdomain.address, source: 'flag', asked: expect.any(Number), answered: expect.any(Number) },
    ]);
    expect(doc.resolvers![0]!.asked).toBeGreaterThan(0);
    expect(doc.resolvers![0]!.answered).toBe(doc.resolvers![0]!.asked);
  });

  it('a resolver that never answers: TIMEOUT for all, answered 0, exit 2', async () => {
    const r = await audit(silentAddress(), ['--format', 'json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /no answer in time \(TIMEOUT\) for 3 of 3 from 127\.0\.0\.1:\d+: can this machine reach the resolver\?/,
    );
    expect(r.stderr).toMatch(/^singlepath: resolver 127\.0\.0\.1:\d+ \(--resolver\) answered 0 of \d+$/m);
    const doc = JSON.parse(r.stdout) as AuditDocument;
    expect(doc.resolvers![0]).toMatchObject({ resolver: silentAddress(), answered: 0 });
    expect(doc.resolvers![0]!.asked).toBeGreaterThan(0);
  });

  it('--fail-on-errors N or P% sets the limit; a bad value is a usage error', async () => {
    // Allowed by the limit, a run where every domain failed is still not saved as latest.
    const saveDir = join(dir, 'allowed');
    const allowed = await audit(nxdomain.address, ['--fail-on-errors', '100%', '--save-dir', saveDir]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/not saved as latest/);
    expect(existsSync(join(saveDir, 'latest.json'))).toBe(false);
    expect((await audit(nxdomain.address, ['--fail-on-errors', '3'])).code).toBe(0);
    const two = await audit(nxdomain.address, ['--fail-on-errors', '2']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/more than --fail-on-errors 2:/);
    const bad = await audit(nxdomain.address, ['--fail-on-errors', 'half']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --fail-on-errors "half"/);
  });

  it('a healthy run: exit 0, no warning, resolvers in the document and in the snapshot (without the port)', async () => {
    const saveDir = join(dir, 'snapshots');
    const r = await audit(healthy.address, ['--format', 'json', '--save-dir', saveDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/warning|failed for network reasons/);
    const doc = JSON.parse(r.stdout) as AuditDocument;
    expect(doc.resolvers![0]).toMatchObject({ resolver: healthy.address, source: 'flag' });
    const saved = JSON.parse(readFileSync(join(saveDir, 'latest.json'), 'utf8')) as AuditDocument;
    expect(saved.resolvers![0]).toMatchObject({ resolver: '127.0.0.1', source: 'flag' });
    expect(saved.resolvers![0]!.answered).toBe(doc.resolvers![0]!.answered);
    // Streamed: on the summary line.
    const ndjson = await audit(healthy.address, ['--format', 'ndjson']);
    const last = JSON.parse(ndjson.stdout.trim().split('\n').at(-1)!);
    expect(last.type).toBe('summary');
    expect(last.resolvers).toEqual([expect.objectContaining({ resolver: healthy.address, source: 'flag' })]);
  });
});
