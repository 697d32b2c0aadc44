import { normalizeRanges, type RawRange } from '../asn/ranges.js';
import { type IpRange, type ParsedIp, parseCidr } from '../net/ip.js';
import type { PublishedRangeSet, WebLayer } from './published.js';

// Published ranges are many (AWS alone lists thousands) and overlap legitimately, so they do
// not join the hand-written CIDR rules and their pairwise clash check. They are flattened into
// sorted, disjoint intervals per family (the most specific range wins; for the very same range
// the earlier set wins) and found with one binary search.

export interface PublishedRule {
  provider: string;
  layer: WebLayer;
  service?: string;
  region?: string;
  cidr: string;
  bits: number;
  source: string;
}

interface FamilyIndex {
  starts: bigint[];
  ends: bigint[];
  rules: number[];
}

export interface RangeOwner {
  provider: string;
  cidr: string;
  range: IpRange;
  /** Source name for published ranges; undefined for hand-written catalogue rules. */
  source?: string;
}

function buildFamily(raw: RawRange[]): FamilyIndex {
  const flat = normalizeRanges(raw);
  return { starts: flat.map((r) => r.start), ends: flat.map((r) => r.end), rules: flat.map((r) => r.asn) };
}

export class PublishedIndex {
  readonly rules: PublishedRule[] = [];
  private readonly ranges: IpRange[] = [];
  private readonly families: Record<4 | 6, FamilyIndex>;

  constructor(sets: readonly PublishedRangeSet[]) {
    const raw: Record<4 | 6, RawRange[]> = { 4: [], 6: [] };
    for (const set of sets) {
      for (const cidr of set.cidrs) {
        const range = parseCidr(cidr);
        if (!range) continue;
        const { cidrs: _c, ...attrs } = set;
        this.rules.push({ ...attrs, cidr, bits: range.bits });
        this.ranges.push(range);
        raw[range.family].push({ start: range.start, end: range.end, asn: this.rules.length - 1 });
      }
    }
    // normalizeRanges lets the later of two equal ranges win; the earlier set should.
    this.families = { 4: buildFamily(raw[4].reverse()), 6: buildFamily(raw[6].reverse()) };
  }

  get size(): number {
    return this.rules.length;
  }

  lookup(ip: ParsedIp): PublishedRule | undefined {
    const f = this.families[ip.family];
    let lo = 0;
    let hi = f.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (f.starts[mid]! <= ip.value) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && ip.value <= f.ends[hi]! ? this.rules[f.rules[hi]!] : undefined;
  }

  owners(): RangeOwner[] {
    return this.rules.map((r, i) => ({
      provider: r.provider,
      cidr: r.cidr,
      range: this.ranges[i]!,
      source: r.source,
    }));
  }
}

function label(o: RangeOwner): string {
  return `${o.cidr} (${o.provider}, ${o.source ? `published ${o.source}` : 'catalogue'})`;
}

/**
 * The overlap rule between providers: the same provider may overlap itself freely; where a
 * published range of one provider lies inside (or equals) a range of another, the more
 * specific wins and a warning says so; for the very same range the hand-written catalogue
 * wins, then the earlier published source. A hand-written range inside a published one is a
 * deliberate refinement (a platform on a cloud's addresses) and is not reported.
 */
export function overlapWarnings(owners: RangeOwner[], sourceOrder: readonly string[]): string[] {
  const rank = (o: RangeOwner) => {
    if (o.source === undefined) return -1;
    const i = sourceOrder.indexOf(o.source);
    return i < 0 ? sourceOrder.length : i;
  };
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const list = owners
      .filter((o) => o.range.family === family)
      .sort((a, b) =>
        a.range.start !== b.range.start
          ? a.range.start < b.range.start
            ? -1
            : 1
          : a.range.end !== b.range.end
            ? a.range.end > b.range.end
              ? -1
              : 1
            : rank(a) - rank(b),
      );
    const open: RangeOwner[] = [];
    for (const o of list) {
      while (open.length && open[open.length - 1]!.range.end < o.range.start) open.pop();
      const outer = open[open.length - 1];
      open.push(o);
      if (!outer || outer.provider === o.provider || o.source === undefined) continue;
      const same = outer.range.bits === o.range.bits;
      out.push(
        same
          ? `${label(o)} is the same range as ${label(outer)}: ${outer.provider} is kept`
          : `${label(o)} lies inside ${label(outer)}: the more specific ${o.provider} is kept`,
      );
    }
  }
  return out;
}
