// Hand-written parsers: lookups run once per resolved address, and a failed parse must be a
// cheap "no" (null), never an exception. Syntax follows Node's net.isIP (no leading zeros in
// IPv4 octets, an optional IPv6 zone id), which test/asn-ip.test.ts checks differentially.

/** Dotted-quad IPv4 to its uint32 value, or -1. */
export function parseIPv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

const ZONE = /^[0-9a-zA-Z\-.:]+$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/** Appends the 16-bit groups of `parts` to `out`; an IPv4 tail is allowed only when `v4Last`. */
function groups(parts: string[], v4Last: boolean, out: number[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (v4Last && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 < 0) return false;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (HEXTET.test(part)) {
      out.push(Number.parseInt(part, 16));
    } else {
      return false;
    }
  }
  return true;
}

/** IPv6 to four uint32 words, most significant first, or null. */
export function parseIPv6(input: string): number[] | null {
  let s = input;
  const pct = s.indexOf('%');
  if (pct !== -1) {
    if (!ZONE.test(s.slice(pct + 1))) return null;
    s = s.slice(0, pct);
  }
  const gap = s.indexOf('::');
  const head: number[] = [];
  const tail: number[] = [];
  if (gap === -1) {
    if (!groups(s.split(':'), true, head) || head.length !== 8) return null;
  } else {
    if (s.indexOf('::', gap + 1) !== -1) return null;
    const left = s.slice(0, gap);
    const right = s.slice(gap + 2);
    if (left && !groups(left.split(':'), false, head)) return null;
    if (right && !groups(right.split(':'), true, tail)) return null;
    // '::' stands for at least one zero group.
    if (head.length + tail.length > 7) return null;
    while (head.length + tail.length < 8) head.push(0);
  }
  const g = head.concat(tail);
  return [g[0]! * 65536 + g[1]!, g[2]! * 65536 + g[3]!, g[4]! * 65536 + g[5]!, g[6]! * 65536 + g[7]!];
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or -1. */
export function mappedIPv4(words: number[]): number {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff ? words[3]! : -1;
}

/** An address as a bigint plus its family (mapped IPv6 counts as IPv4), or null. */
export function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | null {
  const v4 = parseIPv4(ip);
  if (v4 >= 0) return { family: 4, value: BigInt(v4) };
  const words = parseIPv6(ip);
  if (!words) return null;
  const mapped = mappedIPv4(words);
  if (mapped >= 0) return { family: 4, value: BigInt(mapped) };
  return { family: 6, value: words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n) };
}
