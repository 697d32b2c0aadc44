import type { RawRange } from './ranges.js';

const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;
const UINT = /^\d+$/;

/** `org` field: plain, or double-quoted with `""` escaping a quote (RFC 4180). */
function unquote(field: string): string | null {
  if (!field.startsWith('"')) return field;
  if (field.length < 2 || !field.endsWith('"')) return null;
  const inner = field.slice(1, -1);
  return inner.replace(/""/g, '"');
}

/**
 * Parses `start,end,asn,org` rows with integer bounds (the `*-num.csv` files). Org names go
 * into `orgs` keyed by ASN (first one wins). Throws with file and line on a malformed row, so
 * a changed upstream format fails the build loudly instead of producing a silently wrong index.
 */
export function parseAsnCsv(
  text: string,
  family: 4 | 6,
  file: string,
  orgs: Map<number, string>,
): RawRange[] {
  const out: RawRange[] = [];
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    const bad = (why: string): Error => new Error(`${file}:${lineNo}: ${why}: ${line.slice(0, 120)}`);
    if (c1 < 0 || c2 < 0 || c3 < 0) throw bad('expected start,end,asn,org');
    const start = line.slice(0, c1);
    const end = line.slice(c1 + 1, c2);
    const asnText = line.slice(c2 + 1, c3);
    if (!UINT.test(start) || !UINT.test(end) || !UINT.test(asnText)) throw bad('non-numeric field');
    const range = { start: BigInt(start), end: BigInt(end), asn: Number(asnText) };
    if (range.end > MAX[family] || range.start > range.end) throw bad('bounds out of order or range');
    if (range.asn > 0xffffffff) throw bad('ASN above 32 bits');
    const org = unquote(line.slice(c3 + 1));
    if (org === null) throw bad('unterminated quoted org');
    if (!orgs.has(range.asn)) orgs.set(range.asn, org);
    out.push(range);
  }
  return out;
}
