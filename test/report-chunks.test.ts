import { readFileSync } from 'node:fs';
import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import type { WhatIfResult } from '../src/analyse/whatif.js';
import { BLOCK_ROWS, patchTruncate, tableBlocks } from '../src/report/cli-table.js';
import { escapeJsonText } from '../src/report/escape.js';
import { FORMATS, render, renderChunks, renderWhatIf, WHATIF_FORMATS } from '../src/report/index.js';
import { jsonChunks } from '../src/report/json.js';
import type { AuditDocument } from '../src/types.js';

// Reports come out in pieces so that no string grows with the number of domains (V8 refuses
// strings over 512 MiB: a JSON or HTML report of ~70k domains). The pieces must join into exactly
// the one-string report, and stay small however long the list.

const golden = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;

/** The golden document with its domains repeated under new names up to `n`. */
function longDocument(n: number): AuditDocument {
  const base = golden.domains;
  const domains = Array.from({ length: n }, (_, i) => ({
    ...base[i % base.length]!,
    domain: `d${String(i).padStart(5, '0')}.example`,
  }));
  return { ...golden, domains };
}

describe('renderChunks', () => {
  const doc = longDocument(1200);

  it.each(FORMATS)('%s: small pieces (<= 512 KiB at 1,200 domains) that join into the report', (format) => {
    const pieces = [...renderChunks(doc, format, { color: false, explain: true })];
    expect(pieces.length).toBeGreaterThan(3);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(512 * 1024);
    expect(pieces.join('')).toBe(render(doc, format, { color: false, explain: true }));
  });

  it('json: what JSON.stringify(doc, null, 2) writes, escaped, with a newline', () => {
    expect([...jsonChunks(doc)].join('')).toBe(`${escapeJsonText(JSON.stringify(doc, null, 2))}\n`);
  });

  it('json: the same bytes as JSON.stringify for awkward values at every level', () => {
    const values: unknown[] = [
      {},
      [],
      { a: [], b: {}, c: [[]], d: [{}], e: null },
      { skip: undefined, fn: () => 1, list: [undefined, () => 1, Symbol('s'), 1], when: new Date(0) },
      { deep: { deeper: { deepest: { x: [1, { y: [2, [3]] }] } } } },
      { text: 'line\nbreak "quoted" \u2028 \u202e \u0085 ünï 😀', '': 'empty key', 'k"ey': 1 },
      [1, 'two', [3, [4, [5]]], { six: 6 }],
      { nested: [[{ a: 1 }, []], [{}]] },
      // toJSON gets the member's key (or index) and may drop the member; boxed primitives unbox.
      {
        a: { toJSON: () => undefined },
        b: [{ toJSON: () => undefined }],
        c: { toJSON: (k: string) => `key ${k}` },
      },
      { boxed: new String('x'), list: [new Number(2), new Boolean(false)], map: new Map([[1, 2]]) },
      { arrayWithProps: Object.assign([1], { extra: 2 }), d: [{ toJSON: () => ({ x: [1] }) }] },
    ];
    for (const value of values)
      expect([...jsonChunks(value)].join('')).toBe(`${escapeJsonText(JSON.stringify(value, null, 2))}\n`);
  });
});

describe('what-if reports of a long list', () => {
  it('renders 150k domains down as markdown and json (more rows than a call takes arguments)', () => {
    const down = Array.from({ length: 150_000 }, (_, i) => ({
      domain: `d${i}.example`,
      layers: ['dns' as const],
      via: ['cloudflare'],
    }));
    const result: WhatIfResult = {
      providers: ['cloudflare'],
      down,
      degraded: [],
      survived: [],
      unaffected: [],
    };
    // (The table goes through tableBlocks, tested below; 150k rows of it take ~12 s.)
    for (const format of WHATIF_FORMATS.filter((f) => f !== 'table'))
      expect([format, renderWhatIf(result, format, { color: false })]).toEqual([
        format,
        expect.stringContaining('d149999.example'),
      ]);
  });
});

describe('tableBlocks: long tables drawn in blocks, as one table', () => {
  const rows = Array.from({ length: 23 }, (_, i) => [
    `d${i}.example`,
    i % 3 ? 'cloudflare (dns)' : 'aws (route53)\nns1 (dns)',
    i % 4 ? '' : '日本語 cdn 😀',
    i === 7 ? 'a much longer cell than the others in its column' : `risk ${i}\nsecond line\nthird`,
  ]);
  const head = ['domain', 'DNS', 'CDN', 'risks'];

  it.each([
    ['plain', { head: [], border: [] }],
    ['coloured', { head: ['bold'], border: ['grey'] }],
  ])('%s: every block size gives the bytes of one cli-table3 table', (_, style) => {
    const one = new Table({ head, style: { ...style } });
    for (const r of rows) one.push(r);
    const expected = one.toString();
    for (const size of [1, 2, 3, 5, 22, 23, 24, BLOCK_ROWS])
      expect([size, [...tableBlocks({ head, rows, style }, size)].join('')]).toEqual([size, expected]);
    expect([...tableBlocks({ head, rows, style }, 5)]).toHaveLength(5);
  });

  it('refuses rows it could read only once (it reads them twice)', () => {
    function* once() {
      yield* rows;
    }
    expect(() => [...tableBlocks({ head, rows: once(), style: { head: [], border: [] } }, 2)]).toThrow(
      /reads its rows twice/,
    );
  });

  it('an empty table is its head', () => {
    const one = new Table({ head, style: { head: [], border: [] } });
    expect([...tableBlocks({ head, rows: [], style: { head: [], border: [] } }, 2)].join('')).toBe(
      one.toString(),
    );
  });

  it("cli-table3's debug truncation is cut off (the installed version has the utils it wraps)", () => {
    expect(patchTruncate()).toBe(true);
  });
});
