// Binary index layout. Everything after the header is Uint32 (platform byte order; a file
// from a machine of the other endianness fails the magic check and is rebuilt), so loading is
// one readFile plus typed-array views, with no parsing.
//
//   u32 magic, u32 format, u32 header JSON length, u32 0, header JSON (padded to 4 bytes),
//   v4 starts[n4], v4 ends[n4], v4 asns[n4],
//   v6 starts[4*n6], v6 ends[4*n6], v6 asns[n6]   (128-bit bounds as 4 words, high first)
//   asn ids[na] (sorted), org offsets[na+1] into org bytes (UTF-8), org bytes

/** Bump whenever the layout or the normalisation of ranges changes: old files get rebuilt. */
export const FORMAT_VERSION = 1;
const MAGIC = 0x4e535053; // "SPSN" read little-endian

export interface AsnTables {
  dataset: string;
  v4Starts: Uint32Array;
  v4Ends: Uint32Array;
  v4Asns: Uint32Array;
  v6Starts: Uint32Array;
  v6Ends: Uint32Array;
  v6Asns: Uint32Array;
  asnIds: Uint32Array;
  orgOffsets: Uint32Array;
  orgBytes: Uint8Array;
}

interface Header {
  dataset: string;
  v4: number;
  v6: number;
  asns: number;
  orgBytes: number;
}

/** Word counts of the Uint32 sections, in file order. */
function sectionWords(h: Header): number[] {
  return [h.v4, h.v4, h.v4, 4 * h.v6, 4 * h.v6, h.v6, h.asns, h.asns + 1];
}

export function encodeIndex(t: AsnTables): Uint8Array {
  const header: Header = {
    dataset: t.dataset,
    v4: t.v4Asns.length,
    v6: t.v6Asns.length,
    asns: t.asnIds.length,
    orgBytes: t.orgBytes.length,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = 16 + Math.ceil(json.length / 4) * 4;
  const words = sectionWords(header).reduce((a, b) => a + b, 0);
  const out = new Uint8Array(headerBytes + words * 4 + t.orgBytes.length);
  new Uint32Array(out.buffer, 0, 4).set([MAGIC, FORMAT_VERSION, json.length, 0]);
  out.set(json, 16);
  let offset = headerBytes;
  for (const section of [
    t.v4Starts,
    t.v4Ends,
    t.v4Asns,
    t.v6Starts,
    t.v6Ends,
    t.v6Asns,
    t.asnIds,
    t.orgOffsets,
  ]) {
    out.set(new Uint8Array(section.buffer, section.byteOffset, section.byteLength), offset);
    offset += section.byteLength;
  }
  out.set(t.orgBytes, offset);
  return out;
}

function parseHeader(text: string): Header | null {
  try {
    const h = JSON.parse(text) as Partial<Header>;
    const counts = [h.v4, h.v6, h.asns, h.orgBytes];
    if (
      typeof h.dataset !== 'string' ||
      !counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
    ) {
      return null;
    }
    return h as Header;
  } catch {
    return null;
  }
}

/** Views over `bytes`, or null when it is not a complete index of this format version. */
export function decodeIndex(input: Uint8Array): AsnTables | null {
  // Typed-array views need 4-byte alignment; a Buffer sliced from Node's pool may lack it.
  const bytes = input.byteOffset % 4 === 0 ? input : input.slice();
  if (bytes.length < 16) return null;
  const [magic, format, jsonLength] = new Uint32Array(bytes.buffer, bytes.byteOffset, 4);
  if (magic !== MAGIC || format !== FORMAT_VERSION || 16 + jsonLength! > bytes.length) return null;
  const header = parseHeader(new TextDecoder().decode(bytes.subarray(16, 16 + jsonLength!)));
  if (!header) return null;
  let offset = bytes.byteOffset + 16 + Math.ceil(jsonLength! / 4) * 4;
  const words = sectionWords(header);
  const end = offset + words.reduce((a, b) => a + b, 0) * 4 + header.orgBytes;
  if (end !== bytes.byteOffset + bytes.length) return null;
  const views = words.map((n) => {
    const view = new Uint32Array(bytes.buffer, offset, n);
    offset += n * 4;
    return view;
  });
  const [v4Starts, v4Ends, v4Asns, v6Starts, v6Ends, v6Asns, asnIds, orgOffsets] = views as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  const orgBytes = new Uint8Array(bytes.buffer, offset, header.orgBytes);
  if (orgOffsets[header.asns] !== header.orgBytes) return null;
  return {
    dataset: header.dataset,
    v4Starts,
    v4Ends,
    v4Asns,
    v6Starts,
    v6Ends,
    v6Asns,
    asnIds,
    orgOffsets,
    orgBytes,
  };
}
