import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarise } from '../src/analyse/portfolio.js';
import { render } from '../src/report/index.js';
import type { AuditDocument, DomainResult, IndirectDependency } from '../src/types.js';
import { result } from './helpers/results.js';

// The study table as a reader sees it: markdown for tickets, HTML with the impact curve.

const via = (cdn: string, provider: string, zone: string): IndirectDependency => ({
  layer: 'dns',
  provider,
  indirect: true,
  through: { layer: 'cdn', provider: cdn },
  zone,
  depth: 1,
  path: [`cdn: ${cdn}`, `dns of ${zone}`],
  evidence: [],
});

const EVIL = '<script>x</script>|evil';

function doc(): AuditDocument {
  const results: DomainResult[] = [
    {
      ...result('a.test', [
        ['dns', 'ultradns'],
        ['cdn', 'akamai'],
      ]),
      indirect: [via('akamai', 'ultradns', 'akamaiedge.net')],
    },
    {
      ...result('b.test', [
        ['dns', 'cloudflare'],
        ['cdn', 'akamai'],
      ]),
      indirect: [via('akamai', 'ultradns', 'akamaiedge.net')],
    },
    {
      ...result('c.test', [
        ['dns', 'cloudflare'],
        ['cdn', EVIL],
      ]),
      indirect: [via(EVIL, 'ultradns', 'evil.net')],
    },
    result('d.test', [
      ['dns', 'ultradns'],
      ['dns', 'aws'],
    ]),
  ];
  return {
    schema: 1,
    tool: { name: 'singlepath', version: '0.1.0' },
    generatedAt: '2026-01-01T00:00:00.000Z',
    options: {},
    domains: results,
    summary: summarise(results),
  };
}

describe('report --format markdown: the study view', () => {
  const md = render(doc(), 'markdown', { color: false });

  it('has the per-layer table with counts and shares', () => {
    expect(md).toContain('## Third-party dependency (IMC 2020)');
    expect(md).toContain(
      '| layer | third party | critically dependent | redundant | top-3 providers (union) | HHI |',
    );
    expect(md).toContain('| DNS | 4 (100.0%) | 3 (75.0%) | 1 (25.0%) | 75.0% | 5556 |');
  });

  it('has the concentration curve k = 1..10', () => {
    expect(md).toContain('| layer | k=1 | k=2 | k=3 | k=4 | k=5 | k=6 | k=7 | k=8 | k=9 | k=10 |');
    expect(md).toMatch(/\| DNS \| 50\.0% cloudflare \| 75\.0% ultradns \| {2}\|/);
  });

  it('has amplification with the path, and the provider-to-provider table, escaped', () => {
    expect(md).toContain(
      '| ultradns | 1 | 3 | 3.00 | cdn: \\<script\\>x\\</script\\>\\|evil → dns (1), cdn: akamai → dns (1) |',
    );
    expect(md).toContain('| cdn: akamai | dns: ultradns | 2 | 2 |');
    expect(md).not.toContain('<script>');
  });
});

describe('report --format html: the study view', () => {
  const page = render(doc(), 'html', { color: false });
  const start = page.indexOf('<section id="study"');
  const section = page.slice(start, page.indexOf('</section>', start));

  it('draws an impact curve per layer as inline SVG, no script', () => {
    expect(start).toBeGreaterThan(0);
    expect(section).toContain('<svg class="curve"');
    // dns: 50% then 75% at k = 1, 2 (x from 0 to 100 over k = 1..10, y from 100 down)
    expect(section).toContain('<polyline class="curve-dns" points="0,50 11.11,25"/>');
    expect(page).not.toMatch(/<script/i);
  });

  it('has the table, with provider names escaped', () => {
    expect(section).toContain('<td class="num">3 <span class="muted">75%</span></td>');
    expect(section).toContain('&lt;script&gt;x&lt;/script&gt;|evil');
    expect(section).not.toContain('<script>');
  });

  it('an older document without the study says so and keeps the rest', () => {
    const old = doc();
    delete old.summary.study;
    expect(render(old, 'html', { color: false })).not.toContain('<section id="study"');
    expect(render(old, 'markdown', { color: false })).not.toContain('IMC 2020');
  });
});

describe('the sample snapshot carries the study', () => {
  it('is in samples/golden-snapshot.json', () => {
    const golden = JSON.parse(
      readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
    ) as AuditDocument;
    expect(golden.summary.study?.layers.map((l) => l.layer)).toEqual(['dns', 'cdn', 'cloud', 'ca', 'email']);
  });
});

describe('the CA layer notes', () => {
  it('says how many staple and how many certificates name CRLs only', () => {
    const d = doc();
    const ca = d.summary.study!.layers.find((l) => l.layer === 'ca')!;
    ca.stapled = 2;
    ca.crlOnly = 1;
    const md = render(d, 'markdown', { color: false });
    expect(md).toContain('2 domains staple OCSP: they do not depend critically on their CA.');
    expect(md).toContain('1 domains have a certificate that names CRLs and no OCSP responder');
    expect(render(d, 'html', { color: false })).toContain(
      'names CRLs and no OCSP responder (as Let&#39;s Encrypt&#39;s',
    );
  });
});
