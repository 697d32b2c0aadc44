// The benchmark's synthetic internet: every answer is computed from the name, so the DNS
// responder, the web server and the bare clients agree without sharing a table, and a million
// domains cost no memory. `d<i>.z<j>.bench` lives in zone `z<j>.bench`; i picks its setup.

export type RType = 'A' | 'AAAA' | 'CNAME' | 'NS' | 'MX' | 'SOA' | 'TXT';

export interface Rec {
  name: string;
  type: RType;
  /** Address, target host (CNAME/NS/MX exchange), SOA mname or TXT text. */
  data: string;
  /** MX preference. */
  preference?: number;
}

export interface Reply {
  /** 0 NOERROR, 3 NXDOMAIN, 5 REFUSED. */
  rcode: 0 | 3 | 5;
  answers: Rec[];
  authority: Rec[];
}

export type Kind = 'cloudflare' | 'cloudflare-cname' | 'fastly-cname' | 'cloudfront-cname' | 'google';

/** Every answer's TTL and the SOA minimum: long enough that nothing expires during a run. */
export const TTL = 3600;

const EXTERNAL: Record<string, { suffix: string; zone: string }> = {
  'cloudflare-cname': { suffix: 'cdn.cloudflare.net', zone: 'cloudflare.net' },
  'fastly-cname': { suffix: 'global.ssl.fastly.net', zone: 'fastly.net' },
  'cloudfront-cname': { suffix: 'cloudfront.net', zone: 'cloudfront.net' },
};
const EXTERNAL_ZONES = ['cloudflare.net', 'fastly.net', 'cloudfront.net'];

export function kindOf(i: number): Kind {
  const k = i % 10;
  if (k < 4) return 'cloudflare';
  if (k < 6) return 'cloudflare-cname';
  if (k < 8) return 'fastly-cname';
  if (k < 9) return 'cloudfront-cname';
  return 'google';
}

export function zoneApex(j: number): string {
  return `z${j}.bench`;
}

export function domainName(i: number, zones: number): string {
  return `d${i}.z${i % zones}.bench`;
}

/** Zones with mail: two thirds of them; the others answer MX with NODATA. */
export function hasMx(j: number): boolean {
  return j % 3 !== 2;
}

function cnameTarget(i: number, j: number, kind: Kind): string | undefined {
  const ext = EXTERNAL[kind];
  return ext ? `d${i}-z${j}.${ext.suffix}` : undefined;
}

/** The name whose addresses the audit takes: the CNAME target, or the domain itself. */
export function finalName(i: number, zones: number): string {
  return cnameTarget(i, i % zones, kindOf(i)) ?? domainName(i, zones);
}

function v4(a: number, b: number, n: number): string {
  return `${a}.${b + ((n >>> 16) & 7)}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Addresses in the providers' real ranges, so that ASN and CIDR classification have work. */
function addresses(kind: Kind | 'target', i: number, ext?: string): Rec['data'][] {
  if (kind === 'cloudflare') return [v4(104, 16, i)];
  if (kind === 'google') return [v4(34, 96, i)];
  if (ext === 'cloudflare.net') return [v4(104, 24, i & 0x3ffff)];
  if (ext === 'fastly.net') return [`151.101.${(i >>> 8) & 255}.${i & 255}`];
  return [v4(13, 224, i & 0x3ffff)];
}

function ipv6(i: number): string | undefined {
  return i % 2 === 0 ? `2606:4700::${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}` : undefined;
}

/** What exists at a name: its zone, and either a CNAME or the records of a type; null = NXDOMAIN. */
interface Node {
  zone: string;
  cname?: string;
  records(type: RType): Rec[];
}

const D = /^d(\d{1,9})\.z(\d{1,9})\.bench$/;
const APEX = /^z(\d{1,9})\.bench$/;
const HOST = /^(ns1|ns2|mx1|mx2)\.z(\d{1,9})\.bench$/;
const DMARC = /^_dmarc\.z(\d{1,9})\.bench$/;
const TARGET = /^d(\d{1,9})-z(\d{1,9})\.(cdn\.cloudflare\.net|global\.ssl\.fastly\.net|cloudfront\.net)$/;

function zoneOf(name: string): string | null {
  const m = /(?:^|\.)(z\d{1,9}\.bench)$/.exec(name);
  if (m) return m[1]!;
  return EXTERNAL_ZONES.find((z) => name === z || name.endsWith(`.${z}`)) ?? null;
}

function soa(zone: string): Rec {
  return { name: zone, type: 'SOA', data: zone.endsWith('.bench') ? `ns1.${zone}` : `ns.${zone}` };
}

function rrs(name: string, type: RType, data: string[]): Rec[] {
  return data.map((d) => ({ name, type, data: d }));
}

function hostNode(name: string, role: string, j: number, zone: string): Node | null {
  if (role.startsWith('mx') && !hasMx(j)) return null;
  const first = { ns1: 193, ns2: 197, mx1: 0, mx2: 0 }[role] ?? 0;
  const a =
    role === 'ns1' || role === 'ns2'
      ? `205.251.${first + ((j >>> 8) & 3)}.${j & 255}`
      : `142.${role === 'mx1' ? 250 : 251}.${(j >>> 8) & 255}.${j & 255}`;
  return { zone, records: (t) => (t === 'A' ? rrs(name, 'A', [a]) : []) };
}

function apexNode(name: string, j: number): Node {
  return {
    zone: name,
    records(t) {
      if (t === 'SOA') return [soa(name)];
      if (t === 'NS') return rrs(name, 'NS', [`ns1.${name}`, `ns2.${name}`]);
      if (t === 'A') return rrs(name, 'A', [v4(104, 16, j)]);
      // Mail zones publish SPF (no include: the walk's chains are tested elsewhere).
      if (t === 'TXT' && hasMx(j)) return rrs(name, 'TXT', ['v=spf1 ip4:192.0.2.0/24 -all']);
      if (t === 'MX' && hasMx(j))
        return [
          { name, type: 'MX', data: `mx1.${name}`, preference: 10 },
          { name, type: 'MX', data: `mx2.${name}`, preference: 20 },
        ];
      return [];
    },
  };
}

function node(name: string): Node | null {
  const zone = zoneOf(name);
  if (!zone) return null;
  let m = D.exec(name);
  if (m) {
    const i = Number(m[1]);
    const kind = kindOf(i);
    const cname = cnameTarget(i, Number(m[2]), kind);
    if (cname) return { zone, cname, records: () => [] };
    const v6 = ipv6(i);
    return {
      zone,
      records: (t) =>
        t === 'A' ? rrs(name, 'A', addresses(kind, i)) : t === 'AAAA' && v6 ? rrs(name, 'AAAA', [v6]) : [],
    };
  }
  m = APEX.exec(name);
  if (m) return apexNode(name, Number(m[1]));
  m = HOST.exec(name);
  if (m) return hostNode(name, m[1]!, Number(m[2]), zone);
  m = DMARC.exec(name);
  if (m && hasMx(Number(m[1])))
    return { zone, records: (t) => (t === 'TXT' ? rrs(name, 'TXT', ['v=DMARC1; p=none']) : []) };
  m = TARGET.exec(name);
  if (m) {
    const i = Number(m[1]);
    return { zone, records: (t) => (t === 'A' ? rrs(name, 'A', addresses('target', i, zone)) : []) };
  }
  if (name === zone) return { zone, records: (t) => (t === 'SOA' ? [soa(zone)] : []) };
  return null;
}

/** The reply a recursive resolver would give: whole CNAME chains, NODATA/NXDOMAIN with the SOA. */
export function resolve(qname: string, qtype: RType): Reply {
  const answers: Rec[] = [];
  let name = qname;
  for (let hop = 0; hop < 8; hop++) {
    const zone = zoneOf(name);
    if (!zone) return { rcode: answers.length ? 0 : 5, answers, authority: [] };
    const n = node(name);
    if (!n) return { rcode: 3, answers, authority: [soa(zone)] };
    if (n.cname && qtype !== 'CNAME') {
      answers.push({ name, type: 'CNAME', data: n.cname });
      name = n.cname;
      continue;
    }
    const found = n.cname ? [{ name, type: 'CNAME' as const, data: n.cname }] : n.records(qtype);
    if (found.length) return { rcode: 0, answers: [...answers, ...found], authority: [] };
    return { rcode: 0, answers, authority: [soa(n.zone)] };
  }
  return { rcode: 0, answers, authority: [] };
}

/** Response headers a CDN of this kind would send; parsed from the Host the client asked for. */
export function headersFor(host: string): [string, string][] {
  const m = D.exec(host);
  const kind = m ? kindOf(Number(m[1])) : undefined;
  const id = m ? Number(m[1]).toString(16).padStart(8, '0') : '0';
  switch (kind) {
    case 'cloudflare':
    case 'cloudflare-cname':
      return [
        ['server', 'cloudflare'],
        ['cf-ray', `${id}a1b2c3d4-LAX`],
      ];
    case 'fastly-cname':
      return [
        ['x-served-by', `cache-lax${id.slice(-4)}-LAX`],
        ['via', '1.1 varnish'],
      ];
    case 'cloudfront-cname':
      return [
        ['x-amz-cf-id', `${id}Zx9-bench`],
        ['via', `1.1 ${id}.cloudfront.net (CloudFront)`],
      ];
    case 'google':
      return [['via', '1.1 google']];
    default:
      return [['server', 'bench']];
  }
}

export type Question = [name: string, type: RType];

/**
 * The distinct questions a DNS-only audit of d0..d(n-1) asks, in the order it would first ask
 * them: per domain A, AAAA of the final name and SOA; per zone NS, MX and the A/AAAA of its
 * name servers and mail hosts. Generated lazily, so a million domains cost no memory.
 */
export function* auditQuestions(n: number, zones: number): Generator<Question> {
  const seen = new Uint8Array(zones);
  for (let i = 0; i < n; i++) {
    const d = domainName(i, zones);
    yield [d, 'A'];
    yield [finalName(i, zones), 'AAAA'];
    yield [d, 'SOA'];
    const j = i % zones;
    if (seen[j]) continue;
    seen[j] = 1;
    const apex = zoneApex(j);
    yield [apex, 'NS'];
    yield [apex, 'MX'];
    yield [apex, 'TXT'];
    yield [`_dmarc.${apex}`, 'TXT'];
    const hosts = hasMx(j) ? ['ns1', 'ns2', 'mx1', 'mx2'] : ['ns1', 'ns2'];
    for (const h of hosts) {
      yield [`${h}.${apex}`, 'A'];
      yield [`${h}.${apex}`, 'AAAA'];
    }
  }
}

export function questionCount(n: number, zones: number): number {
  const used = Math.min(n, zones);
  let withMx = 0;
  for (let j = 0; j < used; j++) if (hasMx(j)) withMx++;
  return 3 * n + used * 8 + withMx * 4;
}
