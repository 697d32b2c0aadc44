// Real DNS software on loopback: Debian's nsd (authoritative, generated zones) and unbound
// (recursive, stub zones to that nsd only), started as child processes on 127.0.0.1 high ports
// in a temp dir, with configs that cannot send a packet anywhere else. Installed by
// scripts/install-dns-interop.sh; absent binaries are reported, never worked around.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DnsClient } from '../../src/collect/dns/client.js';
import { listenBoth } from './dns-server.js';

export interface InteropZone {
  name: string;
  /** Zone file lines after the generated $ORIGIN, $TTL, SOA and NS (owner names relative or absolute). */
  records: string[];
}

export interface InteropOptions {
  zones: InteropZone[];
  /** EDNS buffer unbound advertises upstream to nsd (small: nsd truncates, unbound goes to TCP). */
  upstreamEdnsBuffer?: number;
}

export interface Interop {
  /** "127.0.0.1:PORT" of unbound, for --resolver. */
  resolver: string;
  unboundPort: number;
  nsdPort: number;
  dir: string;
  unboundConf: string;
  nsdConf: string;
  /** Both processes' output so far, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

/** Absolute path of a binary on PATH or in the sbin folders (root's PATH is not everyone's). */
export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export function interopBinaries(): { nsd: string; unbound: string } | null {
  const nsd = findBinary('nsd');
  const unbound = findBinary('unbound');
  return nsd && unbound ? { nsd, unbound } : null;
}

async function freePort(): Promise<number> {
  const { udp, tcp, port } = await listenBoth();
  await new Promise<void>((r) => udp.close(() => r()));
  await new Promise<void>((r) => tcp.close(() => r()));
  return port;
}

export function zoneFile(zone: InteropZone): string {
  const origin = `${zone.name}.`;
  return [
    `$ORIGIN ${origin}`,
    '$TTL 300',
    `@ IN SOA ns1.${origin} hostmaster.${origin} 1 3600 600 86400 60`,
    `@ IN NS ns1.${origin}`,
    // Loopback glue: even if a resolver did use the NS set, it would stay on 127.0.0.0/8.
    'ns1 IN A 127.0.0.1',
    ...zone.records,
    '',
  ].join('\n');
}

export function nsdConfig(dir: string, port: number, zones: InteropZone[]): string {
  return nsdConfigFor({
    dir,
    listen: ['127.0.0.1'],
    port,
    zones: zones.map((z) => ({ name: z.name, file: `${z.name}.zone` })),
  });
}

/** An NSD config that keeps everything in `dir`, listens on `listen` at `port`, and loads `zones`. */
export function nsdConfigFor(opts: {
  dir: string;
  listen: readonly string[];
  port: number;
  ipv6?: boolean;
  zones: readonly { name: string; file: string }[];
}): string {
  const { dir, port } = opts;
  return [
    'server:',
    ...opts.listen.map((a) => `  ip-address: ${a}@${port}`),
    `  port: ${port}`,
    '  do-ip4: yes',
    `  do-ip6: ${opts.ipv6 ? 'yes' : 'no'}`,
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    '  database: ""',
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  xfrdir: "${dir}"`,
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  logfile: "${join(dir, 'nsd.log')}"`,
    '  server-count: 1',
    '  verbosity: 1',
    '  hide-version: yes',
    'remote-control:',
    '  control-enable: no',
    ...opts.zones.flatMap((z) => ['zone:', `  name: "${z.name}"`, `  zonefile: "${z.file}"`]),
    '',
  ].join('\n');
}

/**
 * Recursive on loopback only: every zone, the root included, is a stub to nsd; queries leave
 * from 127.0.0.1 (the kernel will not route that source anywhere else); no validator, no trust
 * anchor, no priming, no root hints in use.
 */
export function unboundConfig(
  dir: string,
  port: number,
  nsdPort: number,
  zones: InteropZone[],
  upstreamEdnsBuffer: number,
): string {
  const stub = (name: string) => [
    'stub-zone:',
    `  name: "${name}"`,
    `  stub-addr: 127.0.0.1@${nsdPort}`,
    '  stub-prime: no',
  ];
  return [
    'server:',
    `  interface: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  outgoing-interface: 127.0.0.1',
    '  do-ip4: yes',
    '  do-ip6: no',
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
    '  do-not-query-localhost: no',
    '  module-config: "iterator"',
    '  qname-minimisation: no',
    '  harden-referral-path: no',
    '  target-fetch-policy: "0 0 0 0 0"',
    '  prefetch: no',
    `  edns-buffer-size: ${upstreamEdnsBuffer}`,
    '  max-udp-size: 1232',
    '  cache-max-negative-ttl: 1',
    // unbound answers RFC 6761 names such as "test." itself (NXDOMAIN) unless told not to.
    '  local-zone: "test." nodefault',
    'remote-control:',
    '  control-enable: no',
    ...stub('.'),
    ...zones.flatMap((z) => stub(z.name)),
    '',
  ].join('\n');
}

function start(bin: string, args: string[], out: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => out.push(String(d)));
  child.stderr?.on('data', (d) => out.push(String(d)));
  child.on('error', (err) => out.push(`spawn ${bin}: ${err.message}\n`));
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Asks `name SOA` at host:port until it answers NOERROR, or throws after `ms`. */
async function waitForAnswer(port: number, name: string, ms: number, why: () => string): Promise<void> {
  const client = new DnsClient({
    resolvers: [{ host: '127.0.0.1', port }],
    timeoutMs: 200,
    retries: 0,
    maxCacheEntries: 0,
    loopbackOnly: true,
  });
  const until = Date.now() + ms;
  try {
    for (;;) {
      const a = await client.query(name, 'SOA');
      if (a.status === 'NOERROR' && a.answers.length > 0) return;
      if (Date.now() > until)
        throw new Error(`no answer for ${name} SOA on 127.0.0.1:${port} (${a.status})\n${why()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.close();
  }
}

/** Writes configs and zones to a temp dir, starts nsd then unbound, and waits until both answer. */
export async function startInterop(opts: InteropOptions): Promise<Interop> {
  const bins = interopBinaries();
  if (!bins) throw new Error('nsd and unbound are not installed (bash scripts/install-dns-interop.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-interop-'));
  const [nsdPort, unboundPort] = [await freePort(), await freePort()];
  const nsdConf = join(dir, 'nsd.conf');
  const unboundConf = join(dir, 'unbound.conf');
  for (const z of opts.zones) writeFileSync(join(dir, `${z.name}.zone`), zoneFile(z));
  writeFileSync(nsdConf, nsdConfig(dir, nsdPort, opts.zones));
  writeFileSync(
    unboundConf,
    unboundConfig(dir, unboundPort, nsdPort, opts.zones, opts.upstreamEdnsBuffer ?? 512),
  );
  const out: string[] = [];
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = () =>
    `${out.join('')}\n--- nsd.log\n${read('nsd.log')}\n--- unbound.log\n${read('unbound.log')}`;
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    children.push(start(bins.nsd, ['-d', '-c', nsdConf], out));
    await waitForAnswer(nsdPort, opts.zones[0]!.name, 10_000, logs);
    children.push(start(bins.unbound, ['-d', '-c', unboundConf], out));
    await waitForAnswer(unboundPort, opts.zones[0]!.name, 10_000, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    resolver: `127.0.0.1:${unboundPort}`,
    unboundPort,
    nsdPort,
    dir,
    unboundConf: readFileSync(unboundConf, 'utf8'),
    nsdConf: readFileSync(nsdConf, 'utf8'),
    logs,
    stop,
  };
}
