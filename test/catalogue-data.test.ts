import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDomain, getPublicSuffix } from 'tldts';
import { describe, expect, it } from 'vitest';
import type { Catalogue } from '../src/catalogue/catalogue.js';
import { builtinCatalogueDir, loadCatalogue } from '../src/catalogue/load.js';
import type { CatalogueFile, ProviderSpec } from '../src/catalogue/schema.js';
import type { Layer } from '../src/types.js';

// The built-in catalogue against its public contract (shared/PROVIDERS.md, copied here so the
// suite stays hermetic): every id exists, with the kinds of signal its layer names.

const words = (text: string): string[] => text.split(' ');

const CONTRACT: Record<Layer, string[]> = {
  dns: words(
    'cloudflare aws microsoft google ns1 oracle ultradns akamai godaddy namecheap dnsimple ' +
      'dnsmadeeasy gandi ovh hetzner digitalocean linode vercel netlify wix squarespace alibaba tencent ' +
      'csc markmonitor constellix easydns he',
  ),
  cdn: words(
    'cloudflare aws fastly akamai microsoft google vercel netlify imperva sucuri bunny keycdn cdn77 ' +
      'stackpath edgio alibaba tencent fly render heroku github shopify squarespace wix wpengine gcore ' +
      'cachefly medianova section',
  ),
  cloud: words(
    'aws google microsoft oracle ibm digitalocean linode hetzner ovh alibaba tencent vultr scaleway ' +
      'upcloud contabo',
  ),
  ca: words(
    'letsencrypt google digicert sectigo globalsign aws microsoft entrust godaddy zerossl sslcom ' +
      'buypass identrust certum actalis',
  ),
  email: words(
    'google microsoft proofpoint mimecast barracuda cisco zoho aws fastmail mailgun sendgrid ' +
      'protonmail yandex ovh trendmicro sophos',
  ),
};

/** Kinds of evidence the contract names per layer ("address" = ASN or CIDR of A/AAAA). */
type Kind = 'ns' | 'mx' | 'issuer' | 'cname' | 'header' | 'address';
const REQUIRED: Record<Layer, Kind[]> = {
  dns: ['ns'],
  cdn: ['cname', 'header', 'address'],
  cloud: ['cname', 'address'],
  ca: ['issuer'],
  email: ['mx'],
};

/**
 * Where no real signal of that kind exists; each reason is also in the data file's $comment.
 * The ASN of vanity NS/MX addresses is not listed: asn signals take layer cdn or cloud only.
 */
const NO_SIGNAL: Record<string, string> = {
  'dns/netlify/ns':
    'Netlify DNS serves from NS1 shared name servers (dnsN.p0X.nsone.net); netlify runsOn ns1',
  'cdn/heroku/address': 'runs on AWS addresses, no ASN of its own',
  'cdn/wpengine/address': 'runs on Google Cloud and Cloudflare addresses',
  'cdn/section/address': 'no ASN of its own',
  'cdn/tencent/address': "Tencent's CDN shares the cloud ASNs (layer cloud)",
  'cdn/stackpath/address': 'its former ASNs are held by other organisations now',
};

const CNAME_ONLY = new Set(
  words(
    'advancedhosters afxcdn ananke att baishan bisongrid bluehat bolt cdnify cndns cubecdn dbappsecurity internap ' +
      'jdcloud juragancdn lambdacdn mediacloud mirrorimage pagerain qihoo360 reapleaf reflected sangfor sfr ' +
      'simplecdn swiftcdn tata telefonica telenor tengzheng trbcdn turbobytes universalcdn vegacdn voxcdn wangdi ' +
      // Cloud WAFs known only by the response header wafw00f matches them on.
      'anquanbao blockdos cloudfloor comodo eisoo greywizard indusface mizbancloud newdefend nullddos puhui ' +
      'secking sotoon statically twicpics ucloud wallarm webland wts zscaler ' +
      // Hosting companies and platforms known only by the header Wappalyzer matches them on.
      'amazeeio brimble cloudguard deta diamondcdn elementor fireblade guardflame keloncloud mercurycloud ' +
      'nestify platformos pythonanywhere zeabur aruba bernet chabokan guideit motherhost parmincloud rosti ' +
      'seravo smilii starhost',
  ),
);

const GOALS: Record<Layer, number> = { cdn: 60, dns: 40, cloud: 20, ca: 20, email: 25 };

function kindsFor(spec: ProviderSpec, layer: Layer): Set<Kind> {
  const s = spec.signals;
  const out = new Set<Kind>();
  if (layer === 'dns' && s.ns?.length) out.add('ns');
  if (layer === 'email' && s.mx?.length) out.add('mx');
  if (layer === 'ca' && s.issuer?.length) out.add('issuer');
  if (s.cname?.some((r) => r.layer === layer)) out.add('cname');
  if ([...(s.header ?? []), ...(s.cookie ?? [])].some((r) => r.layer === layer && !r.weak)) out.add('header');
  if ([...(s.asn ?? []), ...(s.cidr ?? [])].some((r) => r.layer === layer)) out.add('address');
  return out;
}

function dataFiles(): { name: string; data: CatalogueFile & { $comment?: unknown } }[] {
  const dir = builtinCatalogueDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, data: JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
}

describe('built-in catalogue', () => {
  let catalogue: Catalogue;

  it('loads without a validation error or a clash', () => {
    catalogue = loadCatalogue();
    expect(catalogue.size).toBeGreaterThan(100);
  });

  it('has every contract id with the signal kinds its layers name', () => {
    const missing: string[] = [];
    for (const [layer, ids] of Object.entries(CONTRACT) as [Layer, string[]][]) {
      for (const id of ids) {
        const spec = catalogue.providers.get(id);
        if (!spec) {
          missing.push(`${id}: not in the catalogue`);
          continue;
        }
        const kinds = kindsFor(spec, layer);
        for (const kind of REQUIRED[layer])
          if (!kinds.has(kind) && !NO_SIGNAL[`${layer}/${id}/${kind}`])
            missing.push(`${id}: no ${kind} signal for ${layer}`);
        if (!catalogue.layersOf(id).includes(layer) && !NO_SIGNAL[`${layer}/${id}/ns`])
          missing.push(`${id}: no ${layer} layer`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists exemptions only where the signal is really absent', () => {
    for (const key of Object.keys(NO_SIGNAL)) {
      const [layer, id, kind] = key.split('/') as [Layer, string, Kind];
      expect(CONTRACT[layer], key).toContain(id);
      expect(kindsFor(catalogue.providers.get(id)!, layer).has(kind), key).toBe(false);
    }
  });

  it('meets the breadth goals per layer', () => {
    const byLayer = Object.fromEntries(Object.keys(GOALS).map((l) => [l, 0])) as Record<Layer, number>;
    const byKind: Record<string, number> = {};
    for (const id of catalogue.providers.keys()) {
      for (const layer of catalogue.layersOf(id)) byLayer[layer]++;
      for (const [kind, n] of Object.entries(catalogue.signalCounts(id)))
        byKind[kind] = (byKind[kind] ?? 0) + n;
    }
    console.log(`catalogue: ${catalogue.size} providers`);
    console.log(`providers per layer: ${JSON.stringify(byLayer)}`);
    console.log(`signals per kind: ${JSON.stringify(byKind)}`);
    for (const [layer, goal] of Object.entries(GOALS))
      expect(byLayer[layer as Layer], layer).toBeGreaterThanOrEqual(goal);
  });

  it('gives most providers more than one kind of signal', () => {
    const kindsOf = (p: ProviderSpec) => Object.entries(p.signals).filter(([, list]) => list?.length).length;
    // Regional and defunct CDNs known only by the CNAME suffixes of peers' tables, and cloud WAFs
    // known only by one header (edge.json $comment): listed so the share stays honest.
    for (const id of CNAME_ONLY) expect(kindsOf(catalogue.providers.get(id)!), id).toBe(1);
    const single = [...catalogue.providers.values()].filter((p) => kindsOf(p) < 2 && !CNAME_ONLY.has(p.id));
    // Pure DNS hosts, mail hosts and CAs have one kind by nature; platforms should have two.
    const platforms = single.filter((p) =>
      catalogue.layersOf(p.id).some((l) => l === 'cdn' || l === 'cloud'),
    );
    expect(platforms.length / catalogue.size).toBeLessThan(0.15);
  });
});

describe('catalogue data files', () => {
  const files = dataFiles();

  it('are the five role files, each with source notes and providers sorted by id', () => {
    expect(files.map((f) => f.name)).toEqual([
      'ca.json',
      'cloud.json',
      'dns.json',
      'edge.json',
      'email.json',
    ]);
    for (const { name, data } of files) {
      expect(Array.isArray(data.$comment), name).toBe(true);
      const ids = data.providers.map((p) => p.id);
      expect(ids, name).toEqual([...ids].sort());
    }
  });

  const specs = files.flatMap((f) => f.data.providers);

  it('anchor host patterns at the end and give every region regex a region group', () => {
    const bad: string[] = [];
    for (const p of specs) {
      for (const kind of ['cname', 'ns', 'mx'] as const) {
        for (const [i, r] of (p.signals[kind] ?? []).entries()) {
          if (r.pattern && !r.pattern.endsWith('$')) bad.push(`${p.id}.${kind}[${i}].pattern`);
          if (r.region && !r.region.includes('(?<region>')) bad.push(`${p.id}.${kind}[${i}].region`);
        }
      }
      for (const [i, r] of (p.signals.issuer ?? []).entries())
        if (!r.o?.startsWith('^')) bad.push(`${p.id}.issuer[${i}]: anchor on O`);
    }
    expect(bad).toEqual([]);
  });

  it('list own domains that are registrable and never a zone customers get names under', () => {
    const bad: string[] = [];
    for (const p of specs) {
      for (const d of p.domains ?? []) {
        if (getDomain(d, { allowPrivateDomains: false }) !== d) bad.push(`${p.id}: ${d} is not registrable`);
        if (getPublicSuffix(d, { allowPrivateDomains: true }) === d)
          bad.push(`${p.id}: ${d} is a public suffix`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('relate providers only through layers they have', () => {
    const catalogue = loadCatalogue();
    const bad: string[] = [];
    for (const p of specs) {
      for (const r of p.runsOn ?? []) {
        if (p.id === 'netlify' && r.from === 'dns') continue; // see NO_SIGNAL: the relation is the signal
        if (!catalogue.layersOf(p.id).includes(r.from))
          bad.push(`${p.id} runsOn ${r.provider}: no ${r.from}`);
        if (!catalogue.layersOf(r.provider).includes(r.layer))
          bad.push(`${p.id} runsOn ${r.provider}: ${r.layer}?`);
      }
    }
    expect(bad).toEqual([]);
  });
});
