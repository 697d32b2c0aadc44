// Which addresses a probe must not be steered to by DNS: an answer is attacker-controlled, and
// a name pointing at 10.0.0.5 or 169.254.169.254 would turn the audit into a request forgery
// against the machine's own network or its cloud's metadata service (SSRF).
import { type IpRange, inRange, type ParsedIp, parseCidr, parseIp } from './ip.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'metadata'
  | 'reserved';

type Rule = [cidr: string, cls: Exclude<AddressClass, 'public'>];

// Most specific first: the first rule that contains the address decides. Documentation and
// benchmarking ranges (192.0.2.0/24, 198.18.0.0/15, 2001:db8::/32...) are left public: nothing
// answers there, so a probe of them is harmless, and examples and tests use them as "public".
const V4_RULES: Rule[] = [
  // Cloud instance metadata and platform endpoints (AWS/GCP/Azure/OCI/DO/OpenStack IMDS, AWS ECS
  // task metadata and EKS pod identity, Alibaba Cloud, Azure's wireserver which is not even in
  // a private range).
  ['169.254.169.254/32', 'metadata'],
  ['169.254.170.2/32', 'metadata'],
  ['169.254.170.23/32', 'metadata'],
  ['100.100.100.200/32', 'metadata'],
  ['168.63.129.16/32', 'metadata'],
  ['0.0.0.0/8', 'reserved'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['224.0.0.0/4', 'reserved'],
  ['240.0.0.0/4', 'reserved'],
];

const V6_RULES: Rule[] = [
  // AWS IMDS and EKS pod identity over IPv6 (inside fc00::/7, named apart for the message).
  ['fd00:ec2::254/128', 'metadata'],
  ['fd00:ec2::23/128', 'metadata'],
  ['::/128', 'reserved'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001::/32', 'reserved'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'reserved'],
];

/** Prefixes that carry an IPv4 address in their low 32 bits: judged by that address. */
const MAPPED = ['::ffff:0:0/96', '64:ff9b::/96'];
/** IPv4-compatible (deprecated, RFC 4291): never routable, but say which range it names. */
const COMPATIBLE = '::/96';
/** 6to4 carries it in bits 16-47. */
const SIX_TO_FOUR = '2002::/16';
/** Everything in IPv6 that is not special is allocated out of 2000::/3; the rest is reserved. */
const GLOBAL_UNICAST = '2000::/3';

function compile(rules: Rule[]): [IpRange, Exclude<AddressClass, 'public'>][] {
  return rules.map(([cidr, cls]) => [parseCidr(cidr)!, cls]);
}

const V4 = compile(V4_RULES);
const V6 = compile(V6_RULES);
const EMBED = MAPPED.map((c) => parseCidr(c)!);
const COMPAT = parseCidr(COMPATIBLE)!;
const SIX4 = parseCidr(SIX_TO_FOUR)!;
const GLOBAL = parseCidr(GLOBAL_UNICAST)!;

function classifyV4(value: bigint): AddressClass {
  const ip: ParsedIp = { family: 4, value };
  return V4.find(([range]) => inRange(ip, range))?.[1] ?? 'public';
}

/**
 * The range an address is in. IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 addresses are judged
 * by the IPv4 address they carry. Anything that does not parse as an IP is 'reserved': this
 * answers "may we connect here", and the answer for nonsense is no.
 */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseIp(ip.trim());
  if (!parsed) return 'reserved';
  if (parsed.family === 4) return classifyV4(parsed.value);
  if (EMBED.some((r) => inRange(parsed, r))) return classifyV4(parsed.value & 0xffffffffn);
  const special = V6.find(([range]) => inRange(parsed, range))?.[1];
  if (special) return special;
  if (inRange(parsed, COMPAT)) {
    const v4 = classifyV4(parsed.value & 0xffffffffn);
    return v4 === 'public' ? 'reserved' : v4;
  }
  if (inRange(parsed, SIX4)) return classifyV4((parsed.value >> 80n) & 0xffffffffn);
  return inRange(parsed, GLOBAL) ? 'public' : 'reserved';
}

export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === 'public';
}
