import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarise } from '../src/analyse/portfolio.js';
import type { WhatIfResult } from '../src/analyse/whatif.js';
import { renderHtml } from '../src/report/html/index.js';
import { FORMATS, render, renderNdjsonLine, renderWhatIf } from '../src/report/index.js';
import { layerCell } from '../src/report/summary-text.js';
import type { AuditDocument, Dependency, DomainResult } from '../src/types.js';

const doc = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;
const id = (s: string) => s;
const dep = (provider: string, extra: Partial<Dependency> = {}): Dependency => ({
  layer: 'cdn',
  provider,
  evidence: [],
  ...extra,
});

describe('layer cells', () => {
  it('joins a series chain in order and alternatives with +', () => {
    const deps = [
      dep('c', { order: 2 }),
      dep('a', { order: 0 }),
      dep('b1', { order: 1 }),
      dep('b2', { order: 1 }),
    ];
    expect(layerCell(deps, 'cdn', id)).toBe('a → b1 + b2 → c');
  });

  it('shows service, region and via in parentheses', () => {
    expect(layerCell([dep('aws', { layer: 'cloud', via: 'vercel' })], 'cloud', id)).toBe('aws (via vercel)');
    expect(layerCell([dep('aws', { service: 'cloudfront', region: 'eu-west-1' })], 'cdn', id)).toBe(
      'aws (cloudfront, eu-west-1)',
    );
  });
});

describe('render', () => {
  it('dispatches every format to a string', () => {
    for (const format of FORMATS) expect(render(doc, format, { color: false }).length).toBeGreaterThan(0);
    expect(render(doc, 'html', { color: false })).toBe(renderHtml(doc));
  });

  it('json is the document, pretty-printed with a final newline', () => {
    expect(render(doc, 'json', { color: false })).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('ndjson lines can be streamed one domain at a time', () => {
    const lines = render(doc, 'ndjson', { color: false }).split('\n');
    expect(renderNdjsonLine(doc.domains[0]!)).toBe(`${lines[0]}\n`);
  });

  it('table summary lists the top 10 blast-radius providers and the top 5 per layer', () => {
    const out = render(doc, 'table', { color: false });
    expect(out).toContain('Blast radius (top 10 of 18):');
    expect(out).toMatch(/DNS {5}covered 5\/7 {2}HHI 1667 {2}.*, \+1 more/);
    expect(out.match(/^ {2}\S+(?: \(owns [^)]+\))? +down \d+ {2}degraded \d+$/gm)).toHaveLength(10);
  });

  it('table shows a failed domain’s error code in its risks', () => {
    expect(render(doc, 'table', { color: false })).toMatch(/^broken\.example +error TIMEOUT, high 1$/m);
    expect(render(doc, 'table', { color: false, explain: true })).toMatch(
      /broken\.example .*│ error TIMEOUT +│/,
    );
  });

  it('table fits the width it is given: one line per domain, none longer', () => {
    const out = render(doc, 'table', { color: false, width: 60 });
    for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(out.split('\n').filter((l) => /^[a-z]+\.example /.test(l))).toHaveLength(doc.domains.length);
    // Colour does not change the layout.
    const coloured = render(doc, 'table', { color: true, width: 60 }).replace(/\u001b\[[0-9;]*m/g, '');
    expect(coloured).toBe(out);
  });

  it('table --domain NAME: that domain alone, with its evidence', () => {
    const out = render(doc, 'table', { color: false, domain: 'shop.example' });
    expect(out.startsWith('shop.example\n')).toBe(true);
    expect(out).not.toContain('static.example');
  });

  it('renders an empty portfolio', () => {
    const empty: AuditDocument = { ...doc, domains: [], summary: summarise([]) };
    for (const format of ['table', 'json', 'ndjson', 'csv', 'markdown'] as const) {
      expect(() => render(empty, format, { color: false })).not.toThrow();
    }
    expect(render(empty, 'csv', { color: false }).split('\r\n')).toHaveLength(2);
  });

  it('csv gives a domain without dependencies or findings one row', () => {
    const bare: DomainResult = {
      domain: 'bare.example',
      observations: doc.domains[0]!.observations,
      dependencies: [],
      risks: [],
    };
    const out = render({ ...doc, domains: [bare] }, 'csv', { color: false });
    expect(out.split('\r\n')[1]).toBe('"bare.example","","","","","","","","","","","",""');
  });
});

describe('renderWhatIf', () => {
  const many: WhatIfResult = {
    providers: ['aws'],
    down: [],
    degraded: [],
    survived: [],
    unaffected: Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(2, '0')}.example`),
  };

  it('caps the unaffected list in text formats and keeps it whole in json', () => {
    expect(renderWhatIf(many, 'table', { color: false })).toContain('d19.example, … 5 more');
    expect(renderWhatIf(many, 'markdown', { color: false })).toContain('… 5 more');
    expect(JSON.parse(renderWhatIf(many, 'json', { color: false })).unaffected).toHaveLength(25);
  });
});
