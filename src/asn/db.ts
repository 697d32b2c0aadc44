import type { AsnTables } from './format.js';
import { ipToBigInt, mappedIPv4, parseIPv4, parseIPv6 } from './ip.js';
import type { RawRange } from './ranges.js';
import { buildTables } from './tables.js';
import type { AsnDb, AsnInfo, AsnRow } from './types.js';

/** Index of the last element <= value in a sorted array, or -1. */
function floor(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) {
      hit = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return hit;
}

/** Compares the 128-bit value at `index` of a 4-words-per-entry array with `w`. */
function compare128(words: Uint32Array, index: number, w: number[]): number {
  const base = index * 4;
  for (let k = 0; k < 4; k++) {
    const d = words[base + k]! - w[k]!;
    if (d !== 0) return d;
  }
  return 0;
}

function floor128(starts: Uint32Array, w: number[]): number {
  let lo = 0;
  let hi = starts.length / 4 - 1;
  let hit = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compare128(starts, mid, w) <= 0) {
      hit = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return hit;
}

class TableAsnDb implements AsnDb {
  readonly source: string;
  readonly ranges: number;
  readonly #t: AsnTables;
  // Org names are decoded on first use: most runs look up a few hundred ASNs out of ~100k.
  readonly #orgs: (string | undefined)[];
  readonly #decoder = new TextDecoder();

  constructor(tables: AsnTables) {
    this.#t = tables;
    this.source = tables.dataset;
    this.ranges = tables.v4Asns.length + tables.v6Asns.length;
    this.#orgs = new Array(tables.asnIds.length);
  }

  lookup(ip: string): AsnInfo | null {
    if (typeof ip !== 'string') return null;
    const v4 = parseIPv4(ip);
    if (v4 >= 0) return this.#lookup4(v4);
    if (!ip.includes(':')) return null;
    const words = parseIPv6(ip);
    if (!words) return null;
    const mapped = mappedIPv4(words);
    return mapped >= 0 ? this.#lookup4(mapped) : this.#lookup6(words);
  }

  #lookup4(value: number): AsnInfo | null {
    const i = floor(this.#t.v4Starts, value);
    return i >= 0 && this.#t.v4Ends[i]! >= value ? this.#info(this.#t.v4Asns[i]!) : null;
  }

  #lookup6(words: number[]): AsnInfo | null {
    const i = floor128(this.#t.v6Starts, words);
    return i >= 0 && compare128(this.#t.v6Ends, i, words) >= 0 ? this.#info(this.#t.v6Asns[i]!) : null;
  }

  #info(asn: number): AsnInfo {
    const i = floor(this.#t.asnIds, asn);
    if (i < 0 || this.#t.asnIds[i] !== asn) return { asn, org: '' };
    let org = this.#orgs[i];
    if (org === undefined) {
      const { orgOffsets, orgBytes } = this.#t;
      org = this.#decoder.decode(orgBytes.subarray(orgOffsets[i]!, orgOffsets[i + 1]!));
      this.#orgs[i] = org;
    }
    return { asn, org };
  }
}

export function openTables(tables: AsnTables): AsnDb {
  return new TableAsnDb(tables);
}

/** A db from a few rows given as IP strings (tests, fixtures). Throws on a bad row. */
export function createAsnDb(rows: AsnRow[], source = 'inline'): AsnDb {
  const v4: RawRange[] = [];
  const v6: RawRange[] = [];
  const orgs = new Map<number, string>();
  for (const row of rows) {
    const start = ipToBigInt(row.start);
    const end = ipToBigInt(row.end);
    if (!start || !end || start.family !== end.family) {
      throw new Error(`bad ASN row ${JSON.stringify(row)}: start and end must be IPs of one family`);
    }
    if (!Number.isInteger(row.asn) || row.asn < 0 || row.asn > 0xffffffff) {
      throw new Error(`bad ASN row ${JSON.stringify(row)}: asn must be a 32-bit unsigned integer`);
    }
    (start.family === 4 ? v4 : v6).push({ start: start.value, end: end.value, asn: row.asn });
    if (!orgs.has(row.asn)) orgs.set(row.asn, row.org);
  }
  return openTables(buildTables(source, v4, v6, orgs));
}
