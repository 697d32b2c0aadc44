// The DNS-checks bench world, run as a child process: a recursive-looking resolver on one
// 127.0.0.1 port, and one UDP socket per authoritative server address of a generated hierarchy
// (a root, a TLD server for com and net, PROVIDERS providers with two servers each, ZONES
// customer zones z<k>.com each delegated to providers k and k+1). The server addresses are labels:
// the parent routes each to its loopback port (AuditOptions.directRoute). Args: ZONES.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { PROVIDERS, providerIp, ROOT_IP, TLD_IP, zoneName } from './checks-world.js';
import { serveRequests } from './ipc.js';

const zones = Number(process.argv[2] ?? '10000');

type Answer = dnsPacket.Answer;
const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const counters = { resolver: 0, root: 0, tld: 0, providers: 0 };

function nsNames(k: number): string[] {
  const a = k % PROVIDERS;
  const b = (k + 1) % PROVIDERS;
  return [`ns1.prov${a}.net`, `ns2.prov${a}.net`, `ns1.prov${b}.net`, `ns2.prov${b}.net`];
}

function zoneOf(name: string): number | null {
  const m = /(?:^|\.)z(\d+)\.com$/.exec(name);
  const k = m ? Number(m[1]) : -1;
  return k >= 0 && k < zones ? k : null;
}

function soa(zone: string): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: 300,
    data: {
      mname: 'ns1.x.net',
      rname: 'h.x.net',
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: 60,
    },
  };
}

const nsHost = /^ns([12])\.prov(\d+)\.net$/;

function glue(names: string[]): Answer[] {
  return names.map((h) => {
    const m = nsHost.exec(h)!;
    return { type: 'A', name: h, ttl: 300, data: providerIp(Number(m[2]), Number(m[1]) as 1 | 2) };
  });
}

interface Reply {
  flags: number;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
}

function resolver(name: string, type: string): Reply {
  const host = nsHost.exec(name);
  if (host)
    return type === 'A'
      ? {
          flags: 0,
          answers: [
            { type: 'A', name, ttl: 300, data: providerIp(Number(host[2]), Number(host[1]) as 1 | 2) },
          ],
        }
      : { flags: 0 };
  const k = zoneOf(name);
  if (k === null) return { flags: 3 };
  const zone = zoneName(k);
  if (type === 'A')
    return { flags: 0, answers: [{ type: 'A', name, ttl: 300, data: `192.0.2.${(k % 250) + 1}` }] };
  if (name === zone && type === 'SOA') return { flags: 0, answers: [soa(zone)] };
  if (name === zone && type === 'NS')
    return { flags: 0, answers: nsNames(k).map((h) => ({ type: 'NS', name: zone, ttl: 300, data: h })) };
  return { flags: 0, authorities: [soa(zone)] };
}

function root(name: string): Reply {
  const tld = name.slice(name.lastIndexOf('.') + 1);
  if (tld !== 'com' && tld !== 'net') return { flags: AA | 3 };
  return {
    flags: 0,
    authorities: [{ type: 'NS', name: tld, ttl: 300, data: 'a.tld-servers.net' }],
    additionals: [{ type: 'A', name: 'a.tld-servers.net', ttl: 300, data: TLD_IP }],
  };
}

function tld(name: string): Reply {
  const k = zoneOf(name);
  if (k === null) return { flags: AA | 3 };
  const names = nsNames(k);
  return {
    flags: 0,
    authorities: names.map((h) => ({ type: 'NS', name: zoneName(k), ttl: 300, data: h })),
    additionals: glue(names),
  };
}

function provider(i: number, name: string, type: string): Reply {
  const k = zoneOf(name);
  if (k === null || (k % PROVIDERS !== i && (k + 1) % PROVIDERS !== i)) return { flags: 5 };
  const zone = zoneName(k);
  if (name === zone && type === 'SOA') return { flags: AA, answers: [soa(zone)] };
  if (name === zone && type === 'NS')
    return { flags: AA, answers: nsNames(k).map((h) => ({ type: 'NS', name: zone, ttl: 300, data: h })) };
  if (type === 'A')
    return { flags: AA, answers: [{ type: 'A', name, ttl: 300, data: `192.0.2.${(k % 250) + 1}` }] };
  return { flags: AA, authorities: [soa(zone)] };
}

async function listen(
  handle: (name: string, type: string) => Reply,
  count: keyof typeof counters,
): Promise<number> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    counters[count]++;
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const r = handle(name, question.type);
    const out = dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags: r.flags | ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
      questions: [question],
      answers: r.answers ?? [],
      authorities: r.authorities ?? [],
      additionals: r.additionals ?? [],
    });
    socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket.address().port;
}

const ports: Record<string, number> = {};
const resolverPort = await listen(resolver, 'resolver');
ports[ROOT_IP] = await listen(root, 'root');
ports[TLD_IP] = await listen(tld, 'tld');
for (let i = 0; i < PROVIDERS; i++)
  for (const n of [1, 2] as const)
    ports[providerIp(i, n)] = await listen((name, type) => provider(i, name, type), 'providers');

serveRequests({ resolverPort, ports }, (req) => {
  if (req.op === 'reset') for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
  return { ...counters };
});
