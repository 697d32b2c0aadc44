import { isIP } from 'node:net';

// Addresses as bigints so IPv4 and IPv6 ranges share one comparison path.

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

export function parseIp(ip: string): ParsedIp | null {
  const family = isIP(ip);
  if (family === 4) return { family, value: v4(ip) };
  if (family !== 6) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return { family: 4, value: v4(mapped[1]!) };
  return { family, value: v6(ip) };
}

function v4(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6(ip: string): bigint {
  let text = ip.split('%')[0]!;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4(tail[1]!);
    text = text.slice(0, -tail[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

export interface IpRange {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  bits: number;
}

export function parseCidr(cidr: string): IpRange | null {
  const [ip, b] = cidr.split('/');
  const parsed = ip ? parseIp(ip) : null;
  if (!parsed || b === undefined || !/^\d+$/.test(b)) return null;
  const width = parsed.family === 4 ? 32 : 128;
  const bits = Number(b);
  if (bits > width) return null;
  const host = (1n << BigInt(width - bits)) - 1n;
  const start = parsed.value & ~host & ((1n << BigInt(width)) - 1n);
  return { family: parsed.family, start, end: start | host, bits };
}

export function inRange(ip: ParsedIp, range: IpRange): boolean {
  return ip.family === range.family && ip.value >= range.start && ip.value <= range.end;
}
