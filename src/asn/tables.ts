import type { AsnTables } from './format.js';
import { normalizeRanges, type RawRange } from './ranges.js';

const MASK32 = 0xffffffffn;

function packV4(ranges: RawRange[]): Pick<AsnTables, 'v4Starts' | 'v4Ends' | 'v4Asns'> {
  const v4Starts = new Uint32Array(ranges.length);
  const v4Ends = new Uint32Array(ranges.length);
  const v4Asns = new Uint32Array(ranges.length);
  ranges.forEach((r, i) => {
    v4Starts[i] = Number(r.start);
    v4Ends[i] = Number(r.end);
    v4Asns[i] = r.asn;
  });
  return { v4Starts, v4Ends, v4Asns };
}

function setWords(target: Uint32Array, index: number, value: bigint): void {
  for (let w = 0; w < 4; w++) target[index * 4 + w] = Number((value >> BigInt(96 - 32 * w)) & MASK32);
}

function packV6(ranges: RawRange[]): Pick<AsnTables, 'v6Starts' | 'v6Ends' | 'v6Asns'> {
  const v6Starts = new Uint32Array(ranges.length * 4);
  const v6Ends = new Uint32Array(ranges.length * 4);
  const v6Asns = new Uint32Array(ranges.length);
  ranges.forEach((r, i) => {
    setWords(v6Starts, i, r.start);
    setWords(v6Ends, i, r.end);
    v6Asns[i] = r.asn;
  });
  return { v6Starts, v6Ends, v6Asns };
}

/** One org string per ASN, shared by both families; most ASNs announce many ranges. */
function packOrgs(orgs: Map<number, string>): Pick<AsnTables, 'asnIds' | 'orgOffsets' | 'orgBytes'> {
  const asnIds = Uint32Array.from([...orgs.keys()].sort((a, b) => a - b));
  const orgOffsets = new Uint32Array(asnIds.length + 1);
  const encoder = new TextEncoder();
  const chunks = Array.from(asnIds, (asn) => encoder.encode(orgs.get(asn)!));
  chunks.forEach((chunk, i) => {
    orgOffsets[i + 1] = orgOffsets[i]! + chunk.length;
  });
  const orgBytes = new Uint8Array(orgOffsets[asnIds.length]!);
  chunks.forEach((chunk, i) => {
    orgBytes.set(chunk, orgOffsets[i]!);
  });
  return { asnIds, orgOffsets, orgBytes };
}

export function buildTables(
  dataset: string,
  v4: RawRange[],
  v6: RawRange[],
  orgs: Map<number, string>,
): AsnTables {
  return {
    dataset,
    ...packV4(normalizeRanges(v4)),
    ...packV6(normalizeRanges(v6)),
    ...packOrgs(orgs),
  };
}
