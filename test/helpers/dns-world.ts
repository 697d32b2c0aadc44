// A fake DNS hierarchy made of real software: a root, TLDs, providers' and customers' zones as
// zone files served by NSD, Knot and BIND on providers' real addresses, and Unbound recursing
// from the world's own root hints — all inside a network namespace with no route out (see
// netns.ts). Declarative: a test lists servers, zones and name server addresses; the delegations,
// glue and address records follow from that. Installed by scripts/install-dns-interop.sh.

import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP, isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/package-root.js';
import type { CliRun } from './cli.js';
import { nsdConfigFor } from './interop.js';
import {
  createNetns,
  findBinary,
  type Netns,
  netnsUnavailable,
  type RunOptions,
  type RunResult,
} from './netns.js';

export type Software = 'nsd' | 'knot' | 'bind';

export interface WorldServer {
  id: string;
  software: Software;
  /** Addresses it listens on (port 53); each is put on the namespace's lo. */
  ips: string[];
}

export interface WorldZone {
  /** 'example.com', 'com', '.' (no trailing dot). */
  name: string;
  /** Ids of the servers that load this zone. A name server listed in `ns` whose server is not here is lame. */
  servers: string[];
  /** The zone's own apex NS set (the child side). At least one. */
  ns: string[];
  /** The parent's delegation NS set (default `ns`); [] = the parent does not delegate the zone. */
  parentNs?: string[];
  /** Extra zone-file lines after the generated ones (owner names relative to the zone, or absolute). */
  records?: string[];
  /** SOA serial (default 1). */
  serial?: number;
  /** A server that serves its own copy: another serial, and/or extra lines appended to `records`. */
  perServer?: Record<string, { serial?: number; records?: string[] }>;
}

export interface WorldSpec {
  servers: WorldServer[];
  zones: WorldZone[];
  /**
   * Name server host name -> its addresses (A/AAAA), put in the zone that owns the name (the
   * longest zone of the spec it lies under) and as glue in parents. A name absent here has no
   * address (NXDOMAIN); an address no server listens on is an unreachable server (it is still on
   * lo, so UDP gets port-unreachable and TCP a reset, as from a live host whose daemon is down).
   */
  hosts: Record<string, string[]>;
  /**
   * Glue a parent gives for a delegation: 'registry' (default) = for every NS name below any of
   * the parent's cuts (so com gives ns1.other.com's address for example.com, as .com does);
   * 'child' = only for NS names inside the delegated zone itself.
   */
  glue?: 'registry' | 'child';
  /** Let Unbound use IPv6 name server addresses (default: IPv4 only). */
  ipv6?: boolean;
}

export interface WorldQuery {
  /** An address inside the namespace: a name server, or '127.0.0.1' for Unbound. */
  server: string;
  port?: number;
  name: string;
  type: string;
  /** Recursion desired (default false: a name server is asked as a resolver would). */
  rd?: boolean;
  /** TCP from the start (UDP otherwise, and TCP again after TC=1). */
  tcp?: boolean;
  /** EDNS UDP payload size; none by default. */
  edns?: number;
  timeoutMs?: number;
}

export interface WorldRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export interface WorldAnswer {
  query: WorldQuery;
  /** The rcode ('NOERROR', 'NXDOMAIN', 'REFUSED', ...) or 'TIMEOUT' or a socket error code ('ECONNREFUSED'). */
  status: string;
  aa: boolean;
  tc: boolean;
  ra: boolean;
  answers: WorldRecord[];
  authorities: WorldRecord[];
  additionals: WorldRecord[];
  transport: 'udp' | 'tcp';
  ms: number;
}

export interface World {
  netns: Netns;
  /** Unbound inside the namespace, "127.0.0.1:53" (for --resolver; the host's 127.0.0.1 is another). */
  resolver: string;
  /** Root hints for the world's root (BIND/Unbound format). */
  hintsFile: string;
  dir: string;
  /** The spec as served, with the default root added when the spec had none. */
  spec: WorldSpec;
  /** A zone file as generated for one server. */
  zoneFile(serverId: string, zone: string): string;
  /** Path of a server's generated config ('unbound' for the resolver's). */
  configFile(serverId: string): string;
  /** Every daemon's output so far, for failure messages. */
  logs(): string;
  /** PIDs of the daemons started, and of anything else now in the namespace. */
  pids(): number[];
  run(bin: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Asks from inside the namespace (one node process for the batch). */
  query(q: WorldQuery): Promise<WorldAnswer>;
  queryAll(qs: WorldQuery[]): Promise<WorldAnswer[]>;
  /** The built CLI inside the namespace: NO_COLOR=1, an empty data dir, no SINGLEPATH_LOOPBACK_ONLY. */
  cli(args: string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** Ends every process by PID, deletes the namespace and the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** The real a. and b.root-servers.net addresses (served by the world's 'root' server). */
export const ROOT_HOSTS: Record<string, string[]> = {
  'a.root-servers.net': ['198.41.0.4'],
  'b.root-servers.net': ['170.247.170.2'],
};

// The package root holds package.json, whether this runs from test/ (vitest) or dist/test/ (scripts).
const REPO_ROOT = packageRoot();
export const BIN = join(REPO_ROOT, 'bin', 'singlepath.js');

const DAEMONS: Record<Software | 'unbound', string> = {
  nsd: 'nsd',
  knot: 'knotd',
  bind: 'named',
  unbound: 'unbound',
};

/** null when a world can start here; otherwise what is missing (root, `ip`, a daemon). */
export function worldUnavailable(): string | null {
  const missing = Object.values(DAEMONS).filter((d) => !findBinary(d));
  if (missing.length > 0)
    return `${missing.join(', ')} not installed: run \`bash scripts/install-dns-interop.sh\``;
  return netnsUnavailable();
}

// ---- names

const norm = (name: string): string => {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === '' ? '.' : n;
};
const fqdn = (name: string): string => (name === '.' ? '.' : `${name}.`);
/** name at or below zone. */
const under = (name: string, zone: string): boolean =>
  zone === '.' || name === zone || name.endsWith(`.${zone}`);
const zoneFileName = (zone: string) => (zone === '.' ? 'root.zone' : `${zone}.zone`);

/** Names in one form (lower case, no trailing dot), and the default root when the spec has none. */
function withRoot(input: WorldSpec): WorldSpec {
  const zones = input.zones.map((z) => ({
    ...z,
    name: norm(z.name),
    ns: z.ns.map(norm),
    ...(z.parentNs ? { parentNs: z.parentNs.map(norm) } : {}),
  }));
  const hosts = Object.fromEntries(Object.entries(input.hosts).map(([h, a]) => [norm(h), a]));
  const spec = { ...input, zones, hosts };
  if (zones.some((z) => z.name === '.')) return spec;
  if (spec.servers.some((s) => s.id === 'root'))
    throw new Error('server id "root" is taken but there is no "." zone');
  return {
    ...spec,
    servers: [{ id: 'root', software: 'nsd', ips: Object.values(ROOT_HOSTS).flat() }, ...spec.servers],
    zones: [{ name: '.', servers: ['root'], ns: Object.keys(ROOT_HOSTS) }, ...zones],
    hosts: { ...ROOT_HOSTS, ...spec.hosts },
  };
}

function validate(spec: WorldSpec): void {
  const ids = new Set<string>();
  for (const s of spec.servers) {
    if (ids.has(s.id)) throw new Error(`duplicate server id ${s.id}`);
    if (!(s.software in DAEMONS) || s.software === ('unbound' as Software))
      throw new Error(`server ${s.id}: unknown software ${s.software}`);
    if (!/^[a-z0-9-]+$/i.test(s.id)) throw new Error(`server id ${s.id}: letters, digits and - only`);
    if (s.id === 'unbound' || s.id === 'no-ranges') throw new Error(`server id ${s.id} is reserved`);
    for (const a of s.ips) if (!isIP(a)) throw new Error(`server ${s.id}: ${a} is not an IP`);
    if (s.ips.some((a) => a.startsWith('127.')))
      throw new Error(`server ${s.id}: 127.0.0.0/8 is Unbound's (use a provider's real address)`);
    ids.add(s.id);
  }
  const taken = new Map<string, string>();
  for (const s of spec.servers)
    for (const a of s.ips) {
      if (taken.has(a)) throw new Error(`servers ${taken.get(a)} and ${s.id} both listen on ${a}`);
      taken.set(a, s.id);
    }
  const names = new Set<string>();
  for (const z of spec.zones) {
    if (names.has(z.name)) throw new Error(`duplicate zone ${z.name}`);
    names.add(z.name);
    if (z.ns.length === 0)
      throw new Error(`zone ${z.name}: needs at least one NS (BIND and Knot will not load it)`);
    for (const id of [...z.servers, ...Object.keys(z.perServer ?? {})])
      if (!ids.has(id)) throw new Error(`zone ${z.name}: no server ${id}`);
  }
  for (const [h, addrs] of Object.entries(spec.hosts))
    for (const a of addrs) if (!isIP(a)) throw new Error(`host ${h}: ${a} is not an IP`);
}

// ---- zone files

interface Layout {
  zones: WorldZone[];
  parent(zone: string): WorldZone | undefined;
  owner(name: string): WorldZone | undefined;
  children(zone: string): WorldZone[];
}

function layout(spec: WorldSpec): Layout {
  const zones = spec.zones;
  const longest = (name: string, exclude?: string) =>
    zones
      .filter((z) => z.name !== exclude && under(name, z.name))
      .sort((a, b) => (b.name === '.' ? 0 : b.name.length) - (a.name === '.' ? 0 : a.name.length))[0];
  return {
    zones,
    parent: (zone) => (zone === '.' ? undefined : longest(zone, zone)),
    owner: (name) => longest(norm(name)),
    children: (zone) =>
      zones.filter((z) => z.name !== '.' && z.name !== zone && longest(z.name, z.name)?.name === zone),
  };
}

function addressLines(name: string, addrs: string[] | undefined): string[] {
  return (addrs ?? []).map((a) => `${fqdn(norm(name))} IN ${isIPv6(a) ? 'AAAA' : 'A'} ${a}`);
}

function buildZone(spec: WorldSpec, lay: Layout, zone: WorldZone, serverId: string): string {
  const own = zone.perServer?.[serverId];
  const serial = own?.serial ?? zone.serial ?? 1;
  const origin = fqdn(zone.name);
  const rname = zone.name === '.' ? 'hostmaster.' : `hostmaster.${origin}`;
  const delegated = lay.children(zone.name).filter((c) => (c.parentNs ?? c.ns).length > 0);
  const belowCut = (ns: string) => delegated.some((c) => under(ns, c.name));
  const generated = new Set<string>();
  for (const n of zone.ns) generated.add(`${origin} IN NS ${fqdn(norm(n))}`);
  // The apex NS names below one of this zone's cuts (a.root-servers.net in the root): glue.
  for (const n of zone.ns)
    if (belowCut(norm(n))) for (const l of addressLines(n, spec.hosts[n])) generated.add(l);
  for (const c of delegated) {
    for (const n of c.parentNs ?? c.ns) {
      const ns = norm(n);
      generated.add(`${fqdn(c.name)} IN NS ${fqdn(ns)}`);
      const glue = spec.glue === 'child' ? under(ns, c.name) : belowCut(ns);
      if (glue && under(ns, zone.name)) for (const l of addressLines(ns, spec.hosts[n])) generated.add(l);
    }
  }
  for (const [h, addrs] of Object.entries(spec.hosts))
    if (lay.owner(h)?.name === zone.name) for (const l of addressLines(h, addrs)) generated.add(l);
  return [
    `$ORIGIN ${origin}`,
    '$TTL 300',
    `${origin} IN SOA ${fqdn(norm(zone.ns[0]!))} ${rname} ${serial} 3600 600 86400 60`,
    ...generated,
    ...(zone.records ?? []),
    ...(own?.records ?? []),
    '',
  ].join('\n');
}

function hintsFile(spec: WorldSpec): string {
  const root = spec.zones.find((z) => z.name === '.')!;
  return [
    ...root.ns.map((n) => `.                        3600000      NS    ${fqdn(norm(n))}`),
    ...root.ns.flatMap((n) =>
      (spec.hosts[n] ?? []).map(
        (a) => `${fqdn(norm(n)).padEnd(24)} 3600000      ${isIPv6(a) ? 'AAAA' : 'A   '}  ${a}`,
      ),
    ),
    '',
  ].join('\n');
}

// ---- daemon configs (one dir per server)

function nsdConf(dir: string, s: WorldServer, zones: WorldZone[]): string {
  return nsdConfigFor({
    dir,
    listen: s.ips,
    port: 53,
    ipv6: s.ips.some(isIPv6),
    zones: zones.map((z) => ({ name: z.name, file: zoneFileName(z.name) })),
  });
}

function knotConf(dir: string, s: WorldServer, zones: WorldZone[]): string {
  return [
    'server:',
    `  rundir: "${dir}"`,
    '  user: root:root',
    `  listen: [ ${s.ips.map((a) => `"${a}@53"`).join(', ')} ]`,
    '  udp-workers: 1',
    '  tcp-workers: 1',
    '  background-workers: 1',
    'log:',
    '  - target: stderr',
    '    any: info',
    'database:',
    `  storage: "${dir}"`,
    'control:',
    `  listen: "${join(dir, 'knot.sock')}"`,
    'template:',
    '  - id: default',
    `    storage: "${dir}"`,
    // Serve the file as it is: never write it back, no journal, no checks beyond the mandatory.
    '    zonefile-sync: -1',
    '    zonefile-load: whole',
    '    journal-content: none',
    '    semantic-checks: off',
    'zone:',
    ...zones.flatMap((z) => [`  - domain: "${fqdn(z.name)}"`, `    file: "${zoneFileName(z.name)}"`]),
    '',
  ].join('\n');
}

function bindConf(dir: string, s: WorldServer, zones: WorldZone[]): string {
  const v4 = s.ips.filter((a) => !isIPv6(a));
  const v6 = s.ips.filter(isIPv6);
  const list = (a: string[]) => (a.length ? `{ ${a.map((x) => `${x};`).join(' ')} }` : '{ none; }');
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port 53 ${list(v4)};`,
    `  listen-on-v6 port 53 ${list(v6)};`,
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '  allow-transfer { none; };',
    '  empty-zones-enable no;',
    // A test zone may be broken on purpose (an in-zone NS without an address): load it anyway.
    '  check-integrity no;',
    '  check-names primary ignore;',
    '  version none;',
    '  hostname none;',
    '  server-id none;',
    '};',
    'controls { };',
    ...zones.map((z) => `zone "${fqdn(z.name)}" { type primary; file "${zoneFileName(z.name)}"; };`),
    '',
  ].join('\n');
}

function unboundConf(dir: string, hints: string, ipv6: boolean): string {
  return [
    'server:',
    '  interface: 127.0.0.1@53',
    '  port: 53',
    '  do-ip4: yes',
    `  do-ip6: ${ipv6 ? 'yes' : 'no'}`,
    '  do-udp: yes',
    '  do-tcp: yes',
    '  do-daemonize: no',
    '  use-syslog: no',
    `  logfile: "${join(dir, 'unbound.log')}"`,
    '  verbosity: 1',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, 'unbound.pid')}"`,
    '  num-threads: 1',
    '  so-reuseport: no',
    '  access-control: 127.0.0.0/8 allow',
    `  root-hints: "${hints}"`,
    '  module-config: "iterator"',
    '  qname-minimisation: no',
    '  harden-referral-path: no',
    '  target-fetch-policy: "0 0 0 0 0"',
    '  prefetch: no',
    '  cache-max-negative-ttl: 1',
    '  infra-host-ttl: 2',
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: no',
    '',
  ].join('\n');
}

// ---- a tiny DNS client, run inside the namespace (the host never sends to these addresses)

const CLIENT = `
import dgram from 'node:dgram';
import net from 'node:net';
import packet from 'DNS_PACKET';
const input = JSON.parse(await new Promise((r) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => r(s)); }));
const text = (r) => {
  const d = r.data;
  if (typeof d === 'string') return d;
  if (r.type === 'SOA') return [d.mname, d.rname, d.serial, d.refresh, d.retry, d.expire, d.minimum].join(' ');
  if (r.type === 'MX') return d.preference + ' ' + d.exchange;
  if (r.type === 'TXT') return (Array.isArray(d) ? d : [d]).map(String).join('');
  if (Buffer.isBuffer(d)) return d.toString('hex');
  return JSON.stringify(d);
};
const rrs = (list) => (list || []).filter((r) => r.type !== 'OPT').map((r) => ({ name: r.name, type: r.type, ttl: r.ttl || 0, data: text(r) }));
function udp(q, buf, id) {
  return new Promise((resolve) => {
    const s = dgram.createSocket(net.isIPv6(q.server) ? 'udp6' : 'udp4');
    const done = (v) => { clearTimeout(t); s.close(); resolve(v); };
    const t = setTimeout(() => done({ error: 'TIMEOUT' }), q.timeoutMs || 1000);
    s.on('error', (e) => done({ error: e.code || String(e) }));
    s.on('message', (m) => { try { const p = packet.decode(m); if (p.id === id) done({ p }); } catch {} });
    s.connect(q.port || 53, q.server, () => s.send(buf));
  });
}
function tcp(q, buf, id) {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const s = net.connect({ host: q.server, port: q.port || 53 });
    const done = (v) => { clearTimeout(t); s.destroy(); resolve(v); };
    const t = setTimeout(() => done({ error: 'TIMEOUT' }), q.timeoutMs || 1000);
    s.on('error', (e) => done({ error: e.code || String(e) }));
    s.on('connect', () => { const len = Buffer.alloc(2); len.writeUInt16BE(buf.length); s.write(Buffer.concat([len, buf])); });
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        try { const p = packet.decode(got.subarray(2, 2 + got.readUInt16BE(0))); done(p.id === id ? { p } : { error: 'BAD_ID' }); } catch (e) { done({ error: 'FORMERR' }); }
      }
    });
  });
}
async function ask(q) {
  const id = Math.floor(Math.random() * 65536);
  const msg = { type: 'query', id, flags: q.rd ? packet.RECURSION_DESIRED : 0, questions: [{ type: q.type, name: q.name, class: 'IN' }] };
  if (q.edns) msg.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: q.edns }];
  const buf = packet.encode(msg);
  const start = Date.now();
  let transport = q.tcp ? 'tcp' : 'udp';
  let r = await (q.tcp ? tcp : udp)(q, buf, id);
  if (!q.tcp && r.p && r.p.flag_tc) { transport = 'tcp'; r = await tcp(q, buf, id); }
  const ms = Date.now() - start;
  if (!r.p) return { query: q, status: r.error, aa: false, tc: false, ra: false, answers: [], authorities: [], additionals: [], transport, ms };
  const p = r.p;
  return { query: q, status: p.rcode, aa: p.flag_aa, tc: p.flag_tc, ra: p.flag_ra, answers: rrs(p.answers), authorities: rrs(p.authorities), additionals: rrs(p.additionals), transport, ms };
}
// wait mode: ask each until it answers NOERROR (and AA when asked RD=0) or the deadline passes.
const ok = (a) => a.status === 'NOERROR' && (a.query.rd || a.aa);
const until = Date.now() + (input.waitMs || 0);
const out = await Promise.all(input.queries.map(async (q) => {
  for (;;) {
    const a = await ask(q);
    if (!input.waitMs || ok(a) || Date.now() > until) return a;
    await new Promise((r) => setTimeout(r, 100));
  }
}));
process.stdout.write(JSON.stringify(out));
`;

// ---- the world

/** Writes the zones and configs, starts every server then Unbound in a new namespace, waits until all answer. */
export async function startWorld(input: WorldSpec): Promise<World> {
  const why = worldUnavailable();
  if (why) throw new Error(why);
  const spec = withRoot(input);
  validate(spec);
  const lay = layout(spec);
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-world-'));
  const addresses = [...spec.servers.flatMap((s) => s.ips), ...Object.values(spec.hosts).flat()];
  const files = new Map<string, string>();
  for (const s of spec.servers) {
    const sdir = join(dir, s.id);
    mkdirSync(sdir);
    const zones = spec.zones.filter((z) => z.servers.includes(s.id));
    for (const z of zones) {
      const text = buildZone(spec, lay, z, s.id);
      files.set(`${s.id}/${z.name}`, text);
      writeFileSync(join(sdir, zoneFileName(z.name)), text);
    }
    const conf = { nsd: nsdConf, knot: knotConf, bind: bindConf }[s.software](sdir, s, zones);
    writeFileSync(join(sdir, `${s.software}.conf`), conf);
  }
  const hints = join(dir, 'root.hints');
  writeFileSync(hints, hintsFile(spec));
  const udir = join(dir, 'unbound');
  mkdirSync(udir);
  writeFileSync(join(udir, 'unbound.conf'), unboundConf(udir, hints, spec.ipv6 ?? false));
  const client = join(dir, 'dnsq.mjs');
  const dnsPacket = pathToFileURL(createRequire(import.meta.url).resolve('dns-packet')).href;
  writeFileSync(client, CLIENT.replace('DNS_PACKET', dnsPacket));
  const noRanges = join(dir, 'no-ranges');
  mkdirSync(noRanges);

  // Files first, then the namespace: from here on a failure must end in stop().
  let netns: Netns;
  try {
    netns = await createNetns('world', addresses);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const out = new Map<string, string[]>();
  const daemons: ChildProcess[] = [];
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  const logs = () =>
    [
      ...[...out].map(([id, lines]) => `--- ${id}\n${lines.join('')}`),
      ...spec.servers
        .filter((s) => s.software === 'nsd')
        .map((s) => `--- ${s.id} nsd.log\n${read(join(dir, s.id, 'nsd.log'))}`),
      `--- unbound.log\n${read(join(udir, 'unbound.log'))}`,
    ].join('\n');
  // A daemon that exits while the world starts (bad config, address in use) fails it at once.
  let died: (err: Error) => void = () => {};
  const death = new Promise<never>((_, reject) => {
    died = reject;
  });
  death.catch(() => {});
  let starting = true;
  const start = (id: string, bin: string, args: string[]) => {
    const lines: string[] = [];
    out.set(id, lines);
    const child = netns.exec(findBinary(bin)!, args, { output: (c) => lines.push(c) });
    child.on('exit', (code, signal) => {
      if (starting) died(new Error(`${id} (${bin}) exited during start: ${signal ?? `code ${code}`}`));
    });
    daemons.push(child);
  };
  const queryAll = async (qs: WorldQuery[], waitMs = 0): Promise<WorldAnswer[]> => {
    const r = await netns.run(process.execPath, [client], {
      stdin: JSON.stringify({ queries: qs, waitMs }),
      timeoutMs: waitMs + 30_000,
    });
    if (r.code !== 0) throw new Error(`dns client in ${netns.name} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as WorldAnswer[];
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= netns.destroy().finally(() => rmSync(dir, { recursive: true, force: true }));
    return stopped;
  };

  try {
    for (const s of spec.servers) {
      const conf = join(dir, s.id, `${s.software}.conf`);
      if (s.software === 'nsd') start(s.id, 'nsd', ['-d', '-c', conf]);
      else if (s.software === 'knot') start(s.id, 'knotd', ['-c', conf]);
      else start(s.id, 'named', ['-g', '-n', '1', ...(s.ips.some(isIPv6) ? [] : ['-4']), '-c', conf]);
    }
    const probes = spec.servers.flatMap((s) =>
      spec.zones
        .filter((z) => z.servers.includes(s.id))
        .flatMap((z) => s.ips.map((ip) => ({ server: ip, name: fqdn(z.name), type: 'SOA', timeoutMs: 300 }))),
    );
    const ready = await Promise.race([queryAll(probes, 10_000), death]);
    const bad = ready.filter((a) => !(a.status === 'NOERROR' && a.aa));
    if (bad.length > 0)
      throw new Error(
        `servers not answering: ${bad.map((a) => `${a.query.server} ${a.query.name} SOA: ${a.status}`).join('; ')}`,
      );
    start('unbound', 'unbound', ['-d', '-c', join(udir, 'unbound.conf')]);
    const [u] = await Promise.race([
      queryAll([{ server: '127.0.0.1', name: '.', type: 'SOA', rd: true, timeoutMs: 500 }], 10_000),
      death,
    ]);
    if (u?.status !== 'NOERROR')
      throw new Error(`unbound does not resolve ". SOA" from the world's root: ${u?.status}`);
    starting = false;
  } catch (err) {
    starting = false;
    const text = `${(err as Error).message}\n${logs()}`;
    await stop();
    throw new Error(text);
  }

  return {
    netns,
    resolver: '127.0.0.1:53',
    hintsFile: hints,
    dir,
    spec,
    zoneFile: (serverId, zone) => {
      const f = files.get(`${serverId}/${norm(zone)}`);
      if (f === undefined) throw new Error(`server ${serverId} does not load ${zone}`);
      return f;
    },
    configFile: (id) => {
      if (id === 'unbound') return join(udir, 'unbound.conf');
      const s = spec.servers.find((x) => x.id === id);
      if (!s) throw new Error(`no server ${id}`);
      return join(dir, s.id, `${s.software}.conf`);
    },
    logs,
    pids: () => [...new Set([...daemons.map((d) => d.pid!).filter(Boolean), ...netns.pids()])],
    run: (bin, args, opts) => netns.run(bin, args, opts),
    query: async (q) => (await queryAll([q]))[0]!,
    queryAll: (qs) => queryAll(qs),
    cli: async (args, opts = {}) => {
      const { SINGLEPATH_LOOPBACK_ONLY: _, ...env } = process.env;
      const r = await netns.run(process.execPath, [BIN, ...args], {
        stdin: opts.stdin,
        env: { ...env, NO_COLOR: '1', SINGLEPATH_DATA_DIR: noRanges, ...opts.env },
        timeoutMs: 120_000,
      });
      return { code: r.code ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    stop,
  };
}
