import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { Catalogue } from '../src/catalogue/catalogue.js';
import type { ProviderSpec } from '../src/catalogue/schema.js';
import { classify } from '../src/classify/index.js';
import type { Dependency } from '../src/types.js';
import { addr, host, type ObsSpec, observation } from './helpers/observation.js';

// A small, hand-made catalogue so these tests pin the classification rules, not the data.
const specs: ProviderSpec[] = [
  {
    id: 'cloudflare',
    name: 'Cloudflare',
    signals: {
      ns: [{ suffix: 'ns.cloudflare.com' }],
      cname: [{ suffix: 'cdn.cloudflare.net', layer: 'cdn' }],
      asn: [{ asns: [13335], layer: 'cdn' }],
      header: [{ name: 'cf-ray', layer: 'cdn' }],
    },
  },
  {
    id: 'aws',
    name: 'Amazon Web Services',
    signals: {
      ns: [{ pattern: '^ns-\\d+\\.awsdns-\\d+\\.(com|net|org|co\\.uk)$', service: 'route53' }],
      cname: [
        { suffix: 'cloudfront.net', layer: 'cdn', service: 'cloudfront' },
        {
          suffix: 'elb.amazonaws.com',
          layer: 'cloud',
          service: 'elb',
          region: '(?<region>[a-z]{2}-[a-z]+-\\d)\\.elb',
        },
      ],
      asn: [{ asns: [16509], layer: 'cloud' }],
      header: [
        { name: 'x-amz-cf-id', layer: 'cdn', service: 'cloudfront' },
        { name: 'server', pattern: '^AmazonS3$', layer: 'cloud', service: 's3' },
      ],
      issuer: [{ o: '^Amazon$' }],
      mx: [{ pattern: '^inbound-smtp\\.[a-z0-9-]+\\.amazonaws\\.com$', service: 'ses' }],
    },
  },
  {
    id: 'fastly',
    name: 'Fastly',
    signals: {
      cname: [{ suffix: 'fastly.net', layer: 'cdn' }],
      asn: [{ asns: [54113], layer: 'cdn' }],
      header: [
        { name: 'x-served-by', pattern: '^cache-', layer: 'cdn' },
        { name: 'via', pattern: 'varnish', layer: 'cdn', weak: true },
      ],
    },
  },
  {
    id: 'github',
    name: 'GitHub',
    runsOn: [{ provider: 'fastly', layer: 'cdn', from: 'cdn' }],
    signals: {
      cname: [{ suffix: 'github.io', layer: 'cdn', service: 'pages' }],
      header: [{ name: 'x-github-request-id', layer: 'cdn' }],
    },
  },
  {
    id: 'shopify',
    name: 'Shopify',
    runsOn: [{ provider: 'cloudflare', layer: 'cdn', from: 'cdn' }],
    signals: {
      cname: [{ suffix: 'myshopify.com', layer: 'cdn' }],
      header: [{ name: 'x-shopid', layer: 'cdn' }],
    },
  },
  {
    id: 'vercel',
    name: 'Vercel',
    runsOn: [{ provider: 'aws', layer: 'cloud', from: 'cdn' }],
    signals: {
      cname: [{ suffix: 'vercel-dns.com', layer: 'cdn' }],
      header: [{ name: 'x-vercel-id', layer: 'cdn' }],
    },
  },
  {
    id: 'google',
    name: 'Google',
    signals: { mx: [{ suffix: 'google.com' }], issuer: [{ o: '^Google Trust Services' }] },
  },
  { id: 'letsencrypt', name: "Let's Encrypt", signals: { issuer: [{ o: "^Let's Encrypt$" }] } },
  { id: 'ibm', name: 'IBM', signals: {} },
  {
    id: 'ns1',
    name: 'NS1',
    parent: 'ibm',
    signals: { ns: [{ suffix: 'nsone.net' }], asn: [{ asns: [62597], layer: 'dns' }] },
  },
];
const catalogue = new Catalogue(specs);

type Row = [layer: string, provider: string, extra?: Partial<Dependency>];

function deps(spec: ObsSpec): Dependency[] {
  return classify(observation(spec), catalogue);
}

function rows(spec: ObsSpec): Row[] {
  return deps(spec).map((d) => {
    const extra: Partial<Dependency> = {};
    if (d.service) extra.service = d.service;
    if (d.region) extra.region = d.region;
    if (d.via) extra.via = d.via;
    if (d.order) extra.order = d.order;
    return Object.keys(extra).length ? [d.layer, d.provider, extra] : [d.layer, d.provider];
  });
}

function codes(spec: ObsSpec): string[] {
  return domainRisks(deps(spec), { parents: { ns1: 'ibm' } }).map(
    (f) => `${f.severity} ${f.kind}${f.layer ? ` ${f.layer}` : ''}${f.provider ? ` ${f.provider}` : ''}`,
  );
}

const cfNs = [host('ada.ns.cloudflare.com', addr('173.245.58.61', 13335)), host('bob.ns.cloudflare.com')];
const r53 = [host('ns-205.awsdns-25.com'), host('ns-771.awsdns-32.net')];

describe('classification of realistic setups', () => {
  it('Cloudflare DNS and proxy: both layers, shared fate is critical', () => {
    const spec: ObsSpec = {
      domain: 'www.example.com',
      ns: cfNs,
      addresses: [addr('104.16.1.1', 13335)],
      headers: { 'cf-ray': '8a-FRA', server: 'cloudflare' },
      issuer: { O: 'Google Trust Services', CN: 'WE1' },
    };
    expect(rows(spec)).toEqual([
      ['dns', 'cloudflare'],
      ['cdn', 'cloudflare'],
      ['ca', 'google'],
    ]);
    expect(codes(spec)).toEqual([
      'critical shared-fate cloudflare',
      'high single-provider dns cloudflare',
      'high single-provider cdn cloudflare',
      'medium single-provider ca google',
    ]);
  });

  it('Cloudflare name servers alone do not make Cloudflare the CDN', () => {
    expect(rows({ domain: 'www.example.com', ns: cfNs, addresses: [addr('52.6.1.1', 16509)] })).toEqual([
      ['dns', 'cloudflare'],
      ['cloud', 'aws'],
    ]);
  });

  it('CloudFront: its AWS addresses are the edge, not a separate cloud dependency', () => {
    const d = deps({
      domain: 'www.example.com',
      ns: r53,
      cnames: ['d1.cloudfront.net'],
      addresses: [addr('18.64.1.1', 16509)],
      headers: { 'x-amz-cf-id': 'abc' },
    });
    expect(d.map((x) => `${x.layer}:${x.provider}:${x.service ?? ''}`)).toEqual([
      'dns:aws:route53',
      'cdn:aws:cloudfront',
    ]);
    expect(d[1]!.evidence.map((e) => e.signal).sort()).toEqual(['asn', 'cname', 'header']);
  });

  it('Cloudflare in front of CloudFront keeps both, outermost first', () => {
    expect(
      rows({
        domain: 'www.example.com',
        addresses: [addr('104.16.1.1', 13335)],
        headers: { 'cf-ray': 'x', 'x-amz-cf-id': 'y' },
      }),
    ).toEqual([
      ['cdn', 'cloudflare'],
      ['cdn', 'aws', { service: 'cloudfront', order: 1 }],
    ]);
  });

  it('ELB names its service and region', () => {
    expect(
      rows({
        domain: 'api.example.com',
        cnames: ['x.us-east-1.elb.amazonaws.com'],
        addresses: [addr('52.6.1.1', 16509)],
      }),
    ).toEqual([['cloud', 'aws', { service: 'elb', region: 'us-east-1' }]]);
  });

  it('Shopify behind Cloudflare: both single paths, Cloudflare in front and explained by the relation', () => {
    const spec: ObsSpec = {
      domain: 'shop.example.com',
      cnames: ['shops.myshopify.com'],
      addresses: [addr('23.227.38.65', 13335)],
      headers: { 'x-shopid': '1', 'cf-ray': 'z' },
    };
    expect(rows(spec)).toEqual([
      ['cdn', 'cloudflare', { via: 'shopify' }],
      ['cdn', 'shopify', { order: 1 }],
    ]);
    expect(codes(spec)).toEqual(['high single-provider cdn cloudflare', 'high single-provider cdn shopify']);
  });

  it('GitHub Pages on Fastly: a serial chain, both single', () => {
    expect(
      rows({
        domain: 'docs.example.com',
        cnames: ['example.github.io'],
        addresses: [addr('185.199.108.153', 54113)],
        headers: { 'x-github-request-id': 'a', 'x-served-by': 'cache-ams1' },
      }),
    ).toEqual([
      ['cdn', 'fastly', { via: 'github' }],
      ['cdn', 'github', { service: 'pages', order: 1 }],
    ]);
  });

  it('Vercel: cdn vercel, and aws through it', () => {
    expect(
      rows({
        domain: 'app.example.com',
        cnames: ['cname.vercel-dns.com'],
        addresses: [addr('76.76.21.21', 16509)],
        headers: { 'x-vercel-id': 'fra1' },
      }),
    ).toEqual([
      ['cdn', 'vercel'],
      ['cloud', 'aws', { via: 'vercel' }],
    ]);
  });

  it('a relation alone adds the hosting dependency when addresses do not show it', () => {
    const d = deps({ domain: 'app.example.com', cnames: ['cname.vercel-dns.com'] });
    expect(d.find((x) => x.layer === 'cloud')).toMatchObject({ provider: 'aws', via: 'vercel' });
    expect(d.find((x) => x.layer === 'cloud')!.evidence).toEqual([
      { signal: 'relation', value: 'vercel runs on aws' },
    ]);
  });

  it('a weak header alone never decides', () => {
    expect(rows({ domain: 'www.example.com', headers: { via: '1.1 varnish', server: 'nginx' } })).toEqual([]);
  });

  it('two DNS providers are redundant: no single-provider at dns', () => {
    const spec: ObsSpec = { domain: 'www.example.com', ns: [...cfNs, ...r53] };
    expect(rows(spec)).toEqual([
      ['dns', 'aws', { service: 'route53' }],
      ['dns', 'cloudflare'],
    ]);
    expect(codes(spec)).toEqual(['info redundant dns']);
  });

  it('vanity name servers on a provider network are that provider', () => {
    expect(
      rows({
        domain: 'www.example.com',
        ns: [host('ns1.example.com', addr('173.245.58.1', 13335)), host('ns2.example.com')],
      }),
    ).toEqual([
      ['dns', 'cloudflare'],
      ['dns', 'self'],
    ]);
  });

  it('a DNS-only network identifies vanity name servers but never a web host', () => {
    expect(
      rows({ domain: 'www.example.com', ns: [host('ns1.example.com', addr('198.51.44.1', 62597))] }),
    ).toEqual([['dns', 'ns1']]);
    expect(rows({ domain: 'www.example.com', addresses: [addr('198.51.44.9', 62597)] })).toEqual([
      ['cloud', 'as62597'],
    ]);
  });

  it('self-hosted: own name servers and mail are self, never a risk', () => {
    const spec: ObsSpec = {
      domain: 'www.example.org',
      ns: [host('ns1.example.org', addr('198.51.100.2')), host('ns2.example.org', addr('198.51.100.3'))],
      mx: [host('mail.example.org', addr('198.51.100.25'))],
      addresses: [addr('198.51.100.10')],
      issuer: { O: "Let's Encrypt", CN: 'R11' },
    };
    expect(rows(spec)).toEqual([
      ['dns', 'self'],
      ['ca', 'letsencrypt'],
      ['email', 'self'],
    ]);
    expect(codes(spec)).toEqual(['medium single-provider ca letsencrypt']);
  });

  it('addresses in an AS named after the organisation are self; --own-asn declares more', () => {
    const spec = observation({
      domain: 'www.example.com',
      addresses: [addr('203.0.113.5', 64500, 'Example Networks')],
    });
    expect(classify(spec, catalogue)).toEqual([]);
    const other = observation({
      domain: 'www.acme.com',
      addresses: [addr('203.0.113.5', 64501, 'Hosting Co')],
    });
    expect(classify(other, catalogue).map((d) => d.provider)).toEqual(['as64501']);
    expect(classify(other, catalogue, { ownAsns: [64501] })).toEqual([]);
  });

  it('a provider the catalogue knows is never mistaken for the site itself (cloud.com on Cloudflare)', () => {
    expect(
      rows({ domain: 'www.cloud.com', addresses: [addr('104.16.1.1', 13335, 'Cloudflare, Inc.')] }),
    ).toEqual([['cdn', 'cloudflare']]);
    expect(
      rows({
        domain: 'www.cloud.com',
        ns: [host('ns1.cloud.com', addr('173.245.58.1', 13335, 'Cloudflare, Inc.'))],
      }),
    ).toEqual([['dns', 'cloudflare']]);
    // A word of the name, not a substring: "Cloudflare" is not "cloud"; "Halden Systems AS" is haldensystems.
    const own = observation({
      domain: 'portal.haldensystems.no',
      addresses: [addr('203.0.113.9', 64510, 'Halden Systems AS')],
    });
    expect(classify(own, catalogue)).toEqual([]);
    const other = observation({
      domain: 'www.cloud.com',
      addresses: [addr('203.0.113.9', 64511, 'Cloudhost Ltd')],
    });
    expect(classify(other, catalogue).map((d) => d.provider)).toEqual(['as64511']);
  });

  it('unknown third parties are named by their registrable domain and still counted', () => {
    const spec: ObsSpec = {
      domain: 'www.example.com',
      ns: [host('ns1.tinydns.example.net'), host('ns2.tinydns.example.net')],
    };
    expect(rows(spec)).toEqual([['dns', 'example.net']]);
    expect(codes(spec)).toEqual(['high single-provider dns example.net']);
  });

  it('mail with a backup MX at another provider is redundant', () => {
    expect(
      codes({
        domain: 'example.com',
        mx: [host('aspmx.l.google.com'), host('inbound-smtp.us-east-1.amazonaws.com')],
      }),
    ).toEqual(['info redundant email']);
  });

  it('a self-signed certificate is self', () => {
    expect(
      rows({
        domain: 'www.example.com',
        issuer: { CN: 'www.example.com' },
        subject: { CN: 'www.example.com' },
      }),
    ).toEqual([['ca', 'self']]);
  });

  it('parent companies share fate: NS1 DNS and an IBM-parented provider elsewhere', () => {
    const d: Dependency[] = [
      { layer: 'dns', provider: 'ns1', evidence: [] },
      { layer: 'cloud', provider: 'ibm', evidence: [] },
    ];
    const risks = domainRisks(d, { parents: { ns1: 'ibm' } });
    expect(risks.find((r) => r.kind === 'shared-fate')).toMatchObject({
      provider: 'ibm',
      severity: 'critical',
    });
  });

  it('two ids of one company are not redundant (Linode is Akamai)', () => {
    const d: Dependency[] = [
      { layer: 'dns', provider: 'linode', evidence: [] },
      { layer: 'dns', provider: 'akamai', evidence: [] },
      { layer: 'cdn', provider: 'akamai', evidence: [] },
    ];
    const risks = domainRisks(d, { parents: { linode: 'akamai' } });
    expect(risks.map((r) => [r.severity, r.kind, r.layer, r.provider].filter(Boolean).join(' '))).toEqual([
      'critical shared-fate akamai',
      'high single-provider dns akamai',
      'high single-provider cdn akamai',
    ]);
  });

  it('output is deterministic whatever the order of the facts', () => {
    const a = deps({
      domain: 'www.example.com',
      ns: [...cfNs, ...r53],
      addresses: [addr('104.16.1.1', 13335), addr('52.6.1.1', 16509)],
    });
    const b = deps({
      domain: 'www.example.com',
      ns: [...r53, ...cfNs].reverse(),
      addresses: [addr('52.6.1.1', 16509), addr('104.16.1.1', 13335)],
    });
    expect(a).toEqual(b);
  });
});
