import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { escapeHtml } from '../src/report/escape.js';
import { renderHtml } from '../src/report/html/index.js';
import { hhiBand } from '../src/report/html/labels.js';
import { slug, uniqueIds } from '../src/report/html/template.js';
import type { AuditDocument, DomainResult, LayerSummary } from '../src/types.js';
import { SEVERITIES } from '../src/types.js';

const fixture = (): AuditDocument =>
  JSON.parse(readFileSync(new URL('./fixtures/html-doc.json', import.meta.url), 'utf8')) as AuditDocument;

const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  `<img src=x onerror="document.body.setAttribute('data-pwned','1')">`,
  `<script>document.title='PWNED'</script>`,
];

const TAGS = new Set(
  'html head meta link title style body div section header h1 h2 h3 h4 span b time nav a article ol ul li p svg rect table thead tbody tr th td details summary sup code dl dt dd footer polyline'.split(
    ' ',
  ),
);
const ATTRS = new Set(
  'lang charset http-equiv content name rel href class id title scope viewbox preserveaspectratio aria-hidden width height x y points transform'.split(
    ' ',
  ),
);

interface Tag {
  name: string;
  attrs: [string, string][];
}

/** Every tag of the page, and whatever `<` was left outside a tag (must be nothing). */
function scan(page: string): { tags: Tag[]; stray: string[] } {
  const tags: Tag[] = [];
  const body = page.replace(/<style>[^<]*<\/style>/, '<style></style>').replace(/^<!DOCTYPE html>/, '');
  const rest = body.replace(
    /<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*\/?>/g,
    (_m, name: string, attrText: string) => {
      const attrs: [string, string][] = [];
      for (const a of attrText.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'))?/g)) {
        attrs.push([a[1]!.toLowerCase(), a[2] ?? a[3] ?? '']);
      }
      tags.push({ name: name.toLowerCase(), attrs });
      return '';
    },
  );
  return { tags, stray: rest.match(/<.{0,40}/g) ?? [] };
}

/** Structural safety: known tags and attributes only, no handlers, no URLs but fragments and data:. */
function unsafeParts(page: string): string[] {
  const { tags, stray } = scan(page);
  const bad = stray.map((s) => `stray ${s}`);
  for (const t of tags) {
    if (!TAGS.has(t.name)) bad.push(`tag <${t.name}>`);
    for (const [name, value] of t.attrs) {
      if (!ATTRS.has(name)) bad.push(`attribute ${name} on <${t.name}>`);
      if (name === 'href' && !/^(#[a-z0-9-]+|data:,)$/.test(value)) bad.push(`href=${value}`);
      if (name === 'id' && !/^[a-z0-9-]+$/.test(value)) bad.push(`id=${value}`);
      if (name === 'class' && !/^[a-z0-9-]+( [a-z0-9-]+)*$/.test(value)) bad.push(`class=${value}`);
    }
  }
  return bad;
}

const section = (page: string, id: string) => {
  const start = page.indexOf(`<section id="${id}"`);
  return page.slice(start, page.indexOf('</section>', start));
};
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('renderHtml: self-contained and script-free', () => {
  const page = renderHtml(fixture());

  it('is one HTML5 document with a strict CSP before any content', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    const csp = page.indexOf(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:;`,
    );
    expect(csp).toBeGreaterThan(0);
    expect(csp).toBeLessThan(page.indexOf('<title>'));
    expect(csp).toBeLessThan(page.indexOf('<style>'));
  });

  it('loads nothing and runs nothing', () => {
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(
      /\s(src|href|action|formaction|xlink:href)\s*=\s*["']?\s*(https?:|\/\/|javascript:)/i,
    );
    expect(page).not.toMatch(/url\(|@import/i);
    expect(page).not.toMatch(/<(img|iframe|object|embed|base|form|input|audio|video|source)\b/i);
    expect(unsafeParts(page)).toEqual([]);
  });

  it('shows every injected payload as escaped text only', () => {
    for (const p of PAYLOADS) {
      expect(page.includes(p), p).toBe(false);
      expect(page.includes(escapeHtml(p)), p).toBe(true);
    }
    // In header values, certificate subject/issuer, provider service names, region and via.
    const evil = page.slice(page.indexOf('<details class="domain" id="d-evil-example"'));
    expect(evil).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(evil).toContain('<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(evil).toContain('<td>javascript:alert(1)</td>');
    expect(evil).toContain(
      'CN=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;, O=&lt;script&gt;document.title=',
    );
    expect(evil).toContain('<b>server</b>: &lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;');
    expect(page).not.toMatch(/=\s*["']?javascript:/i);
  });

  it('derives ids and classes from data as [a-z0-9-] and links only to existing ids', () => {
    const { tags } = scan(page);
    const ids = tags.flatMap((t) => t.attrs.filter(([n]) => n === 'id').map(([, v]) => v));
    expect(new Set(ids).size).toBe(ids.length);
    const hrefs = tags.flatMap((t) => t.attrs.filter(([n, v]) => n === 'href' && v.startsWith('#')));
    for (const [, h] of hrefs) expect(ids).toContain(h.slice(1));
    expect(slug('Evil"><Svg onload=x>.Example')).toBe('evil-svg-onload-x-example');
    expect(slug('<<>>')).toBe('x');
    expect(uniqueIds('d', ['a.b', 'a-b', 'a.b', 'A_B'])).toEqual(['d-a-b', 'd-a-b-2', 'd-a-b-3', 'd-a-b-4']);
  });
});

describe('renderHtml: contents', () => {
  const doc = fixture();
  const page = renderHtml(doc);

  it('has a header with generatedAt and the counts, and a figure per severity', () => {
    expect(page).toContain('<title>singlepath report — 2026-06-20T08:30:00.000Z</title>');
    expect(page).toContain('<time>2026-06-20T08:30:00.000Z</time>');
    expect(page).toContain('<b>8</b> domains · <b>1</b> failed · <b>24</b> findings');
    for (const s of SEVERITIES) {
      expect(page).toContain(`<span class="n">${doc.summary.findings[s]}</span><span class="l">${s}</span>`);
    }
  });

  it('draws one share bar per provider, top 8 per layer, with % labels', () => {
    const conc = section(page, 'concentration');
    const expected = doc.summary.layers.reduce((n, l) => n + Math.min(8, l.providers.length), 0);
    expect(count(conc, '<svg class="bar"')).toBe(expected);
    expect(conc).toMatch(
      /title="cloudflare">cloudflare<\/span><svg class="bar"[\s\S]*?<rect class="bar-fill" width="37.50"[\s\S]*?<b>37.5%<\/b>/,
    );
    expect(conc).toMatch(
      /title="google">google<\/span><svg class="bar"[^<]*<rect[^>]*><rect class="bar-fill" width="37.50" height="10"\/><\/svg><span class="share-val"><b>37.5%<\/b> <span class="muted">3</,
    );

    const many: LayerSummary = {
      layer: 'cdn',
      covered: 11,
      hhi: 909,
      providers: Array.from({ length: 11 }, (_, i) => ({ provider: `p${i}`, domains: 1, share: 1 / 11 })),
    };
    const wide = renderHtml({ ...doc, summary: { ...doc.summary, layers: [many] } });
    expect(count(section(wide, 'concentration'), '<svg class="bar"')).toBe(8);
    expect(wide).toContain('+3 more providers not shown');
  });

  it('names the HHI band in plain words', () => {
    expect([1499, 1500, 2500, 2501].map((h) => hhiBand(h).words)).toEqual([
      'unconcentrated',
      'moderately concentrated',
      'moderately concentrated',
      'highly concentrated',
    ]);
    const conc = section(page, 'concentration');
    expect(conc).toMatch(/HHI 3889<\/span><span class="hhi-band">highly concentrated/);
    expect(conc).toMatch(/HHI 1837<\/span><span class="hhi-band">moderately concentrated/);
  });

  it('ranks the blast radius by domains down, then degraded, then name', () => {
    const rows = [...section(page, 'blast').matchAll(/<th scope="row" class="prov">([^<]*)<\/th>/g)].map(
      (m) => m[1],
    );
    expect(rows.slice(0, 4)).toEqual(['aws', 'cloudflare', 'acme-cdn', 'akamai']);
    expect(rows.indexOf('google')).toBe(7);
    expect(rows.at(-1)).toBe('ns1');
    expect(rows).toHaveLength(doc.summary.blastRadius.length);
  });

  it('has a matrix row per domain with layer letters and series/alternative marks', () => {
    const mx = section(page, 'matrix');
    const rows = [...mx.matchAll(/<tr class="mx-row"><th scope="row"><a href="#[^"]+">([^<]+)<\/a>/g)].map(
      (m) => m[1],
    );
    expect(rows).toEqual(doc.domains.map((d) => d.domain).sort());
    const row = (d: string) =>
      mx.slice(mx.indexOf(`>${d}</a>`), mx.indexOf('</tr>', mx.indexOf(`>${d}</a>`)));
    // Shopify in front of Cloudflare: series positions 1 and 2; DNS at cloudflare only is a single path.
    expect(row('shop.example.com')).toContain(
      '<span class="lt lt-dns spof" title="DNS: single path">D</span>',
    );
    expect(row('shop.example.com')).toMatch(
      /lt-cdn spof" title="CDN \/ edge: in series, position 1 of 2[^>]*>C<sup>1<\/sup>/,
    );
    expect(row('shop.example.com')).toMatch(
      /lt-cdn" title="CDN \/ edge: in series, position 2 of 2[^>]*>C<sup>2<\/sup>/,
    );
    // NS at aws and ns1 are alternatives; MX self + google backup too.
    expect(row('www.example.com')).toMatch(/lt-dns alt"[^>]*>D<span class="mark">∥<\/span>/);
    expect(row('example.net')).toMatch(/lt-email alt"[^>]*>E<span class="mark">∥<\/span>/);
    expect(row('legacy.example.com')).toContain('<span class="tag err">error</span>');
  });

  it('has a <details> per domain with dependencies, evidence, findings and errors', () => {
    const domains = section(page, 'domains');
    expect(count(domains, '<details class="domain"')).toBe(doc.domains.length);
    const shop = domains.slice(domains.indexOf('id="d-shop-example-com"'));
    expect(shop).toContain('<th scope="row" class="prov">cloudflare</th><td></td><td></td><td>shopify</td>');
    expect(shop).toContain('<span class="sig">header</span> <code>powered-by: Shopify</code>');
    expect(shop).toContain(
      '<span class="sev sev-high">high</span> <span class="kind">single-provider</span>',
    );
    const api = domains.slice(domains.indexOf('id="d-api-example-com"'));
    expect(api).toContain('<td>Elastic Load Balancing</td><td>eu-west-1</td>');
    expect(domains).toContain(
      '<p class="error"><b>TIMEOUT</b> no answer from 127.0.0.1:5353 after 3 tries</p>',
    );
  });

  it('prints readably and compactly: details open but raw observations left out, few page breaks', () => {
    const print = page.slice(page.indexOf('@media print'));
    expect(print).toContain('details::details-content{content-visibility:visible;display:block}');
    expect(print).toContain('details.obs-wrap{display:none}');
    expect(print).toContain('section{break-before:auto}');
    // The page count itself is measured in a real browser (report-html-browser).
    expect(print).not.toContain('break-before:page');
    expect(print).toContain('ul.findings{columns:2');
  });
});

describe('renderHtml: deterministic and pure', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the same bytes whatever the clock, the input order or the locale', () => {
    const doc = fixture();
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const a = renderHtml(doc);
    vi.setSystemTime(new Date('1999-12-31T23:59:59Z'));
    const shuffled: AuditDocument = {
      ...doc,
      domains: [...doc.domains].reverse().map((d) => ({
        ...d,
        dependencies: [...d.dependencies].reverse(),
        risks: [...d.risks].reverse(),
      })),
      summary: {
        ...doc.summary,
        layers: [...doc.summary.layers]
          .reverse()
          .map((l) => ({ ...l, providers: [...l.providers].reverse() })),
        blastRadius: [...doc.summary.blastRadius].reverse(),
      },
    };
    expect(renderHtml(shuffled)).toBe(a);
    expect(a).not.toContain('2030');
  });

  it('does not modify the document', () => {
    const doc = fixture();
    const before = JSON.stringify(doc);
    renderHtml(doc);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('escapes any string from the network wherever it lands (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const base = fixture();
    const victim = base.domains.find((d) => d.domain === 'shop.example.com')!;
    fc.assert(
      fc.property(fc.array(text, { minLength: 12, maxLength: 12 }), (s) => {
        const [domain, provider, service, region, via, value, header, cn, o, message, error, generatedAt] =
          s as [string, ...string[]];
        const d: DomainResult = {
          ...victim,
          domain,
          error: { code: error!, message: error! },
          dependencies: [
            ...victim.dependencies,
            {
              layer: 'cdn',
              provider: provider!,
              service,
              region,
              via,
              evidence: [{ signal: 'header', value: value! }],
            },
          ],
          risks: [
            {
              kind: 'single-provider',
              severity: 'high',
              layer: 'cdn',
              provider,
              args: {},
              message: message!,
            },
          ],
          observations: {
            ...victim.observations,
            http: { ...victim.observations.http!, headers: { [header!]: [value!] } },
            tls: {
              ...victim.observations.tls!,
              subject: { CN: cn, O: o },
              issuer: { CN: o, O: cn },
              san: [cn!],
            },
          },
        };
        const doc: AuditDocument = {
          ...base,
          generatedAt: generatedAt!,
          domains: [...base.domains, d],
          summary: {
            ...base.summary,
            blastRadius: [
              ...base.summary.blastRadius,
              { provider: provider!, downCount: 1, degradedCount: 0, down: [domain], degraded: [] },
            ],
            layers: base.summary.layers.map((l) =>
              l.layer === 'cdn'
                ? { ...l, providers: [...l.providers, { provider: provider!, domains: 1, share: 0.5 }] }
                : l,
            ),
          },
        };
        expect(unsafeParts(renderHtml(doc))).toEqual([]);
      }),
      { numRuns: 150, seed: 20260620 },
    );
  });
});
