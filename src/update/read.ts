import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { validCidr } from '../catalogue/validate.js';
import { ConfigError } from '../errors.js';
import {
  FORMAT_VERSION,
  GENERATED_BY,
  type PublishedRangeSet,
  type RangeSet,
  type RangesFile,
  rangesFileName,
} from './published.js';
import { SOURCES } from './sources.js';

// Reads the files update-data wrote. They are ours, so anything unexpected is an error naming
// the file and the fix, never a silently ignored list.

/** Far above the largest real list (AWS, a few MB) and below what would hurt to parse. */
export const MAX_RANGES_FILE_BYTES = 64 * 1024 * 1024;
const ID = /^[a-z0-9][a-z0-9-]*$/;

function fail(path: string, what: string): never {
  throw new ConfigError(
    `ranges file ${path}: ${what} (run \`singlepath update-data\` again, or delete the file)`,
  );
}

function checkSet(s: unknown, path: string, i: number): RangeSet {
  const at = `sets[${i}]`;
  if (typeof s !== 'object' || s === null) fail(path, `${at}: expected an object`);
  const set = s as Record<string, unknown>;
  if (typeof set.provider !== 'string' || !ID.test(set.provider))
    fail(path, `${at}.provider: expected an id`);
  if (set.layer !== 'cdn' && set.layer !== 'cloud') fail(path, `${at}.layer: expected "cdn" or "cloud"`);
  for (const key of ['service', 'region'])
    if (set[key] !== undefined && (typeof set[key] !== 'string' || !set[key]))
      fail(path, `${at}.${key}: expected a non-empty string`);
  if (!Array.isArray(set.cidrs)) fail(path, `${at}.cidrs: expected an array`);
  set.cidrs.forEach((c, j) => {
    if (typeof c !== 'string' || !validCidr(c)) fail(path, `${at}.cidrs[${j}]: not a CIDR block`);
  });
  return set as unknown as RangeSet;
}

export function readRangesFile(path: string, source: string): RangesFile {
  let text: string;
  try {
    if (statSync(path).size > MAX_RANGES_FILE_BYTES) fail(path, `over ${MAX_RANGES_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return fail(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(path, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || data.generatedBy !== GENERATED_BY)
    fail(path, `not written by ${GENERATED_BY}`);
  if (data.format !== FORMAT_VERSION) fail(path, `format ${String(data.format)}, expected ${FORMAT_VERSION}`);
  if (data.source !== source) fail(path, `holds source "${String(data.source)}", expected "${source}"`);
  if (!Array.isArray(data.sets)) fail(path, 'sets: expected an array');
  for (const [i, s] of data.sets.entries()) checkSet(s, path, i);
  return data as unknown as RangesFile;
}

export interface PublishedRanges {
  sets: PublishedRangeSet[];
  /** Files read, in source order. */
  files: string[];
  warnings: string[];
}

/**
 * Every cached list in `dir`, in source order (SOURCES). A missing file is simply not used;
 * a file whose `requires` companion is missing is skipped with a warning.
 */
export function readRangesDir(dir: string): PublishedRanges {
  if (!existsSync(dir)) throw new ConfigError(`ranges directory ${dir} does not exist`);
  const out: PublishedRanges = { sets: [], files: [], warnings: [] };
  const present = (name: string) => existsSync(join(dir, rangesFileName(name)));
  for (const src of SOURCES) {
    const path = join(dir, rangesFileName(src.name));
    if (!present(src.name)) continue;
    if (src.requires && !present(src.requires)) {
      out.warnings.push(`${path}: not used without ${rangesFileName(src.requires)} (its ranges overlap)`);
      continue;
    }
    const file = readRangesFile(path, src.name);
    out.files.push(path);
    for (const set of file.sets) out.sets.push({ ...set, source: src.name });
  }
  return out;
}
