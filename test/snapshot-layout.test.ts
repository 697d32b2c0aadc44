import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { jsonChunks } from '../src/report/json.js';
import { LaidOutJson, readLinesSync } from '../src/snapshot/layout.js';
import { readSnapshot } from '../src/snapshot/read.js';

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
    const four = JSON.stringify({ schema: 1, domains: [{ domain: 'a' }], summary: {} }, null, 4);
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
