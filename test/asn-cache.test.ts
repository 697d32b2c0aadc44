import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildAsnIndex, loadAsnDb } from '../src/asn/index.js';
import { resolveCacheDir } from '../src/asn/paths.js';
import { ConfigError } from '../src/errors.js';

let tmp: string;
let dataDir: string;
let cacheDir: string;

async function writeDataset(version: string | null, asn: number, org = 'Cloudflare, Inc.'): Promise<void> {
  // 1.0.0.0/24 and 2606:4700::/32, in the integer form of the real files.
  const v6Start = 0x26064700n << 96n;
  const v6End = v6Start + (1n << 96n) - 1n;
  await writeFile(join(dataDir, 'asn-ipv4-num.csv'), `16777216,16777471,${asn},"${org}"\n`);
  await writeFile(join(dataDir, 'asn-ipv6-num.csv'), `${v6Start},${v6End},${asn},"${org}"\r\n`);
  if (version)
    await writeFile(join(dataDir, 'package.json'), JSON.stringify({ name: 'fixture-asn', version }));
  else await rm(join(dataDir, 'package.json'), { force: true });
}

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'singlepath-asn-'));
  dataDir = tmp;
  cacheDir = join(tmp, 'cache');
  await writeDataset('1.0.0', 13335);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(tmp, { recursive: true, force: true });
});

describe('loadAsnDb cache', () => {
  it('builds the index on first load and reads only the index afterwards', async () => {
    const first = await loadAsnDb({ cacheDir, dataDir });
    expect(first.source).toBe('fixture-asn@1.0.0');
    expect(first.lookup('1.0.0.1')).toEqual({ asn: 13335, org: 'Cloudflare, Inc.' });
    expect(first.lookup('2606:4700:4700::1111')?.asn).toBe(13335);
    expect(await readdir(cacheDir)).toEqual(['asn-index.bin']); // no temp file left behind

    await writeDataset('1.0.0', 64500, 'Changed'); // same version: the index must win
    const second = await loadAsnDb({ cacheDir, dataDir });
    expect(second.lookup('1.0.0.1')?.asn).toBe(13335);
  });

  it('rebuilds when the dataset version changes', async () => {
    await loadAsnDb({ cacheDir, dataDir });
    await writeDataset('1.0.1', 64500, 'Changed');
    const db = await loadAsnDb({ cacheDir, dataDir });
    expect(db.source).toBe('fixture-asn@1.0.1');
    expect(db.lookup('1.0.0.1')).toEqual({ asn: 64500, org: 'Changed' });
    expect((await readFile(join(cacheDir, 'asn-index.bin'))).includes('fixture-asn@1.0.1')).toBe(true);
  });

  it.each([
    ['another format version', (b: Buffer) => b.fill(0xee, 4, 8)],
    ['a bad magic number', (b: Buffer) => b.fill(0, 0, 4)],
    ['a truncated file', (b: Buffer) => b.subarray(0, b.length - 1)],
    ['a garbled header', (b: Buffer) => b.fill(0x7b, 16, 24)],
  ])('rebuilds an index with %s', async (_, corrupt) => {
    await loadAsnDb({ cacheDir, dataDir });
    const file = join(cacheDir, 'asn-index.bin');
    await writeFile(file, corrupt(await readFile(file)));
    await writeDataset('1.0.0', 64500, 'Changed');
    expect((await loadAsnDb({ cacheDir, dataDir })).lookup('1.0.0.1')?.asn).toBe(64500);
    expect((await loadAsnDb({ cacheDir, dataDir })).lookup('1.0.0.1')?.asn).toBe(64500);
  });

  it('still works in memory when the cache dir cannot be written', async () => {
    await writeFile(join(tmp, 'a-file'), '');
    const db = await loadAsnDb({ cacheDir: join(tmp, 'a-file', 'cache'), dataDir });
    expect(db.lookup('1.0.0.1')?.asn).toBe(13335);
  });

  it('uses $SINGLEPATH_CACHE_DIR when no cacheDir is given', async () => {
    vi.stubEnv('SINGLEPATH_CACHE_DIR', join(tmp, 'from-env'));
    await loadAsnDb({ dataDir });
    expect((await stat(join(tmp, 'from-env', 'asn-index.bin'))).isFile()).toBe(true);
  });

  it('defaults to .cache in the package root', async () => {
    vi.stubEnv('SINGLEPATH_CACHE_DIR', '');
    expect(await resolveCacheDir(undefined)).toBe(resolve(import.meta.dirname, '..', '.cache'));
  });

  it('fingerprints a data dir without package.json by its files', async () => {
    await writeDataset(null, 13335);
    const db = await loadAsnDb({ cacheDir, dataDir });
    expect(db.source).toContain(dataDir);
    expect(db.lookup('1.0.0.1')?.asn).toBe(13335);
  });

  it('fails with a clear error on a missing or malformed dataset', async () => {
    await expect(loadAsnDb({ cacheDir, dataDir: join(tmp, 'nope') })).rejects.toThrow(ConfigError);
    await writeFile(join(dataDir, 'asn-ipv4-num.csv'), '16777216,16777471,13335,ok\n1,2,x,bad\n');
    await expect(loadAsnDb({ cacheDir, dataDir })).rejects.toThrow(/asn-ipv4-num\.csv:2: non-numeric/);
  });
});

describe('buildAsnIndex', () => {
  it('writes the index and reports where and how long', async () => {
    const { path, ms } = await buildAsnIndex({ cacheDir, dataDir });
    expect(path).toBe(join(cacheDir, 'asn-index.bin'));
    expect(ms).toBeGreaterThanOrEqual(0);
    expect((await stat(path)).size).toBeGreaterThan(0);
  });

  it('throws when the index cannot be written', async () => {
    await writeFile(join(tmp, 'a-file'), '');
    await expect(buildAsnIndex({ cacheDir: join(tmp, 'a-file'), dataDir })).rejects.toThrow(/ENOTDIR|EEXIST/);
  });
});
