/** An address range with bigint bounds, so one code path serves IPv4 and IPv6 at build time. */
export interface RawRange {
  start: bigint;
  end: bigint;
  asn: number;
}

function byStart(a: RawRange, b: RawRange): number {
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  // Wider first, so a nested range comes after the one it refines.
  return a.end === b.end ? 0 : a.end > b.end ? -1 : 1;
}

/**
 * Turns possibly overlapping ranges into sorted, disjoint ones, so a lookup needs one binary
 * search and one end check. Where ranges overlap the later-starting (more specific) one wins
 * and the outer range resumes after it. The dataset has such overlaps (one in IPv4 at the
 * time of writing). Adjacent ranges of the same ASN are merged to shrink the index.
 */
export function normalizeRanges(input: RawRange[]): RawRange[] {
  let sorted = true;
  for (let i = 1; i < input.length && sorted; i++) sorted = byStart(input[i - 1]!, input[i]!) <= 0;
  const ranges = sorted ? input : [...input].sort(byStart);

  const out: RawRange[] = [];
  const emit = (start: bigint, end: bigint, asn: number): void => {
    if (start > end) return;
    const last = out[out.length - 1];
    if (last && last.asn === asn && last.end + 1n === start) last.end = end;
    else out.push({ start, end, asn });
  };
  // Ranges that have started and not yet ended, innermost on top; `cursor` is the first
  // address not yet emitted.
  const open: RawRange[] = [];
  let cursor = 0n;
  const closeUntil = (limit: bigint): void => {
    while (open.length > 0 && open[open.length - 1]!.end < limit) {
      const top = open.pop()!;
      emit(cursor, top.end, top.asn);
      if (top.end + 1n > cursor) cursor = top.end + 1n;
    }
  };
  for (const r of ranges) {
    if (r.start > r.end) throw new Error(`range start ${r.start} is after its end ${r.end}`);
    closeUntil(r.start);
    const outer = open[open.length - 1];
    if (outer) emit(cursor, r.start - 1n, outer.asn);
    open.push(r);
    cursor = r.start;
  }
  closeUntil(1n << 129n);
  return out;
}
