import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { jsonChunks } from '../src/report/json.js';
import { LaidOutJson, readLinesSync } from '../src/snapshot/layout.js';
import { readSnapshot } from '../src/snapshot/read.js';
import { runCli } from './helpers/cli.js';

// Snapshots past 256 MiB (a --save-dir of ~35k domains and up) are read a line at a time in the
// layout our JSON writer produces; readSnapshot's threshold is a parameter so these tests take
// that path with small files.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-layout-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function readLaidOut(text: string): unknown {
  const reader = new LaidOutJson('doc.json');
  for (const line of text.split('\n')) reader.push(line);
  return reader.finish();
}

describe('readSnapshot, a line at a time', () => {
  it.each(['golden-snapshot.json', 'snapshot.json'])('reads %s as JSON.parse does', (name) => {
    const path = new URL(`../samples/${name}`, import.meta.url).pathname;
    expect(readSnapshot(path, 0)).toEqual(readSnapshot(path));
  });

  it('reads what our writer gives for awkward values', () => {
    const values = [
      { a: 1 },
      { schema: 1, domains: [], summary: {} },
      { list: [1, 'two', [3, [4]], { five: [5] }, [], {}, null], obj: { x: { y: [] } }, s: 'a,' },
      { text: 'ends with a brace {', more: 'and [', k: ['{', '[', '}', ']'] },
      { 'k"ey': { '': [{ a: '\u2028 😀 "x",' }] }, last: [{}] },
    ];
    for (const value of values) expect(readLaidOut([...jsonChunks(value)].join(''))).toEqual(value);
  });

  it('refuses another layout, naming the line and the layout', () => {
    const minified = file('min.json', JSON.stringify({ schema: 1, domains: [], summary: {} }));
    expect(() => readSnapshot(minified, 0)).toThrow(InputError);
    expect(() => readSnapshot(minified, 0)).toThrow(/min\.json:1: expected "\{" alone.*two-space indent/);
    // A summary renderers can use (an empty one is refused since issue 21: it crashed the table).
    const summary = { domains: 1, failed: 0, findings: {}, layers: [], blastRadius: [] };
    const four = JSON.stringify({ schema: 1, domains: [{ domain: 'a' }], summary }, null, 4);
    expect(() => readLaidOut(four)).toThrow(/doc\.json:2: expected a member/);
    // ...but a small one is read whole, as before.
    expect(
      readSnapshot(
        file('four.json', four.replace('"a"', '"a", "dependencies": [], "risks": [], "observations": {}')),
      ),
    ).toMatchObject({ schema: 1 });
  });

  it('names the line of a broken item and a document that ends early', () => {
    const text = [
      ...jsonChunks({ schema: 1, domains: [{ domain: 'a' }, { domain: 'b' }], summary: {} }),
    ].join('');
    const broken = text.replace('"domain": "b"', '"domain": b');
    expect(() => readLaidOut(broken)).toThrow(/doc\.json:7: not JSON/);
    const cut = text.split('\n').slice(0, 8).join('\n');
    expect(() => readLaidOut(cut)).toThrow(/doc\.json:\d+: the document ends early/);
    expect(() => readLaidOut(`${text}\n{}`)).toThrow(/text after the end/);
  });

  it('checks the JSON as JSON.parse would: commas, brackets, "__proto__"', () => {
    const text = [
      ...jsonChunks({ schema: 1, domains: [{ domain: 'a' }, { domain: 'b' }], summary: { x: 1 } }),
    ].join('');
    const lines = text.split('\n');
    const edit = (i: number, line: string) => lines.map((l, k) => (k === i ? line : l)).join('\n');
    // Line 2 is `  "schema": 1,`, 6 `    },` (item a ends), 9 `    }` (item b ends), 10 `  ],`.
    expect(() => readLaidOut(edit(1, '  "schema": 1'))).toThrow(
      /doc\.json:3: expected ',' at the end of the line before/,
    );
    expect(() => readLaidOut(edit(5, '    }'))).toThrow(/doc\.json:7: expected ','/);
    expect(() => readLaidOut(edit(8, '    },'))).toThrow(/doc\.json:10: a ',' before the closing \]/);
    expect(() => readLaidOut(edit(9, '  },'))).toThrow(/doc\.json:10: expected an item/);
    expect(() => readLaidOut(edit(5, '    ],'))).toThrow(InputError);
    const proto = readLaidOut('{\n  "__proto__": {\n    "schema": 1\n  },\n  "b": 2\n}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__', 'b']);
    expect((proto as { schema?: number }).schema).toBeUndefined();
  });

  it('hands the items of a top-level array to onItem, keeping only those it does not take', () => {
    const text = [...jsonChunks({ schema: 1, domains: [{ domain: 'a' }, 'b', [3]], other: [1, 2] })].join('');
    const seen: unknown[] = [];
    const reader = new LaidOutJson('doc.json', (member, item) => {
      seen.push([member, item]);
      return member === 'domains';
    });
    for (const line of text.split('\n')) reader.push(line);
    expect(reader.finish()).toEqual({ schema: 1, domains: [], other: [1, 2] });
    expect(seen).toEqual([
      ['domains', { domain: 'a' }],
      ['domains', 'b'],
      ['domains', [3]],
      ['other', 1],
      ['other', 2],
    ]);
  });

  it('reads CRLF line ends', () => {
    const text = [...jsonChunks({ schema: 1, domains: [{ domain: 'a' }], summary: {} })].join('');
    expect(readLaidOut(text.replaceAll('\n', '\r\n'))).toEqual({
      schema: 1,
      domains: [{ domain: 'a' }],
      summary: {},
    });
  });

  it('names the line of a line too long for the layout', () => {
    const path = file('long.json', `{"schema":1,"pad":"${'x'.repeat(65 * 1024 * 1024)}"}`);
    expect(() => readSnapshot(path, 0)).toThrow(
      /long\.json:1: a line longer than 67108864 bytes \(.*two-space indent/,
    );
  });

  it('merge reports an error inside a JSON part with its line, and refuses one without commas', async () => {
    const text = [
      ...jsonChunks({ schema: 1, domains: [{ domain: 'a' }, { domain: 'b' }], summary: {} }),
    ].join('');
    // (The items are not whole results: the first problem in file order is the one reported, so
    // the broken item is the first.)
    const bad = await runCli(['merge', file('bad.json', text.replace('"domain": "a"', '"domain": a'))]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json:4: not JSON/);
    const nocomma = await runCli([
      'merge',
      file('nocomma.json', text.replace('"schema": 1,', '"schema": 1')),
    ]);
    expect(nocomma.code).toBe(2);
    expect(nocomma.stderr).toMatch(/nocomma\.json:3: expected ','/);
  });

  it('checks the snapshot it read like any other', () => {
    const path = file('noschema.json', [...jsonChunks({ domains: [], summary: {} })].join(''));
    expect(() => readSnapshot(path, 0)).toThrow(/no "schema" field/);
  });
});

describe('readLinesSync', () => {
  it('splits lines that cross its 1 MiB reads, multi-byte characters included', () => {
    // Lines of 3-byte and 4-byte characters whose ends fall at varied offsets of each read.
    const lines = Array.from({ length: 9 }, (_, i) => (i % 2 ? '€' : '😀').repeat(90_000 + i * 7_777));
    lines.push('', 'last');
    const path = file('lines.txt', lines.join('\n'));
    expect([...readLinesSync(path)]).toEqual(readFileSync(path, 'utf8').split('\n'));
    expect([...readLinesSync(file('nl.txt', 'a\nb\n'))]).toEqual(['a', 'b']);
  });
});
