// A lab portfolio whose study table (IMC 2020) is known by construction. The generator decides
// every domain's providers — DNS, edge or cloud, CA and whether its server staples OCSP, mail —
// and the providers' own dependencies (a CDN's zone DNS, a CA's OCSP responder on a CDN), writes
// the DNS records and web sites that say so, and works out the table from its own decisions,
// without singlepath's analysis. A real audit of the lab must give the same figures.
//
// `d<i>.z<j>.study` lives in zone `z<j>.study` (10 domains a zone): DNS, CA, stapling and mail
// are decided per zone (a zone has one NS set, one MX set, one wildcard certificate), the edge per
// domain. Addresses are unrouted: providers are told by names (NS, CNAME, MX, issuer) only.
import type { LabRecord } from '../../test/helpers/dns-server.js';
import type { LabFixture } from '../../test/helpers/lab.js';
import type { LabSite } from '../../test/helpers/web-server.js';

export const DOMAINS_PER_ZONE = 10;

type Layer = 'dns' | 'cdn' | 'cloud' | 'ca' | 'email';
const LAYERS: Layer[] = ['dns', 'cdn', 'cloud', 'ca', 'email'];

type DnsChoice = 'cloudflare' | 'aws' | 'ns1' | 'godaddy' | 'self' | 'cloudflare+ns1';
type EdgeChoice = 'cloudflare' | 'akamai' | 'fastly' | 'shopify' | 'aws-elb' | 'godaddy-hosting' | 'none';
type CaChoice = 'letsencrypt' | 'digicert' | 'google' | 'sectigo';
type MailChoice = 'google' | 'microsoft' | 'google+microsoft' | 'none';

const DNS_W: [DnsChoice, number][] = [
  ['cloudflare', 30],
  ['aws', 20],
  ['ns1', 10],
  ['godaddy', 10],
  ['self', 15],
  ['cloudflare+ns1', 15],
];
const EDGE_W: [EdgeChoice, number][] = [
  ['cloudflare', 25],
  ['akamai', 15],
  ['fastly', 15],
  ['shopify', 10],
  ['aws-elb', 15],
  ['godaddy-hosting', 5],
  ['none', 15],
];
const CA_W: [CaChoice, number][] = [
  ['letsencrypt', 40],
  ['digicert', 25],
  ['google', 20],
  ['sectigo', 15],
];
const MAIL_W: [MailChoice, number][] = [
  ['google', 35],
  ['microsoft', 30],
  ['google+microsoft', 15],
  ['none', 20],
];

const NS_HOSTS: Record<Exclude<DnsChoice, 'self'>, string[]> = {
  cloudflare: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
  aws: ['ns-101.awsdns-25.com', 'ns-1620.awsdns-32.net'],
  ns1: ['dns1.p01.nsone.net', 'dns2.p01.nsone.net'],
  godaddy: ['ns01.domaincontrol.com', 'ns02.domaincontrol.com'],
  'cloudflare+ns1': ['ada.ns.cloudflare.com', 'dns1.p01.nsone.net'],
};

const ISSUERS: Record<CaChoice, { O: string; CN: string }> = {
  letsencrypt: { O: "Let's Encrypt", CN: 'R12' },
  digicert: { O: 'DigiCert Inc', CN: 'DigiCert Global G2 TLS RSA SHA256 2020 CA1' },
  google: { O: 'Google Trust Services', CN: 'WR1' },
  sectigo: { O: 'Sectigo Limited', CN: 'Sectigo RSA Domain Validation Secure Server CA' },
};

/**
 * Each CA's revocation service and who runs it. Let's Encrypt names CRLs only (it ended OCSP in
 * 2025) and so can never be stapled; Google's responder is on Google's own network.
 */
const REVOCATION: Record<CaChoice, { ocsp?: string; crl: string }> = {
  letsencrypt: { crl: 'http://r12.c.lencr.org/17.crl' },
  digicert: { ocsp: 'http://ocsp.digicert.com', crl: 'http://crl3.digicert.com/G2.crl' },
  google: { ocsp: 'http://o.pki.goog/wr1', crl: 'http://c.pki.goog/wr1/a.crl' },
  sectigo: { ocsp: 'http://ocsp.sectigo.com', crl: 'http://crl.sectigo.com/DV.crl' },
};

/** Indirect dependencies a domain gets from a provider: [through layer, through, layer, provider, alternative?]. */
type Edge = [Layer, string, Layer, string, boolean];
const EDGE_INDIRECT: Partial<Record<EdgeChoice, Edge[]>> = {
  akamai: [['cdn', 'akamai', 'dns', 'ultradns', false]],
  fastly: [
    ['cdn', 'fastly', 'dns', 'ns1', true],
    ['cdn', 'fastly', 'dns', 'aws', true],
  ],
};
const CA_INDIRECT: Record<CaChoice, Edge[]> = {
  letsencrypt: [
    ['ca', 'letsencrypt', 'cdn', 'cloudflare', false],
    ['ca', 'letsencrypt', 'dns', 'cloudflare', false],
  ],
  digicert: [
    ['ca', 'digicert', 'cdn', 'edgio', false],
    ['ca', 'digicert', 'dns', 'ns1', false],
  ],
  google: [],
  sectigo: [
    ['ca', 'sectigo', 'cdn', 'cloudflare', false],
    ['ca', 'sectigo', 'dns', 'cloudflare', true],
    ['ca', 'sectigo', 'dns', 'ns1', true],
  ],
};

// Provider zones with the records that make the indirect paths above (and no others).
const PROVIDER_RECORDS: LabRecord[] = [
  ...['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com', 'dns1.p01.nsone.net', 'dns2.p01.nsone.net'].map(
    (name, k): LabRecord => ({ name, type: 'A', data: `198.51.100.${10 + k}` }),
  ),
  ...[
    'ns-101.awsdns-25.com',
    'ns-1620.awsdns-32.net',
    'ns01.domaincontrol.com',
    'ns02.domaincontrol.com',
  ].map((name, k): LabRecord => ({ name, type: 'A', data: `198.51.100.${20 + k}` })),
  { name: 'pdns1.ultradns.net', type: 'A', data: '198.51.100.30' },
  { name: 'akamaiedge.net', type: 'NS', data: 'pdns1.ultradns.net' },
  { name: 'fastly.net', type: 'NS', data: 'dns1.p01.nsone.net' },
  { name: 'fastly.net', type: 'NS', data: 'ns-101.awsdns-25.com' },
  { name: 'aspmx.l.google.com', type: 'A', data: '198.51.100.40' },
  // The CAs' revocation hosts: resolved by the audit, never fetched.
  { name: 'r12.c.lencr.org', type: 'CNAME', data: 'r12.c.lencr.org.cdn.cloudflare.net' },
  { name: 'r12.c.lencr.org.cdn.cloudflare.net', type: 'A', data: '198.51.100.50' },
  { name: 'lencr.org', type: 'NS', data: 'ada.ns.cloudflare.com' },
  { name: 'ocsp.digicert.com', type: 'CNAME', data: 'cs9.wac.edgecastcdn.net' },
  { name: 'cs9.wac.edgecastcdn.net', type: 'A', data: '198.51.100.51' },
  { name: 'digicert.com', type: 'NS', data: 'dns1.p01.nsone.net' },
  { name: 'o.pki.goog', type: 'A', data: '198.51.100.52' },
  { name: 'pki.goog', type: 'NS', data: 'ns-cloud-a1.googledomains.com' },
  { name: 'ns-cloud-a1.googledomains.com', type: 'A', data: '198.51.100.53' },
  { name: 'ocsp.sectigo.com', type: 'CNAME', data: 'ocsp.sectigo.com.cdn.cloudflare.net' },
  { name: 'ocsp.sectigo.com.cdn.cloudflare.net', type: 'A', data: '198.51.100.54' },
  { name: 'sectigo.com', type: 'NS', data: 'ada.ns.cloudflare.com' },
  { name: 'sectigo.com', type: 'NS', data: 'dns1.p01.nsone.net' },
];
const PROVIDER_ZONES = [
  'study',
  'cloudflare.com',
  'cloudflare.net',
  'nsone.net',
  'awsdns-25.com',
  'awsdns-32.net',
  'domaincontrol.com',
  'ultradns.net',
  'akamaiedge.net',
  'fastly.net',
  'myshopify.com',
  'amazonaws.com',
  'secureserver.net',
  'google.com',
  'outlook.com',
  'lencr.org',
  'digicert.com',
  'edgecastcdn.net',
  'pki.goog',
  'googledomains.com',
  'sectigo.com',
];

/** mulberry32: small, seeded, the same on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weights: [T, number][]): T {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  for (const [v, w] of weights) {
    x -= w;
    if (x < 0) return v;
  }
  return weights.at(-1)![0];
}

export interface ZonePlan {
  apex: string;
  dns: DnsChoice;
  ca: CaChoice;
  stapled: boolean;
  mail: MailChoice;
}

export interface DomainPlan {
  domain: string;
  zone: ZonePlan;
  edge: EdgeChoice;
}

export function planWorld(n: number, seed = 20201027): DomainPlan[] {
  const rand = random(seed);
  const zones: ZonePlan[] = [];
  const out: DomainPlan[] = [];
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / DOMAINS_PER_ZONE);
    if (!zones[j]) {
      const ca = pick(rand, CA_W);
      zones[j] = {
        apex: `z${j}.study`,
        dns: pick(rand, DNS_W),
        ca,
        // Let's Encrypt certificates name no OCSP responder: nothing to staple.
        stapled: ca !== 'letsencrypt' && rand() < 0.4,
        mail: pick(rand, MAIL_W),
      };
    }
    out.push({ domain: `d${i}.z${j}.study`, zone: zones[j]!, edge: pick(rand, EDGE_W) });
  }
  return out;
}

/** Addresses no network announces (198.18.0.0/15, for benchmarks): no ASN can name a provider. */
const unrouted = (k: number) => `198.${18 + ((k >>> 16) & 1)}.${(k >>> 8) & 255}.${k & 255}`;

/** The lab: DNS records and web sites that make the plan true. */
export function labFixture(plan: readonly DomainPlan[]): LabFixture {
  const records: LabRecord[] = [...PROVIDER_RECORDS];
  const sites: Record<string, LabSite> = {};
  const seen = new Set<string>();
  plan.forEach((p, i) => {
    const z = p.zone;
    if (!seen.has(z.apex)) {
      seen.add(z.apex);
      const hosts = z.dns === 'self' ? [`ns1.${z.apex}`, `ns2.${z.apex}`] : NS_HOSTS[z.dns];
      for (const h of hosts) records.push({ name: z.apex, type: 'NS', data: h });
      if (z.dns === 'self')
        for (const h of hosts)
          records.push({ name: h, type: 'A', data: unrouted(seen.size * 2 + hosts.indexOf(h)) });
      if (z.mail === 'google' || z.mail === 'google+microsoft')
        records.push({ name: z.apex, type: 'MX', data: 'aspmx.l.google.com', priority: 1 });
      if (z.mail === 'microsoft' || z.mail === 'google+microsoft') {
        const mx = `${z.apex.replace('.', '-')}.mail.protection.outlook.com`;
        records.push({ name: z.apex, type: 'MX', data: mx, priority: 5 });
        records.push({ name: mx, type: 'A', data: '198.51.100.41' });
      }
    }
    const d = p.domain;
    const cname: Record<EdgeChoice, string | undefined> = {
      cloudflare: `${d}.cdn.cloudflare.net`,
      akamai: `e${i}.a.akamaiedge.net`,
      fastly: `d${i}.global.ssl.fastly.net`,
      shopify: 'shops.myshopify.com',
      'aws-elb': `web-${i}.us-east-1.elb.amazonaws.com`,
      'godaddy-hosting': `d${i}.secureserver.net`,
      none: undefined,
    };
    const target = cname[p.edge];
    if (target) records.push({ name: d, type: 'CNAME', data: target });
    if (!target || !seen.has(target)) {
      records.push({ name: target ?? d, type: 'A', data: unrouted(i) });
      if (target) seen.add(target);
    }
    const rev = REVOCATION[z.ca];
    sites[d] = {
      issuer: ISSUERS[z.ca],
      // One wildcard certificate a zone: the lab makes one key and one context per zone.
      san: [`*.${z.apex}`],
      revocation: { ...(rev.ocsp ? { ocsp: [rev.ocsp] } : {}), crl: [rev.crl], staple: z.stapled },
    };
  });
  return { zones: PROVIDER_ZONES, records, sites };
}

// ---- The expected table, from the plan alone -------------------------------------------------

interface DomainTruth {
  thirdParty: Set<Layer>;
  critical: Map<Layer, string[]>;
  /** Critical only through a platform that runs on it: provider → path (Shopify on Cloudflare). */
  viaPlatform: Map<string, string>;
  stapled: boolean;
  crlOnly: boolean;
  indirect: Edge[];
  platformEdges: Edge[];
}

function truth(p: DomainPlan): DomainTruth {
  const z = p.zone;
  const thirdParty = new Set<Layer>(['ca']);
  const critical = new Map<Layer, string[]>();
  if (z.dns !== 'self') {
    thirdParty.add('dns');
    if (z.dns !== 'cloudflare+ns1') critical.set('dns', [z.dns]);
  }
  const edge: Partial<Record<EdgeChoice, [Layer, string[]]>> = {
    cloudflare: ['cdn', ['cloudflare']],
    akamai: ['cdn', ['akamai']],
    fastly: ['cdn', ['fastly']],
    // Shopify runs on Cloudflare: two CDNs in series, each a single point.
    shopify: ['cdn', ['cloudflare', 'shopify']],
    'aws-elb': ['cloud', ['aws']],
    'godaddy-hosting': ['cloud', ['godaddy']],
  };
  const e = edge[p.edge];
  if (e) {
    thirdParty.add(e[0]);
    critical.set(e[0], e[1]);
  }
  if (!z.stapled) critical.set('ca', [z.ca]);
  if (z.mail !== 'none') {
    thirdParty.add('email');
    if (z.mail !== 'google+microsoft') critical.set('email', [z.mail]);
  }
  const indirect = [...(EDGE_INDIRECT[p.edge] ?? []), ...(z.stapled ? [] : CA_INDIRECT[z.ca])];
  const viaPlatform = new Map<string, string>();
  const platformEdges: Edge[] = [];
  if (p.edge === 'shopify') {
    viaPlatform.set('cloudflare', 'cdn: shopify → cdn');
    platformEdges.push(['cdn', 'shopify', 'cdn', 'cloudflare', false]);
  }
  return {
    thirdParty,
    critical,
    viaPlatform,
    stapled: z.stapled,
    crlOnly: z.ca === 'letsencrypt',
    indirect,
    platformEdges,
  };
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The study table (the shape of summary.study) that the plan makes true. */
export function expectedStudy(plan: readonly DomainPlan[]) {
  const n = plan.length;
  const share = (k: number) => (n === 0 ? 0 : round(k / n, 4));
  const truths = plan.map(truth);
  const layers = LAYERS.map((layer) => {
    const sets = truths.map((t) => t.critical.get(layer)).filter((s): s is string[] => s !== undefined);
    const counts = new Map<string, number>();
    for (const s of sets) for (const p of s) counts.set(p, (counts.get(p) ?? 0) + 1);
    const ranked = [...counts].sort(([a, x], [b, y]) => y - x || byString(a, b));
    const thirdParty = truths.filter((t) => t.thirdParty.has(layer)).length;
    const critical = sets.length;
    const incidences = ranked.reduce((s, [, k]) => s + k, 0);
    const hhi = incidences
      ? Math.round(ranked.reduce((s, [, k]) => s + ((100 * k) / incidences) ** 2, 0))
      : 0;
    const out: Record<string, unknown> = {
      layer,
      thirdParty,
      thirdPartyShare: share(thirdParty),
      critical,
      criticalShare: share(critical),
      redundant: thirdParty - critical,
      redundantShare: share(thirdParty - critical),
      providers: ranked.map(([provider, k]) => ({ provider, critical: k, criticalShare: share(k) })),
      concentration: ranked.slice(0, 10).map(([provider], i) => {
        const top = new Set(ranked.slice(0, i + 1).map(([p]) => p));
        const k = sets.filter((s) => s.some((p) => top.has(p))).length;
        return { k: i + 1, provider, critical: k, share: share(k) };
      }),
      hhi,
    };
    if (layer === 'ca') {
      out.stapled = truths.filter((t) => t.stapled).length;
      out.crlOnly = truths.filter((t) => t.crlOnly).length;
    }
    return out;
  });

  // Amplification: a provider's critical dependants, then those lost only through a provider
  // that depends on it alone (an edge with no alternative).
  const amp = new Map<string, { direct: number; indirect: number; paths: Map<string, number> }>();
  const entry = (p: string) => {
    let a = amp.get(p);
    if (!a) {
      a = { direct: 0, indirect: 0, paths: new Map() };
      amp.set(p, a);
    }
    return a;
  };
  const edges = new Map<string, [number, number]>();
  for (const t of truths) {
    // Critical at some layer by the domain's own use; through a platform only, it is indirect.
    const direct = new Set<string>();
    for (const [layer, set] of t.critical)
      for (const p of set) if (!(layer === 'cdn' && t.viaPlatform.has(p))) direct.add(p);
    for (const p of direct) entry(p).direct++;
    const counted = new Set(direct);
    for (const [p, path] of t.viaPlatform) {
      if (direct.has(p)) continue;
      counted.add(p);
      const a = entry(p);
      a.indirect++;
      a.paths.set(path, (a.paths.get(path) ?? 0) + 1);
    }
    for (const [tl, tp, l, p, alternative] of t.platformEdges) {
      const k = [tl, tp, l, p].join(' ');
      const e = edges.get(k) ?? [0, 0];
      e[0]++;
      if (!alternative) e[1]++;
      edges.set(k, e);
    }
    const lostBy = new Map<string, Set<string>>();
    for (const [tl, tp, l, p, alternative] of t.indirect) {
      const k = [tl, tp, l, p].join(' ');
      const e = edges.get(k) ?? [0, 0];
      e[0]++;
      if (!alternative) e[1]++;
      edges.set(k, e);
      if (alternative || counted.has(p)) continue;
      const paths = lostBy.get(p) ?? new Set<string>();
      lostBy.set(p, paths.add(`${tl}: ${tp} → ${l}`));
    }
    for (const [p, paths] of lostBy) {
      const a = entry(p);
      a.indirect++;
      for (const path of paths) a.paths.set(path, (a.paths.get(path) ?? 0) + 1);
    }
  }
  const amplification = [...amp]
    .map(([provider, a]) => ({
      provider,
      direct: a.direct,
      indirect: a.indirect,
      total: a.direct + a.indirect,
      ratio: a.direct === 0 ? null : round((a.direct + a.indirect) / a.direct, 2),
      paths: [...a.paths]
        .sort(([p, x], [q, y]) => y - x || byString(p, q))
        .map(([path, domains]) => ({ path, domains })),
    }))
    .sort((a, b) => b.total - a.total || b.indirect - a.indirect || byString(a.provider, b.provider));
  const providerDependencies = [...edges]
    .map(([k, [domains, critical]]) => {
      const [layer, provider, l, p] = k.split(' ') as [Layer, string, Layer, string];
      return { layer, provider, dependsOn: { layer: l, provider: p }, domains, critical };
    })
    .sort(
      (a, b) =>
        byString(a.layer, b.layer) ||
        byString(a.provider, b.provider) ||
        byString(a.dependsOn.layer, b.dependsOn.layer) ||
        byString(a.dependsOn.provider, b.dependsOn.provider),
    );
  return { domains: n, layers, amplification, providerDependencies };
}
