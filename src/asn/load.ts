import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { parseAsnCsv } from './csv.js';
import { openTables } from './db.js';
import { type AsnTables, decodeIndex, encodeIndex } from './format.js';
import { CSV_FILES, datasetVersion, INDEX_FILE, resolveCacheDir, resolveDataDir } from './paths.js';
import { buildTables } from './tables.js';
import type { AsnDb, AsnDbOptions } from './types.js';

async function tablesFromCsv(dataDir: string, dataset: string): Promise<AsnTables> {
  const orgs = new Map<number, string>();
  const read = async (family: 4 | 6) => {
    const file = join(dataDir, CSV_FILES[family]);
    return parseAsnCsv(await readFile(file, 'utf8'), family, file, orgs);
  };
  const v4 = await read(4);
  const v6 = await read(6);
  return buildTables(dataset, v4, v6, orgs);
}

/** The folder, then an atomic write: a concurrent reader sees the old index or the new one, never half. */
async function writeIndex(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  writeFileAtomic(file, bytes);
}

async function readIndex(file: string, dataset: string): Promise<AsnTables | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }
  const tables = decodeIndex(bytes);
  return tables && tables.dataset === dataset ? tables : null;
}

/**
 * Opens the IP -> ASN db from the binary index, (re)building it from the dataset CSVs when it
 * is missing, corrupt, of another format or of another dataset version. The cache is only an
 * optimisation: if it cannot be written the db is built in memory and returned all the same.
 */
export async function loadAsnDb(opts: AsnDbOptions = {}): Promise<AsnDb> {
  const dataDir = resolveDataDir(opts.dataDir);
  const dataset = await datasetVersion(dataDir);
  const cacheDir = await resolveCacheDir(opts.cacheDir);
  const file = cacheDir ? join(cacheDir, INDEX_FILE) : null;
  const cached = file ? await readIndex(file, dataset) : null;
  if (cached) return openTables(cached);
  const tables = await tablesFromCsv(dataDir, dataset);
  if (file) await writeIndex(file, encodeIndex(tables)).catch(() => {});
  return openTables(tables);
}

/** Builds the index file unconditionally (install step); unlike loadAsnDb, a write failure throws. */
export async function buildAsnIndex(opts: AsnDbOptions = {}): Promise<{ path: string; ms: number }> {
  const started = performance.now();
  const dataDir = resolveDataDir(opts.dataDir);
  const cacheDir = await resolveCacheDir(opts.cacheDir);
  if (!cacheDir) throw new ConfigError('no cache directory: pass cacheDir or set SINGLEPATH_CACHE_DIR');
  const path = join(cacheDir, INDEX_FILE);
  const tables = await tablesFromCsv(dataDir, await datasetVersion(dataDir));
  await writeIndex(path, encodeIndex(tables));
  return { path, ms: Math.round(performance.now() - started) };
}
