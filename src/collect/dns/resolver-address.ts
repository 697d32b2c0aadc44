import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../../errors.js';

export interface ResolverAddress {
  host: string;
  port: number;
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const HELP = 'expected IP, IP:PORT, [IPv6]:PORT or IPv6';

/** Parses a `--resolver` value. Only literal IPs: a host name would need a resolver to find the resolver. */
export function parseResolver(spec: string): ResolverAddress {
  const text = spec.trim();
  const bad = (why: string) => new ConfigError(`invalid resolver "${spec}": ${why}`);
  let host: string;
  let port = '53';
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = bracket[2];
    if (!isIPv6(host)) throw bad(HELP);
  } else if (isIPv4(text) || isIPv6(text)) {
    host = text;
  } else {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    port = text.slice(colon + 1);
    if (colon < 0 || !isIPv4(host)) throw bad(HELP);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw bad('port must be 1-65535');
  }
  return { host: canonicalHost(host), port: Number(port) };
}

/** "ip:port", with brackets for IPv6 so the text parses back with parseResolver. */
export function formatResolver(r: ResolverAddress): string {
  return isIPv6(r.host) ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}

/** True for 127.0.0.0/8 and ::1, the only addresses the test lab may reach. */
export function isLoopback(host: string): boolean {
  const v4 = MAPPED.exec(host)?.[1] ?? host;
  if (isIPv4(v4)) return v4.split('.')[0] === '127';
  return isIPv6(host) && canonicalHost(host) === '::1';
}

/**
 * Nameservers from resolv.conf (our own parse: Node's dns module would read it for us but
 * also bring its resolver along). Unreadable file or bad lines are skipped, never fatal.
 */
export function readSystemResolvers(path = '/etc/resolv.conf'): ResolverAddress[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: ResolverAddress[] = [];
  for (const line of text.split('\n')) {
    const [keyword, value] = line
      .replace(/[#;].*/, '')
      .trim()
      .split(/\s+/);
    if (keyword !== 'nameserver' || !value) continue;
    // A zone id (fe80::1%eth0) is meaningful only on this host; keep it, Node's dgram accepts it.
    try {
      out.push(parseResolver(value));
    } catch {
      // resolv.conf is not ours to validate: skip the line as glibc does.
    }
  }
  return out;
}

/**
 * Compressed lower-case form, so that the address we send to compares equal to the source
 * address Node reports for the reply (rinfo.address) in the spoofing check.
 */
function canonicalHost(host: string): string {
  if (!isIPv6(host) || host.includes('%') || MAPPED.test(host)) return host.toLowerCase();
  return new URL(`http://[${host}]/`).hostname.slice(1, -1);
}
