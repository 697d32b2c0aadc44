import type { RangeSet } from './published.js';

// Small helpers for the parsers: every published format is checked for the shape we rely on,
// and a surprise is a FormatError (the source is refused and its previous file kept).

export type RangeEntry = Omit<RangeSet, 'cidrs'> & { cidr: string };

/** The published document does not have the shape its parser expects. */
export class FormatError extends Error {
  override name = 'FormatError';
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new FormatError(`invalid JSON: ${(err as Error).message}`);
  }
}

export function jsonObject(body: string): Obj {
  const data = parseJson(body);
  if (!isObj(data)) throw new FormatError('expected a JSON object at the top level');
  return data;
}

export function array(obj: Obj, key: string, optional = false): unknown[] {
  const v = obj[key];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) throw new FormatError(`"${key}": expected an array`);
  return v;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || !v) throw new FormatError(`${path}: expected a non-empty string`);
  return v;
}

/** Optional string field; absent, empty or a "global" placeholder means no value. */
export function region(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const r = v.trim().toLowerCase();
  return r && r !== 'global' ? r : undefined;
}

/** "API_GATEWAY" -> "api-gateway": services in the catalogue are lower-case slugs. */
export function slug(v: string): string {
  return v
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
