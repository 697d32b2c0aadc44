import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from '../../errors.js';

// Where a walk down the DNS tree starts: the root servers. Built in from IANA's root hints
// (named.root, the file BIND and Unbound ship), or read from a file in that format
// (--root-hints) for a private root or a lab.

export interface RootServer {
  host: string;
  /** IPv4 first, then IPv6. */
  addresses: string[];
}

/** IANA's root servers (www.internic.net/domain/named.root, b.root-servers.net renumbered 2023). */
export const IANA_ROOT: readonly RootServer[] = Object.freeze(
  (
    [
      ['a', '198.41.0.4', '2001:503:ba3e::2:30'],
      ['b', '170.247.170.2', '2801:1b8:10::b'],
      ['c', '192.33.4.12', '2001:500:2::c'],
      ['d', '199.7.91.13', '2001:500:2d::d'],
      ['e', '192.203.230.10', '2001:500:a8::e'],
      ['f', '192.5.5.241', '2001:500:2f::f'],
      ['g', '192.112.36.4', '2001:500:12::d0d'],
      ['h', '198.97.190.53', '2001:500:1::53'],
      ['i', '192.36.148.17', '2001:7fe::53'],
      ['j', '192.58.128.30', '2001:503:c27::2:30'],
      ['k', '193.0.14.129', '2001:7fd::1'],
      ['l', '199.7.83.42', '2001:500:9f::42'],
      ['m', '202.12.27.33', '2001:dc3::35'],
    ] as const
  ).map(([l, v4, v6]) => ({ host: `${l}.root-servers.net`, addresses: [v4, v6] })),
);

/**
 * Parses a root hints file: `.  NS  name` lines name the servers, `name  A|AAAA  address` lines
 * give their addresses (a TTL and class IN may stand between owner and type; `;` starts a
 * comment). Throws a ConfigError naming the line of anything else.
 */
export function parseRootHints(text: string, source = 'root hints'): RootServer[] {
  const names: string[] = [];
  const addresses = new Map<string, string[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/;.*$/, '').trim();
    if (!line) continue;
    const fields = line.split(/\s+/);
    const where = `${source} line ${i + 1}`;
    const owner = fields[0]!.toLowerCase();
    let k = 1;
    if (/^\d+$/.test(fields[k] ?? '')) k++;
    if ((fields[k] ?? '').toUpperCase() === 'IN') k++;
    const type = (fields[k] ?? '').toUpperCase();
    const data = fields[k + 1];
    if (!data || fields.length > k + 2)
      throw new ConfigError(`${where}: expected "OWNER [TTL] [IN] TYPE DATA", got "${line.slice(0, 80)}"`);
    if (type === 'NS') {
      if (owner !== '.')
        throw new ConfigError(`${where}: NS records in root hints belong to "." (got ${owner.slice(0, 80)})`);
      names.push(host(data));
    } else if (type === 'A' || type === 'AAAA') {
      const family = isIP(data);
      if ((type === 'A' && family !== 4) || (type === 'AAAA' && family !== 6))
        throw new ConfigError(
          `${where}: "${data.slice(0, 60)}" is not an IPv${type === 'A' ? 4 : 6} address`,
        );
      const list = addresses.get(host(owner)) ?? [];
      // The form replies come from (lower case, compressed), so they match the address asked.
      list.push(family === 6 ? new URL(`http://[${data}]`).hostname.slice(1, -1) : data);
      addresses.set(host(owner), list);
    } else throw new ConfigError(`${where}: unexpected record type ${type.slice(0, 20)} (NS, A, AAAA only)`);
  }
  const servers = [...new Set(names)].map((h) => ({
    host: h,
    addresses: (addresses.get(h) ?? []).sort((a, b) => isIP(a) - isIP(b)),
  }));
  if (!servers.some((s) => s.addresses.length > 0))
    throw new ConfigError(
      `${source}: no root server with an address (need ". NS name" and "name A address")`,
    );
  return servers.filter((s) => s.addresses.length > 0);
}

export function readRootHints(file: string): RootServer[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read --root-hints ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  return parseRootHints(text, file);
}

function host(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
