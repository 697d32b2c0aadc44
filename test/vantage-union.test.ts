import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { summarise } from '../src/analyse/portfolio.js';
import { Catalogue } from '../src/catalogue/catalogue.js';
import { classify } from '../src/classify/index.js';
import type { DomainResult, Observation, VantageObservation } from '../src/types.js';
import { addr, host, observation } from './helpers/observation.js';

// The union of what each vantage point saw: pinned with a tiny catalogue, one line per case.

const catalogue = new Catalogue([
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
    id: 'fastly',
    name: 'Fastly',
    signals: { cname: [{ suffix: 'fastly.net', layer: 'cdn' }], asn: [{ asns: [54113], layer: 'cdn' }] },
  },
  {
    id: 'akamai',
    name: 'Akamai',
    signals: { cname: [{ suffix: 'akamaiedge.net', layer: 'cdn' }] },
  },
  {
    id: 'linode',
    name: 'Linode',
    parent: 'akamai',
    signals: { cname: [{ suffix: 'linodeusercontent.com', layer: 'cdn' }] },
  },
  {
    id: 'aws',
    name: 'AWS',
    signals: {
      asn: [{ asns: [16509], layer: 'cloud' }],
      header: [{ name: 'server', pattern: '^AmazonS3$', layer: 'cloud' }],
    },
  },
]);

const CF = { cnames: ['shop.cdn.cloudflare.net'], addresses: [addr('104.16.1.1', 13335)] };
const FASTLY = { cnames: ['shop.map.fastly.net'], addresses: [addr('151.101.1.1', 54113)] };

function vantage(
  label: string,
  seen: { cnames: string[]; addresses: ReturnType<typeof addr>[] },
  ecs: VantageObservation['ecs'] = 'used',
): VantageObservation {
  return {
    vantage: label,
    subnet: '192.0.2.0/24',
    resolver: '127.0.0.1:53',
    status: 'NOERROR',
    cnames: seen.cnames,
    finalName: seen.cnames.at(-1) ?? 'www.shop.com',
    addresses: seen.addresses,
    ecs,
  };
}

function obs(
  vantages: VantageObservation[],
  extra: Parameters<typeof observation>[0] = { domain: 'www.shop.com' },
): Observation {
  const o = observation({ ns: [host('ada.ns.cloudflare.com')], ...CF, ...extra });
  o.dns.vantages = vantages;
  return o;
}

const cdn = (o: Observation) =>
  classify(o, catalogue)
    .filter((d) => d.layer === 'cdn' || d.layer === 'cloud')
    .map((d) => `${d.layer}:${d.provider}#${d.order}${d.vantages ? `@${d.vantages.join('+')}` : ''}`);
const kinds = (o: Observation) =>
  domainRisks(classify(o, catalogue), { parents: { linode: 'akamai' } }).map(
    (f) => `${f.kind}${f.layer ? ` ${f.layer}` : ''}${f.provider ? ` ${f.provider}` : ''}`,
  );

describe('union of vantages', () => {
  it.each([
    ['no vantage', [], ['cdn:cloudflare#0']],
    ['a vantage that agrees', [vantage('eu', CF)], ['cdn:cloudflare#0']],
    [
      'a second CDN elsewhere',
      [vantage('eu', CF), vantage('na', FASTLY)],
      ['cdn:cloudflare#0@default+eu', 'cdn:fastly#0@na'],
    ],
    ['a vantage that ignored ECS', [vantage('na', FASTLY, 'ignored')], ['cdn:cloudflare#0']],
    [
      'a vantage with no usable answer',
      [{ ...vantage('na', FASTLY), status: 'TIMEOUT' as const }],
      ['cdn:cloudflare#0'],
    ],
    [
      'a resolver vantage (no ECS)',
      [{ ...vantage('resolver 127.0.0.2:53', FASTLY, 'none') }],
      ['cdn:cloudflare#0@default', 'cdn:fastly#0@resolver 127.0.0.2:53'],
    ],
  ])('%s', (_name, vantages, expected) => {
    expect(cdn(obs(vantages))).toEqual(expected);
  });

  it('leaves the dependencies exactly as without vantages when every view agrees', () => {
    const plain = classify(obs([]), catalogue);
    expect(classify(obs([vantage('eu', CF), vantage('na', CF)]), catalogue)).toEqual(plain);
  });

  it('does not tie what only headers showed to the default view', () => {
    const o = obs([vantage('na', FASTLY)], { domain: 'www.shop.com', headers: { server: 'AmazonS3' } });
    expect(cdn(o)).toEqual(['cdn:cloudflare#0@default', 'cdn:fastly#0@na', 'cloud:aws#0']);
  });

  it('turns the edge single path into a multi-cdn redundancy', () => {
    expect(kinds(obs([]))).toContain('single-provider cdn cloudflare');
    const multi = obs([vantage('eu', CF), vantage('na', FASTLY)]);
    expect(kinds(multi)).not.toContain('single-provider cdn cloudflare');
    expect(kinds(multi)).toEqual(expect.arrayContaining(['multi-cdn cdn', 'redundant cdn']));
    const finding = domainRisks(classify(multi, catalogue)).find((f) => f.kind === 'multi-cdn');
    expect(finding?.args).toEqual({
      providers: ['cloudflare', 'fastly'],
      seen: ['cloudflare: default, eu', 'fastly: na'],
    });
  });

  it('makes no multi-cdn finding for two ids of one company', () => {
    const o = obs([vantage('na', { cnames: ['x.linodeusercontent.com'], addresses: [] })], {
      domain: 'www.shop.com',
      cnames: ['x.akamaiedge.net'],
      addresses: [],
    });
    expect(cdn(o)).toEqual(['cdn:akamai#0@default', 'cdn:linode#0@na']);
    expect(kinds(o)).not.toContain('multi-cdn cdn');
  });

  it('notes a resolver that ignored ECS once per run, with the domains it concerns', () => {
    const results: DomainResult[] = ['a.shop.com', 'b.shop.com', 'c.shop.com', 'd.shop.com'].map((domain) => {
      const o = obs([vantage('eu', CF, 'ignored'), vantage('na', CF, 'ignored')], { domain });
      return { domain, observations: o, dependencies: classify(o, catalogue), risks: [] };
    });
    const notes = summarise(results).notes;
    expect(notes).toHaveLength(1);
    expect(notes?.[0]).toMatchObject({
      code: 'ecs-ignored',
      resolver: '127.0.0.1:53',
      count: 4,
      examples: ['a.shop.com', 'b.shop.com', 'c.shop.com'],
    });
    // The same examples whatever order the results come in (streamed, merged, kept on disk).
    expect(summarise([...results].reverse()).notes).toEqual(notes);
    expect(summarise(results.map((r) => ({ ...r, observations: obs([]) }))).notes).toBeUndefined();
  });
});
