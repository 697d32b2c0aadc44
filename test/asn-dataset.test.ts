// Against the installed @ip-location-db/asn: the expected rows are read from its CSVs, so the
// test survives dataset updates as long as the few well-known assignments below hold.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsnDb, loadAsnDb } from '../src/asn/index.js';

const dataDir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
let cacheDir: string;
let db: AsnDb;

function v4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => (n >> s) & 255n).join('.');
}
function v6(n: bigint): string {
  return (n.toString(16).padStart(32, '0').match(/.{4}/g) ?? []).join(':');
}

/** Every `step`-th row of a CSV as [start, end, asn]; the org column is not needed here. */
async function sampleRows(file: string, step: number): Promise<[bigint, bigint, number][]> {
  const lines = (await readFile(join(dataDir, file), 'utf8')).trim().split('\n');
  return lines
    .filter((_, i) => i % step === 0 || i < 3)
    .map((line) => line.split(',', 3))
    .map(([s, e, a]) => [BigInt(s!), BigInt(e!), Number(a)]);
}

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'singlepath-asn-'));
  db = await loadAsnDb({ cacheDir, dataDir });
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

describe('real dataset', () => {
  it.each([
    ['1.0.0.1', 13335],
    ['8.8.8.8', 15169],
    ['2606:4700:4700::1111', 13335],
    ['::ffff:8.8.4.4', 15169],
  ])('%s -> AS%d', (ip, asn) => expect(db.lookup(ip)?.asn).toBe(asn));

  it('keeps org names, including quoted ones with commas', () => {
    expect(db.lookup('1.0.0.1')?.org).toBe('Cloudflare, Inc.');
    expect(db.source).toMatch(/^@ip-location-db\/asn@\d/);
    expect(db.ranges).toBeGreaterThan(400_000);
  });

  it.each([
    ['asn-ipv4-num.csv', v4, 997],
    ['asn-ipv6-num.csv', v6, 251],
  ] as const)('answers start, middle and end of sampled rows of %s', async (file, fmt, step) => {
    const rows = await sampleRows(file, step);
    const got = rows.map(([s, e]) => [s, (s + e) / 2n, e].map((n) => db.lookup(fmt(n))?.asn));
    // The dataset has rare overlaps, where the more specific range wins: allow a handful.
    const wrong = rows.filter(([, , asn], i) => got[i]!.some((a) => a !== asn));
    expect(wrong.length).toBeLessThanOrEqual(2);
    expect(rows.length).toBeGreaterThan(400);
  });

  it('answers null for unrouted space', () => {
    expect(db.lookup('0.0.0.1')).toBeNull();
    expect(db.lookup('10.1.2.3')).toBeNull();
    expect(db.lookup('::1')).toBeNull();
    expect(db.lookup('fe80::1%eth0')).toBeNull();
  });
});
