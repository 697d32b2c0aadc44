import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../../errors.js';
import { parseIp } from '../../net/ip.js';

// EDNS Client Subnet (RFC 7871): the client subnet a resolver is asked to answer for. It is a
// label inside the query: we never send a packet to that address.

/** EDNS option code of ECS (RFC 7871 section 6). */
export const ECS_OPTION_CODE = 8 as const;

export interface EcsSubnet {
  /** 1 = IPv4, 2 = IPv6 (IANA address family numbers). */
  family: 1 | 2;
  /** SOURCE PREFIX-LENGTH. */
  prefix: number;
  /** The address truncated to ceil(prefix / 8) bytes, bits past the prefix zeroed (section 6). */
  address: Buffer;
  /** Canonical text, "203.0.113.0/24" or "2001:db8::/48": cache key and label. */
  text: string;
}

/** What an ECS option in a reply says. */
export interface EcsReply {
  family: number;
  prefix: number;
  /** SCOPE PREFIX-LENGTH: how much of the subnet the answer depends on (0 = not at all). */
  scope: number;
  address: Buffer;
}

/** Parses "a.b.c.d/n" or "v6::/n"; host bits past the prefix are cleared. */
export function parseSubnet(spec: string): EcsSubnet {
  const bad = (why: string) => new ConfigError(`invalid client subnet "${spec}": ${why}`);
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(spec.trim());
  if (!m) throw bad('expected ADDRESS/PREFIX such as 203.0.113.0/24 or 2001:db8::/48');
  const [, ip, len] = m as unknown as [string, string, string];
  const family = isIPv4(ip) ? 1 : isIPv6(ip) && !ip.includes('%') ? 2 : 0;
  if (family === 0) throw bad('not an IPv4 or IPv6 address');
  const max = family === 1 ? 32 : 128;
  const prefix = Number(len);
  if (prefix < 1 || prefix > max) throw bad(`prefix length must be 1-${max}`);
  const full = addressBytes(ip, family);
  if (!full) throw bad('not an IPv4 or IPv6 address');
  const address = truncate(full, prefix);
  return { family, prefix, address, text: `${formatAddress(address, family)}/${prefix}` };
}

/** The ECS option for an OPT record, as dns-packet takes a raw option (code + data, no ip). */
export function ecsOption(subnet: EcsSubnet): { code: typeof ECS_OPTION_CODE; ip: undefined; data: Buffer } {
  const data = Buffer.alloc(4 + subnet.address.length);
  data.writeUInt16BE(subnet.family, 0);
  data.writeUInt8(subnet.prefix, 2);
  data.writeUInt8(0, 3); // SCOPE PREFIX-LENGTH must be 0 in queries
  subnet.address.copy(data, 4);
  return { code: ECS_OPTION_CODE, ip: undefined, data };
}

/** Decodes the option data of an ECS option; null when malformed (hostile input stays data). */
export function decodeEcs(data: Buffer): EcsReply | null {
  if (data.length < 4) return null;
  const family = data.readUInt16BE(0);
  const prefix = data.readUInt8(2);
  const scope = data.readUInt8(3);
  const max = family === 1 ? 32 : family === 2 ? 128 : -1;
  if (max < 0 || prefix > max || scope > max) return null;
  const address = data.subarray(4);
  if (address.length !== Math.ceil(prefix / 8)) return null;
  return { family, prefix, scope, address: Buffer.from(address) };
}

/**
 * RFC 7871 section 7.3: a reply's FAMILY, SOURCE PREFIX-LENGTH and address bits must match the
 * query's; a reply that does not is not an answer for our subnet.
 */
export function ecsMatches(reply: EcsReply, sent: EcsSubnet): boolean {
  return (
    reply.family === sent.family &&
    reply.prefix === sent.prefix &&
    truncate(reply.address, sent.prefix).equals(sent.address)
  );
}

function addressBytes(ip: string, family: 1 | 2): Buffer | null {
  const parsed = parseIp(ip);
  // An IPv4-mapped IPv6 address parses as IPv4: refuse it rather than guess a family.
  if (!parsed || parsed.family !== (family === 1 ? 4 : 6)) return null;
  const width = family === 1 ? 4 : 16;
  const out = Buffer.alloc(width);
  let value = parsed.value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}

function truncate(bytes: Buffer, prefix: number): Buffer {
  const out = Buffer.from(bytes.subarray(0, Math.ceil(prefix / 8)));
  const rest = prefix % 8;
  if (rest !== 0 && out.length > 0) out[out.length - 1]! &= (0xff << (8 - rest)) & 0xff;
  return out;
}

function formatAddress(truncated: Buffer, family: 1 | 2): string {
  const full = Buffer.alloc(family === 1 ? 4 : 16);
  truncated.copy(full);
  if (family === 1) return [...full].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(full.readUInt16BE(i).toString(16));
  // Compressed, lower-case form via the URL parser (RFC 5952), as resolver-address does.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
