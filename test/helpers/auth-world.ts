import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

// A fake DNS hierarchy of authoritative servers on 127.0.0.1, one UDP port per server address,
// for fast tests of the delegation walk without root or real DNS software (the real thing is
// test/e2e-dns-world.test.ts). The world's addresses are labels only: `route` maps each onto its
// loopback port, and the audit reaches them through `directRoute`. Nothing else is ever sent to.

export interface AuthZone {
  name: string;
  /** Addresses of the servers that load this zone. */
  servers: string[];
  /** The zone's own NS set. */
  ns: string[];
  /** The parent's delegation (default `ns`). */
  parentNs?: string[];
  serial?: number;
  /** name → A addresses inside the zone (NS names' addresses included: glue comes from here). */
  a?: Record<string, string[]>;
  cname?: Record<string, string>;
  /** Per server address: another serial (a secondary out of step). */
  serialAt?: Record<string, number>;
}

export interface AuthWorld {
  route(ip: string): { host: string; port: number };
  /** Questions each server address received. */
  asked(ip: string): number;
  close(): Promise<void>;
}

const ROOT = '';

function parentOf(name: string, zones: AuthZone[]): AuthZone | undefined {
  let best: AuthZone | undefined;
  for (const z of zones) {
    if (z.name === name) continue;
    const inside = z.name === ROOT || name.endsWith(`.${z.name}`);
    if (inside && (!best || z.name.length > best.name.length)) best = z;
  }
  return best;
}

function glueFor(hosts: string[], zones: AuthZone[]): dnsPacket.Answer[] {
  const out: dnsPacket.Answer[] = [];
  for (const h of hosts)
    for (const z of zones)
      for (const ip of z.a?.[h] ?? []) out.push({ type: 'A', name: h, ttl: 300, data: ip });
  return out;
}

export function answer(
  zones: AuthZone[],
  ip: string,
  qname: string,
  qtype: string,
): Omit<dnsPacket.Packet, 'id'> {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const served = zones
    .filter(
      (z) => z.servers.includes(ip) && (z.name === ROOT || name === z.name || name.endsWith(`.${z.name}`)),
    )
    .sort((a, b) => b.name.length - a.name.length)[0];
  const base = {
    type: 'response' as const,
    questions: [{ type: qtype as 'A', name: qname, class: 'IN' as const }],
  };
  if (!served) return { ...base, flags: 5 /* rcode REFUSED */ };
  // A cut below the served zone on the way to the name: a referral.
  const cut = zones
    .filter(
      (z) =>
        z !== served &&
        parentOf(z.name, zones) === served &&
        (name === z.name || name.endsWith(`.${z.name}`)),
    )
    .sort((a, b) => b.name.length - a.name.length)[0];
  if (cut && !cut.servers.includes(ip)) {
    const ns = cut.parentNs ?? cut.ns;
    return {
      ...base,
      flags: 0,
      authorities: ns.map((h) => ({ type: 'NS', name: cut.name, ttl: 300, data: h })),
      additionals: glueFor(
        ns.filter((h) => h.endsWith(`.${cut.name}`)),
        zones,
      ),
    };
  }
  const serial = served.serialAt?.[ip] ?? served.serial ?? 1;
  const soa: dnsPacket.Answer = {
    type: 'SOA',
    name: served.name || '.',
    ttl: 300,
    data: {
      mname: served.ns[0] ?? 'ns',
      rname: 'hostmaster.invalid',
      serial,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: 60,
    },
  };
  const AA = dnsPacket.AUTHORITATIVE_ANSWER;
  if (name === served.name && qtype === 'SOA') return { ...base, flags: AA, answers: [soa] };
  if (name === served.name && qtype === 'NS')
    return { ...base, flags: AA, answers: served.ns.map((h) => ({ type: 'NS', name, ttl: 300, data: h })) };
  const cname = served.cname?.[name];
  if (cname) return { ...base, flags: AA, answers: [{ type: 'CNAME', name, ttl: 300, data: cname }] };
  const a = served.a?.[name];
  if (a && qtype === 'A')
    return { ...base, flags: AA, answers: a.map((data) => ({ type: 'A', name, ttl: 300, data })) };
  const exists = a || name === served.name || Object.keys(served.a ?? {}).some((n) => n.endsWith(`.${name}`));
  return { ...base, flags: AA | (exists ? 0 : 3), authorities: [soa] };
}

/** Starts one UDP server per distinct address of the world. */
export async function startAuthWorld(
  zones: AuthZone[],
  opts: { silent?: string[] } = {},
): Promise<AuthWorld> {
  const ips = [...new Set(zones.flatMap((z) => z.servers))];
  const ports = new Map<string, number>();
  const counts = new Map<string, number>();
  const sockets: dgram.Socket[] = [];
  for (const ip of [...ips, ...(opts.silent ?? [])]) {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    ports.set(ip, socket.address().port);
    sockets.push(socket);
    if (opts.silent?.includes(ip)) continue;
    socket.on('message', (msg, rinfo) => {
      counts.set(ip, (counts.get(ip) ?? 0) + 1);
      let q: dnsPacket.DecodedPacket;
      try {
        q = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const question = q.questions?.[0];
      if (!question) return;
      const reply = answer(zones, ip, question.name, question.type);
      socket.send(dnsPacket.encode({ ...reply, id: q.id } as dnsPacket.Packet), rinfo.port, rinfo.address);
    });
  }
  return {
    route: (ip) => {
      const port = ports.get(ip);
      // An address of no server: a closed loopback port (nothing answers).
      return { host: '127.0.0.1', port: port ?? 9 };
    },
    asked: (ip) => counts.get(ip) ?? 0,
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
