import { join } from 'node:path';
import { type IpRange, parseCidr } from '../net/ip.js';
import { packageRoot } from '../package-root.js';

// The normalised form of a provider's published address list, shared by `update-data` (which
// writes it) and the catalogue loader (which reads it back as extra CIDR signals).

export type WebLayer = 'cdn' | 'cloud';

/** One group of a published list: every CIDR in it has the same provider, layer, service and region. */
export interface RangeSet {
  provider: string;
  layer: WebLayer;
  service?: string;
  region?: string;
  cidrs: string[];
}

/** A cached list as loaded: its sets, tagged with the source that published them. */
export interface PublishedRangeSet extends RangeSet {
  source: string;
}

export const GENERATED_BY = 'singlepath update-data';
export const FORMAT_VERSION = 1;

export interface RangeCounts {
  cidrs: number;
  ipv4: number;
  ipv6: number;
  sets: number;
}

/** The cached file: a header saying where and when it came from, then the sets. */
export interface RangesFile {
  $comment: string;
  generatedBy: typeof GENERATED_BY;
  format: typeof FORMAT_VERSION;
  source: string;
  url: string;
  fetchedAt: string;
  counts: RangeCounts;
  sets: RangeSet[];
}

export function countRanges(sets: RangeSet[]): RangeCounts {
  let ipv4 = 0;
  let ipv6 = 0;
  for (const s of sets) for (const c of s.cidrs) c.includes(':') ? ipv6++ : ipv4++;
  return { cidrs: ipv4 + ipv6, ipv4, ipv6, sets: sets.length };
}

export function rangesFileName(source: string): string {
  return `${source}.json`;
}

/** `$SINGLEPATH_CACHE_DIR/ranges` (the same cache root as the ASN index), else `<package root>/.cache/ranges`. */
export function defaultRangesDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SINGLEPATH_CACHE_DIR;
  return root ? join(root, 'ranges') : join(packageRoot(), '.cache', 'ranges');
}

function setKey(s: Omit<RangeSet, 'cidrs'>): string {
  return [s.provider, s.layer, s.service ?? '', s.region ?? ''].join('\u0000');
}

function compareRange(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.bits - b.bits;
}

function sortCidrs(cidrs: string[]): string[] {
  return cidrs
    .map((c) => ({ c, r: parseCidr(c)! }))
    .sort((x, y) => compareRange(x.r, y.r))
    .map((x) => x.c);
}

/**
 * Groups entries by provider/layer/service/region, drops duplicate CIDRs (lower-case) and sorts
 * everything, so a file only changes when the published data does. CIDRs must be valid already.
 */
export function groupRanges(entries: Iterable<Omit<RangeSet, 'cidrs'> & { cidr: string }>): RangeSet[] {
  const groups = new Map<string, RangeSet & { seen: Set<string> }>();
  for (const { cidr, ...attrs } of entries) {
    const key = setKey(attrs);
    let g = groups.get(key);
    if (!g) {
      g = { ...stripUndefined(attrs), cidrs: [], seen: new Set() };
      groups.set(key, g);
    }
    const c = cidr.toLowerCase();
    if (!g.seen.has(c)) {
      g.seen.add(c);
      g.cidrs.push(c);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { seen: _seen, ...set }]) => ({ ...set, cidrs: sortCidrs(set.cidrs) }));
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
