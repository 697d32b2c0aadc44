import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { generatedLab, readNdjson } from './helpers/generated.js';
import { type Lab, startLab } from './helpers/lab.js';

// Streaming NDJSON output, and shards merged back into what one machine would have produced.

const N = 120;
const { fixture, domains } = generatedLab(N, 6);

let lab: Lab;
let dir: string;
let list: string;
let single: AuditDocument;

beforeAll(async () => {
  lab = await startLab(fixture);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-shard-'));
  list = join(dir, 'domains.txt');
  writeFileSync(list, `${domains.join('\n')}\n`);
  const run = await runCli(['audit', list, '--no-http', '--format', 'json', ...lab.args()]);
  expect(run.code, run.stderr).toBe(0);
  single = JSON.parse(run.stdout);
});
afterAll(() => lab?.close());

describe('ndjson streaming and shards', () => {
  it('--format ndjson --output writes a line per domain and a final summary', async () => {
    const out = join(dir, 'all.ndjson');
    const run = await runCli([
      'audit',
      list,
      '--no-http',
      '--format',
      'ndjson',
      '--output',
      out,
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = readNdjson(out);
    expect(lines).toHaveLength(N + 1);
    expect(lines.slice(0, -1).every((l) => l.type === 'domain')).toBe(true);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', domains: N });
    expect(run.stderr).toMatch(new RegExp(`singlepath: ${N} domains in`));
  });

  it('shards cover the input exactly once and merge into the single-run result', async () => {
    const parts: string[] = [];
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = join(dir, `shard-${i}.ndjson`);
      const run = await runCli([
        'audit',
        list,
        '--no-http',
        '--format',
        'ndjson',
        '-o',
        out,
        '--shard',
        `${i}/3`,
        ...lab.args(),
      ]);
      expect(run.code, run.stderr).toBe(0);
      const recs = readNdjson(out);
      seen.push(...recs.filter((r) => r.type === 'domain').map((r) => r.domain));
      parts.push(out);
    }
    expect(seen.sort()).toEqual([...domains].sort());
    const merged = await runCli(['merge', ...parts, '--format', 'json']);
    expect(merged.code, merged.stderr).toBe(0);
    const doc = JSON.parse(merged.stdout) as AuditDocument;
    const strip = (d: AuditDocument) =>
      d.domains.map((x) => ({
        ...x,
        observations: { ...x.observations, dns: { ...x.observations.dns, queries: 0 } },
      }));
    expect(strip(doc)).toEqual(strip(single));
    expect(doc.summary).toEqual(single.summary);

    // --format ndjson streams: every domain once, in input order, then the single-run summary.
    // A part given twice is reported and its lines kept once (the first time).
    const out = join(dir, 'merged.ndjson');
    const streamed = await runCli(['merge', ...parts, parts[0]!, '--format', 'ndjson', '-o', out]);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stderr).toMatch(/appears in an earlier input; the first one is kept/);
    const recs = readNdjson(out);
    const domainRecs = recs.filter((r) => r.type === 'domain');
    expect(domainRecs.map((r) => r.domain).sort()).toEqual([...domains].sort());
    const firstPart = readFileSync(parts[0]!, 'utf8').split('\n')[0];
    expect(JSON.stringify(domainRecs[0])).toBe(firstPart);
    const { type: _type, ...summary } = recs.at(-1)!;
    expect(summary).toEqual(single.summary);

    // JSON documents as parts: in our layout (read a line at a time) and laid out otherwise
    // (4-space indent: parsed whole, being small) give the same report.
    const jsonParts: string[] = [];
    for (const [i, part] of parts.entries()) {
      const p = join(dir, `part${i}.json`);
      const r = await runCli(['merge', part, '--format', 'json', '-o', p]);
      expect(r.code, r.stderr).toBe(0);
      if (i === 1) writeFileSync(p, JSON.stringify(JSON.parse(readFileSync(p, 'utf8')), null, 4));
      jsonParts.push(p);
    }
    const fromJson = await runCli(['merge', ...jsonParts, '--format', 'json']);
    expect(fromJson.code, fromJson.stderr).toBe(0);
    const again = JSON.parse(fromJson.stdout) as AuditDocument;
    expect(strip(again)).toEqual(strip(doc));
    expect(again.summary).toEqual(doc.summary);
  });

  it('a bad --shard is a usage error', async () => {
    const run = await runCli(['audit', list, '--no-http', '--shard', '3/3', ...lab.args()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--shard must be I\/N/);
  });
});
