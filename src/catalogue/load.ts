import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { defaultRangesDir } from '../update/published.js';
import { readRangesDir } from '../update/read.js';
import { Catalogue } from './catalogue.js';
import type { ProviderSpec } from './schema.js';
import { validateCatalogueFile } from './validate.js';

/** A user catalogue larger than this is refused rather than parsed (it is config, not data). */
export const MAX_CATALOGUE_BYTES = 8 * 1024 * 1024;

export function builtinCatalogueDir(): string {
  return join(packageRoot(), 'data', 'catalogue');
}

export function readCatalogueFile(path: string): ProviderSpec[] {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new ConfigError(`cannot read catalogue ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > MAX_CATALOGUE_BYTES)
    throw new ConfigError(`catalogue ${path} is ${size} bytes, over the ${MAX_CATALOGUE_BYTES}-byte limit`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`catalogue ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return validateCatalogueFile(data, path).providers;
}

export interface LoadCatalogueOptions {
  /** Folder of built-in *.json files (default: the package's data/catalogue). */
  dir?: string;
  /** User files adding providers or replacing built-in ones by id (--catalog). */
  extraFiles?: string[];
  /**
   * Folder of providers' published address lists written by `singlepath update-data`; their
   * ranges become extra CIDR signals. Must exist (see resolveRangesDir for the optional default).
   */
  rangesDir?: string;
}

/**
 * The ranges folder to load: the one given (e.g. --data-dir), else the default cache folder
 * when update-data has filled it, else none (classification then uses ASNs and the catalogue).
 */
export function resolveRangesDir(
  dir: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (dir) return dir;
  const fallback = defaultRangesDir(env);
  return existsSync(fallback) ? fallback : undefined;
}

/** Built-in providers, then each user file in order; a later provider with the same id replaces the earlier. */
export function loadCatalogue(opts: LoadCatalogueOptions = {}): Catalogue {
  const dir = opts.dir ?? builtinCatalogueDir();
  const byId = new Map<string, ProviderSpec>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of files) {
    for (const spec of readCatalogueFile(join(dir, file))) {
      if (byId.has(spec.id))
        throw new ConfigError(`catalogue ${join(dir, file)}: provider "${spec.id}" is defined twice`);
      byId.set(spec.id, spec);
    }
  }
  for (const file of opts.extraFiles ?? []) {
    for (const spec of readCatalogueFile(file)) byId.set(spec.id, spec);
  }
  const source = opts.extraFiles?.length ? `${dir} + ${opts.extraFiles.join(', ')}` : dir;
  const published = opts.rangesDir ? readRangesDir(opts.rangesDir) : undefined;
  const catalogue = new Catalogue([...byId.values()], source, published?.sets);
  catalogue.warnings.unshift(...(published?.warnings ?? []));
  return catalogue;
}
