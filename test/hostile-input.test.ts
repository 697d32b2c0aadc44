import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtinCatalogueDir,
  loadCatalogue,
  MAX_CATALOGUE_BYTES,
  readCatalogueFile,
} from '../src/catalogue/load.js';
import { ConfigError } from '../src/errors.js';
import { ListAccumulator, MAX_LINE_LENGTH, parseDomainLine } from '../src/input/parse.js';
import { runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Oversized and malformed input: one bad line or file degrades to a clear message, never a crash.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-hostile-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('domain list lines', () => {
  it(`a line of exactly ${MAX_LINE_LENGTH} characters is parsed, one more is refused unparsed`, () => {
    const line = (n: number) => {
      const head = 'www.example.com #';
      return head + 'c'.repeat(n - head.length);
    };
    expect(line(MAX_LINE_LENGTH)).toHaveLength(MAX_LINE_LENGTH);
    expect(parseDomainLine(line(MAX_LINE_LENGTH))).toEqual({ domain: 'www.example.com' });
    const past = parseDomainLine(line(MAX_LINE_LENGTH + 1));
    expect(past).toMatchObject({ problem: { reason: `line longer than ${MAX_LINE_LENGTH} characters` } });
    expect(('problem' in past && past.problem.text.length) || 0).toBeLessThanOrEqual(80);
  });

  it('binary junk yields problems or skips, never a throw, never a raw control character', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = randomBytes(1 + (i % 300)).toString('latin1');
      const r = parseDomainLine(junk);
      if ('problem' in r) expect(r.problem.text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      if ('domain' in r) expect(r.domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    }
  });

  it('a million lines go through ListAccumulator in a few seconds', () => {
    const acc = new ListAccumulator();
    const started = performance.now();
    for (let i = 1; i <= 1_000_000; i++) {
      // Every 10th line repeats one, every 100th is junk: all three paths are exercised.
      const line =
        i % 100 === 0 ? `bad line ${i}` : i % 10 === 0 ? `d${i - 1}.example.com` : `d${i}.example.com`;
      acc.add(line, i);
    }
    const took = performance.now() - started;
    const r = acc.result();
    console.log(`hostile-input: 1,000,000 lines through ListAccumulator in ${Math.round(took)} ms`);
    expect(r.domains).toHaveLength(900_000);
    expect(r.duplicates).toBe(90_000);
    expect(r.problems).toHaveLength(10_000);
    expect(r.problems[0]).toMatchObject({ line: 100, reason: 'contains whitespace' });
    expect(took).toBeLessThan(15_000);
  }, 30_000);
});

describe('user catalogue files', () => {
  const path = (name: string) => join(dir, name);
  const builtin = readFileSync(join(builtinCatalogueDir(), 'ca.json'), 'utf8');
  const oneProvider = JSON.stringify({
    providers: [
      {
        id: 'inhouse-cdn',
        name: 'In-house CDN',
        signals: { cname: [{ suffix: 'edge.inhouse.example', layer: 'cdn' }] },
      },
    ],
  });

  it(`a file of exactly ${MAX_CATALOGUE_BYTES} bytes is read, one byte more is refused before parsing`, () => {
    const padTo = (n: number) => oneProvider + ' '.repeat(n - Buffer.byteLength(oneProvider));
    writeFileSync(path('at.json'), padTo(MAX_CATALOGUE_BYTES));
    writeFileSync(path('past.json'), padTo(MAX_CATALOGUE_BYTES + 1));
    expect(readCatalogueFile(path('at.json')).map((p) => p.id)).toEqual(['inhouse-cdn']);
    expect(() => readCatalogueFile(path('past.json'))).toThrow(ConfigError);
    expect(() => readCatalogueFile(path('past.json'))).toThrow(/over the 8388608-byte limit/);
  });

  it.each([
    ['empty', ''],
    ['binary', randomBytes(4096).toString('latin1')],
    ['truncated JSON', builtin.slice(0, builtin.length >> 1)],
    ['a JSON string', '"providers"'],
    ['null', 'null'],
    ['providers not an array', '{"providers": {}}'],
    ['a provider of the wrong shape', '{"providers": [{"id": 5}]}'],
    ['deeply nested arrays', `{"providers": ${'['.repeat(5000)}${']'.repeat(5000)}}`],
    ['a bad regular expression', builtin.replace(/"o": "[^"]*"/, '"o": "(unclosed"')],
  ])('%s: a ConfigError naming the file', (name, text) => {
    const file = path(`${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text, 'latin1');
    let err: unknown;
    try {
      loadCatalogue({ extraFiles: [file] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(file);
  });

  it('a missing file is a ConfigError too', () => {
    expect(() => readCatalogueFile(path('absent.json'))).toThrow(ConfigError);
  });
});

describe('through the CLI', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({
      zones: ['in.test'],
      records: [
        { name: 'a.in.test', type: 'A', data: '104.16.7.1' },
        { name: 'b.in.test', type: 'A', data: '104.16.7.2' },
      ],
      sites: {},
    });
  });
  afterAll(() => lab?.close());

  it('binary junk and a 5 MB line among good lines: the good ones are audited, each bad one reported', async () => {
    const junk = randomBytes(2000)
      .toString('latin1')
      .replace(/[\r\n]/g, '');
    const stdin = [
      'a.in.test',
      junk,
      `\u001b[31m${'x'.repeat(5_000_000)}`,
      '\u0000\u0001',
      'b.in.test',
      '',
    ].join('\n');
    const run = await runCli(['audit', '-', '--format', 'json', '--no-http', '--resolver', lab.resolver], {
      stdin,
    });
    expect(run.code, run.stderr.slice(0, 500)).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.domains.map((d: { domain: string }) => d.domain)).toEqual(['a.in.test', 'b.in.test']);
    expect(run.stderr).toMatch(/stdin:3: .*line longer than 2048 characters/);
    expect(run.stderr).not.toContain('\u001b');
    expect(run.stderr.length).toBeLessThan(10_000);
  });

  it('a huge --catalog is refused with one line and exit 2', async () => {
    const file = join(dir, 'huge-cli.json');
    writeFileSync(file, ' '.repeat(MAX_CATALOGUE_BYTES + 1));
    const run = await runCli(['audit', '-', '--no-http', '--resolver', lab.resolver, '--catalog', file], {
      stdin: 'a.in.test\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/over the 8388608-byte limit/);
  });
});

describe('rejected-line previews show what is hidden (issue 21, also)', () => {
  it('a NUL, an ESC and a bidi override are shown as escapes, not removed', () => {
    const r = parseDomainLine('a\u0000b.example');
    expect('problem' in r && r.problem.text).toBe('a\\x00b.example');
    const e = parseDomainLine('x\u001b[2Jy.example');
    expect('problem' in e && e.problem.text).toBe('x\\x1b[2Jy.example');
    const b = parseDomainLine('evil\u202eelpmaxe.com');
    expect('problem' in b && b.problem.text).toBe('evil\\u202eelpmaxe.com');
  });

  it('the preview stays within 80 characters and never cuts an escape in two', () => {
    const r = parseDomainLine(`${'\u0000'.repeat(100)}.example`);
    const text = 'problem' in r ? r.problem.text : '';
    expect(text.length).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^(\\x00)+\.\.\.$/);
  });
});
