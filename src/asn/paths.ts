import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../package-root.js';

export const DATASET_PACKAGE = '@ip-location-db/asn';
export const CSV_FILES = { 4: 'asn-ipv4-num.csv', 6: 'asn-ipv6-num.csv' } as const;
export const INDEX_FILE = 'asn-index.bin';

export function resolveDataDir(dataDir: string | undefined): string {
  if (dataDir) return dataDir;
  try {
    return dirname(createRequire(import.meta.url).resolve(`${DATASET_PACKAGE}/package.json`));
  } catch (err) {
    throw new ConfigError(`ASN dataset ${DATASET_PACKAGE} is not installed (${(err as Error).message})`);
  }
}

/**
 * `name@version` of the dataset, recorded in the index so that upgrading the package
 * invalidates it. A bare directory without package.json falls back to the CSVs' size and mtime.
 */
export async function datasetVersion(dataDir: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(dataDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    if (typeof pkg.version === 'string') return `${String(pkg.name ?? DATASET_PACKAGE)}@${pkg.version}`;
  } catch {
    // fall through to the file fingerprint
  }
  try {
    const stats = await Promise.all(Object.values(CSV_FILES).map((f) => stat(join(dataDir, f))));
    return `${dataDir}#${stats.map((s) => `${s.size}:${Math.trunc(s.mtimeMs)}`).join(',')}`;
  } catch (err) {
    throw new ConfigError(
      `ASN dataset not found in ${dataDir} (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
}

/** Cache directory from option, environment or package root; null means keep the index in memory. */
export async function resolveCacheDir(cacheDir: string | undefined): Promise<string | null> {
  if (cacheDir) return cacheDir;
  const fromEnv = process.env.SINGLEPATH_CACHE_DIR;
  if (fromEnv) return fromEnv;
  try {
    return join(packageRoot(), '.cache');
  } catch {
    return null;
  }
}
