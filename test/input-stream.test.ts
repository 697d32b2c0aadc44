import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DomainSet, inShard, parseShard } from '../src/input/dedupe.js';
import { MAX_LINE_LENGTH } from '../src/input/parse.js';
import { boundedLines, readDomains, type StreamStats } from '../src/input/stream.js';

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('DomainSet', () => {
  it('says false for a name already added, across growth', () => {
    const set = new DomainSet();
    for (let i = 0; i < 50_000; i++) expect(set.add(`d${i}.example.com`)).toBe(true);
    for (let i = 0; i < 50_000; i += 997) expect(set.add(`d${i}.example.com`)).toBe(false);
    expect(set.size).toBe(50_000);
  });

  it('holds a million names in at most 16 bytes each beyond their own bytes + 2, with no false duplicate', () => {
    const set = new DomainSet();
    let refused = 0;
    let nameBytes = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const name = `host-${i}.zone${i % 1000}.test`;
      nameBytes += name.length + 2;
      if (!set.add(name)) refused++;
    }
    expect(refused).toBe(0);
    expect(set.size).toBe(1_000_000);
    expect((set.bytes - nameBytes) / set.size).toBeLessThanOrEqual(16);
    // Every one of them is still found (probing wraps past the end of the table).
    for (let i = 0; i < 1_000_000; i += 101) expect(set.add(`host-${i}.zone${i % 1000}.test`)).toBe(false);
  });

  it('grows a part at a time: no single step adds more than a few percent to a large set', () => {
    const set = new DomainSet();
    let bytes = set.bytes;
    let largestStep = 0;
    let steps = 0;
    for (let i = 0; i < 400_000; i++) {
      set.add(`n${i}.z${i % 977}.example`);
      const now = set.bytes;
      if (now !== bytes) {
        steps++;
        // Past the first few kilobytes, a step is the growth of one part (a sixteenth of the set).
        if (bytes > 1 << 20) largestStep = Math.max(largestStep, (now - bytes) / bytes);
        bytes = now;
      }
    }
    // One table grown by half at once would be a step of 0.5.
    expect(largestStep).toBeGreaterThan(0);
    expect(largestStep).toBeLessThan(0.06);
    expect(steps).toBeGreaterThan(16 * 10);
    // ~16 bytes of name (n123456.z123.example and its length) on top of the table's.
    expect(set.bytes / set.size).toBeLessThanOrEqual(16 + 24);
  });

  it('two names whose unkeyed 64-bit hash collided are both kept (issue 21 item 5)', () => {
    // Found offline against the old check (FNV-1a with seeds 0x811c9dc5 and 0x9747b28c, 64 bits
    // together): the second name was taken for a duplicate of the first and silently dropped.
    const x = String.fromCharCode(19971, 891, 97);
    const y = String.fromCharCode(19970, 1651, 54280);
    const fnv = (t: string, seed: number) => {
      let h = seed >>> 0;
      for (let i = 0; i < t.length; i++) h = Math.imul((h ^ t.charCodeAt(i)) >>> 0, 0x01000193) >>> 0;
      return h;
    };
    expect([fnv(x, 0x811c9dc5), fnv(x, 0x9747b28c)]).toEqual([fnv(y, 0x811c9dc5), fnv(y, 0x9747b28c)]);
    const set = new DomainSet();
    expect(set.add(x)).toBe(true);
    expect(set.has(y)).toBe(false);
    expect(set.add(y)).toBe(true);
    expect(set.add(y)).toBe(false);
    expect(set.size).toBe(2);
  });

  it('is exact for any string: lone surrogates, non-ASCII, names longer than any domain', () => {
    const set = new DomainSet();
    // UTF-8 would turn both lone surrogates into U+FFFD and merge them.
    expect(set.add('a\ud800.test')).toBe(true);
    expect(set.add('a\udc00.test')).toBe(true);
    expect(set.add('bücher.test')).toBe(true);
    expect(set.add('b\u00fccher.test')).toBe(false);
    const long = 'x'.repeat(5000);
    expect(set.add(long)).toBe(true);
    expect(set.add(`${long}y`)).toBe(true);
    expect(set.has(long)).toBe(true);
    expect(set.add(long)).toBe(false);
    expect(set.size).toBe(5);
  });

  it('has() agrees with add() in every part', () => {
    const set = new DomainSet();
    for (let i = 0; i < 20_000; i += 2) set.add(`h${i}.test`);
    for (let i = 0; i < 20_000; i++) expect(set.has(`h${i}.test`)).toBe(i % 2 === 0);
  });
});

describe('shards', () => {
  it('partition every domain into exactly one of N shards', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `n${i}.example.org`);
    const n = 7;
    const counts = names.map(
      (d) => Array.from({ length: n }, (_, i) => inShard(d, { index: i, count: n })).filter(Boolean).length,
    );
    expect(counts.every((c) => c === 1)).toBe(true);
    const sizes = Array.from(
      { length: n },
      (_, i) => names.filter((d) => inShard(d, { index: i, count: n })).length,
    );
    for (const s of sizes) expect(s).toBeGreaterThan(5000 / n / 2);
  });

  it.each(['3/3', '1', 'a/b', '0/0', '-1/2'])('rejects %j', (spec) => {
    expect(() => parseShard(spec)).toThrow(/--shard/);
  });
});

describe('streamed input', () => {
  it('splits lines across chunk boundaries and multi-byte characters', async () => {
    const bytes = Buffer.from('a.example.com\nbücher.example\r\nc.example.com');
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 16), bytes.subarray(16, 17), bytes.subarray(17)];
    expect(await collect(boundedLines(Readable.from(chunks)))).toEqual([
      'a.example.com',
      'bücher.example\r',
      'c.example.com',
    ]);
  });

  it('bounds a line with no newline instead of holding it whole', async () => {
    const huge = 'x'.repeat(5_000_000);
    const lines = await collect(boundedLines(Readable.from([huge, huge, '\nok.example.com\n'])));
    expect(lines[0]!.length).toBe(MAX_LINE_LENGTH + 1);
    expect(lines[1]).toBe('ok.example.com');
  });

  it('reports bad lines with numbers, merges duplicates, applies the filter', async () => {
    const stats: StreamStats = { lines: 0, domains: 0, duplicates: 0, problems: 0 };
    const problems: number[] = [];
    const text = 'a.example.com\nbad line\nA.example.com.\n# c\nb.example.com\n';
    const out = await collect(
      readDomains(Readable.from([text]), 'list', stats, {
        onProblem: (p) => problems.push(p.line),
        filter: (d) => d !== 'b.example.com',
      }),
    );
    expect(out).toEqual(['a.example.com']);
    expect(problems).toEqual([2]);
    expect(stats).toEqual({ lines: 5, domains: 1, duplicates: 1, problems: 1 });
  });

  it('reads a long list under an abort signal without keeping anything per line (issue 19: RSS flat to 1M)', async () => {
    // Each line used to race the read with one run-wide abort promise: a reaction (and the
    // closure behind it) left on that promise per line, ~150 bytes each for the whole run.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 300_000;
    const chunks = function* () {
      for (let i = 0; i < n; i += 1000) {
        let text = '';
        for (let k = i; k < i + 1000; k++) text += `d${k}.z${k % 997}.test\n`;
        yield text;
      }
    };
    const stats: StreamStats = { lines: 0, domains: 0, duplicates: 0, problems: 0 };
    const controller = new AbortController();
    const gen = readDomains(Readable.from(chunks()), 'list', stats, {
      onProblem: () => {},
      signal: controller.signal,
    });
    let heapAtTenth = 0;
    let count = 0;
    for await (const _ of gen) {
      if (++count === n / 10) {
        gc();
        heapAtTenth = process.memoryUsage().heapUsed;
      }
      if (count === n - 1) {
        gc();
        // The de-duplication set holds every name (~30 bytes each): that much growth is expected.
        const grown = process.memoryUsage().heapUsed - heapAtTenth;
        expect(grown / (0.9 * n)).toBeLessThan(60);
      }
    }
    expect(count).toBe(n);
  });
});
