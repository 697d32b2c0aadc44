import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { Journal, readJournal, scanJournal } from '../src/snapshot/journal.js';
import type { DomainResult } from '../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'singlepath-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `run-${n++}.ndjson`);
const meta = {
  options: { resolvers: ['127.0.0.1:5353'], http: true },
  startedAt: '2026-01-15T09:30:00.000Z',
};

function result(domain: string, note = ''): DomainResult {
  return {
    domain,
    observations: {
      domain,
      dns: {
        status: 'NOERROR',
        cnames: [],
        finalName: domain,
        addresses: [{ ip: '192.0.2.1', family: 4, asn: 64500, asnOrg: note }],
        zone: { apex: domain, source: 'soa' },
        ns: { status: 'NOERROR', hosts: [] },
        mailDomain: domain,
        mx: { status: 'NOERROR', hosts: [] },
        queries: 3,
      },
    },
    dependencies: [
      { layer: 'dns', provider: 'cloudflare', evidence: [{ signal: 'ns', value: 'ns.cf.test' }] },
    ],
    risks: [
      {
        kind: 'single-provider',
        severity: 'high',
        layer: 'dns',
        provider: 'cloudflare',
        args: {},
        message: 'm',
      },
    ],
  };
}

function journalOf(path: string, results: DomainResult[]): void {
  const j = Journal.open(path, meta);
  for (const r of results) j.append(r);
  j.close();
}

describe('Journal', () => {
  it('round-trips: header first, then exactly the results', () => {
    const path = fresh();
    const results = [
      result('a.example'),
      result('b.example'),
      { ...result('c.example'), error: { code: 'TIMEOUT', message: 't' } },
    ];
    journalOf(path, results);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ type: 'journal', schema: 1, ...meta });
    expect(lines).toHaveLength(5);
    const read = readJournal(path);
    expect(read.header).toEqual({ type: 'journal', schema: 1, ...meta });
    expect(read.results).toEqual(results);
    expect([...read.done]).toEqual(['a.example', 'b.example', 'c.example']);
    expect(read).toMatchObject({ skipped: [], torn: false });
  });

  it('reopening appends after the existing lines and keeps the one header (resume)', () => {
    const path = fresh();
    journalOf(path, [result('a.example')]);
    const again = Journal.open(path, { ...meta, startedAt: 'later' });
    again.append(result('b.example'));
    again.close();
    const read = readJournal(path);
    expect(read.header.startedAt).toBe(meta.startedAt);
    expect(read.results.map((r) => r.domain)).toEqual(['a.example', 'b.example']);
    expect(readFileSync(path, 'utf8').match(/"type":"journal"/g)).toHaveLength(1);
  });

  it('ignores a torn last line, and reopening cuts it off before appending', () => {
    const path = fresh();
    journalOf(path, [result('a.example'), result('b.example')]);
    const line = JSON.stringify(result('c.example'));
    appendFileSync(path, line.slice(0, line.length / 2)); // crash mid-write
    const torn = readJournal(path);
    expect(torn.torn).toBe(true);
    expect([...torn.done]).toEqual(['a.example', 'b.example']);
    const j = Journal.open(path, meta);
    j.append(result('c.example'));
    j.close();
    const read = readJournal(path);
    expect(read).toMatchObject({ torn: false, skipped: [] });
    expect(read.results.map((r) => r.domain)).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('keeps a complete last line that lost only its newline', () => {
    const path = fresh();
    journalOf(path, [result('a.example')]);
    appendFileSync(path, JSON.stringify(result('b.example')));
    expect([...readJournal(path).done]).toEqual(['a.example', 'b.example']);
    const j = Journal.open(path, meta);
    j.append(result('c.example'));
    j.close();
    expect([...readJournal(path).done]).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('duplicate lines: the last one for a domain wins', () => {
    const path = fresh();
    journalOf(path, [result('a.example', 'first'), result('b.example'), result('a.example', 'second')]);
    const read = readJournal(path);
    expect(read.results.map((r) => r.domain)).toEqual(['a.example', 'b.example']);
    expect(read.results[0]!.observations.dns.addresses[0]!.asnOrg).toBe('second');
  });

  it('skips unreadable lines in the middle (their domains are redone), with their numbers', () => {
    const path = fresh();
    journalOf(path, [result('a.example')]);
    appendFileSync(path, '{"not":"a result"}\nnot json at all\n\n');
    appendFileSync(path, `${JSON.stringify(result('b.example'))}\n`);
    const read = readJournal(path);
    expect(read.skipped).toEqual([3, 4]);
    expect([...read.done]).toEqual(['a.example', 'b.example']);
  });

  it('reads lines across chunk boundaries (multi-megabyte journal)', () => {
    const path = fresh();
    const big = Array.from({ length: 40 }, (_, i) => result(`d${i}.example`, 'x'.repeat(60_000 + i)));
    journalOf(path, big);
    expect(readJournal(path).results).toEqual(big);
  });

  it('fsyncs every syncEvery lines, after syncIntervalMs, and on close', () => {
    let now = 0;
    const path = fresh();
    const j = Journal.open(path, meta, { syncEvery: 3, syncIntervalMs: 1000, clock: () => now });
    for (let i = 0; i < 7; i++) j.append(result(`c${i}.example`));
    expect(j.syncs).toBe(2);
    now = 5000;
    j.append(result('late.example'));
    expect(j.syncs).toBe(3);
    j.append(result('last.example'));
    j.close();
    expect(j.syncs).toBe(4);
    expect(j.appended).toBe(9);
    j.close();
    expect(() => j.append(result('x.example'))).toThrow(/closed/);
  });

  it('refuses files that are not journals, with InputError', () => {
    const cases: Record<string, string> = {
      empty: '',
      list: 'example.com\nexample.org\n',
      snapshot: JSON.stringify({ schema: 1, domains: [], summary: {} }),
      future: `${JSON.stringify({ type: 'journal', schema: 2, options: {} })}\n`,
    };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, `${name}.ndjson`);
      writeFileSync(path, text);
      expect(() => readJournal(path), name).toThrow(InputError);
    }
    expect(() => readJournal(join(dir, 'missing.ndjson'))).toThrow(InputError);
    expect(() => Journal.open(join(dir, 'list.ndjson'), meta)).toThrow(InputError);
    expect(readFileSync(join(dir, 'list.ndjson'), 'utf8')).toBe(cases.list);
    expect(() => Journal.open(join(dir, 'no-such-dir', 'j.ndjson'), meta)).toThrow(InputError);
  });
});

describe('scanJournal (resume without holding the results)', () => {
  it('answers done from a hash set and streams the results again from the file, each time', () => {
    const path = join(dir, 'scan.ndjson');
    const j = Journal.open(path, { options: {}, startedAt: 'x' });
    const many = Array.from({ length: 2000 }, (_, i) => result(`d${i}.example`));
    for (const r of many) j.append(r);
    j.append(result('d7.example', 'later'));
    j.close();
    const scan = scanJournal(path);
    expect(scan.done.size).toBe(2000);
    expect(scan.done.has('d1999.example')).toBe(true);
    expect(scan.done.has('d2000.example')).toBe(false);
    const first = [...scan.results()];
    expect(first.map((r) => r.domain)).toEqual(many.map((r) => r.domain));
    // The later line for d7 wins, in d7's first place.
    expect(first[7]!.observations.dns.addresses[0]!.asnOrg).toBe('later');
    expect([...scan.results()]).toEqual(first);
    expect(readJournal(path).results).toEqual(first);
  });

  it('does not count a domain a worker process failed on as done: a resume audits it again', () => {
    const path = join(dir, 'worker-failed.ndjson');
    const j = Journal.open(path, { options: {}, startedAt: 'x' });
    j.append(result('ok.example'));
    j.append({ ...result('lost.example'), error: { code: 'WORKER_FAILED', message: 'worker exited' } });
    j.close();
    const scan = scanJournal(path);
    expect(scan.done.has('ok.example')).toBe(true);
    expect(scan.done.has('lost.example')).toBe(false);
    expect([...scan.results()].map((r) => r.domain)).toEqual(['ok.example']);
  });
});
