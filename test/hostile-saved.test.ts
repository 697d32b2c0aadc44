import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderDiff } from '../src/report/diff/index.js';
import { renderChunks } from '../src/report/index.js';
import { diffDocuments } from '../src/snapshot/diff.js';
import { readJournal } from '../src/snapshot/journal.js';
import { domainProblem, summaryProblem } from '../src/snapshot/validate.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';

// Issue 21 item 3: a result file edited by someone else reaches renderers only after a check of
// every field they print (enums included), and renderers escape those fields anyway.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-saved-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4=\u0007'; // OSC 52: write to the clipboard
const CLEAR = '\u001b[2J\u001b[H'; // clear the screen
const base = (): AuditDocument =>
  JSON.parse(readFileSync(new URL('./fixtures/snapshot-v1.json', import.meta.url), 'utf8'));

function tampered(edit: (doc: AuditDocument) => void): AuditDocument {
  const doc = base();
  edit(doc);
  return doc;
}

const save = (name: string, doc: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return path;
};

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const cases: [string, (d: AuditDocument) => void, RegExp][] = [
  [
    'finding severity',
    (d) => {
      d.domains[0]!.risks[0]!.severity = CLIPBOARD as never;
    },
    /domains\[0\]: risks\[0\]\.severity must be one of critical/,
  ],
  [
    'finding layer',
    (d) => {
      d.domains[0]!.risks[0]!.layer = CLEAR as never;
    },
    /domains\[0\]: risks\[0\]\.layer must be one of dns/,
  ],
  [
    'dependency layer',
    (d) => {
      d.domains[1]!.dependencies[0]!.layer = CLEAR as never;
    },
    /domains\[1\]: dependencies\[0\]\.layer/,
  ],
  [
    'finding kind',
    (d) => {
      d.domains[0]!.risks[0]!.kind = `x${CLEAR}` as never;
    },
    /risks\[0\]\.kind must be a finding kind/,
  ],
  [
    'summary layer',
    (d) => {
      d.summary.layers[0]!.layer = CLEAR as never;
    },
    /summary\.layers\[0\]\.layer/,
  ],
  [
    'summary without its fields',
    (d) => {
      d.summary = { domains: 7 } as never;
    },
    /summary\.domains and summary\.failed must be counts/,
  ],
  [
    'summary layers not an array',
    (d) => {
      d.summary.layers = 'dns' as never;
    },
    /summary\.layers must be an array/,
  ],
];

describe('saved documents are checked on read', () => {
  it.each(cases)(
    'report refuses a tampered %s, naming the field (exit 2, nothing raw printed)',
    async (_, edit, message) => {
      const path = save('t.json', tampered(edit));
      for (const format of ['table', 'markdown']) {
        const run = await runCli(['report', path, '--format', format]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(message);
        expect(run.stderr).not.toMatch(/internal error/);
        expect(run.stdout + run.stderr).not.toMatch(CONTROL);
      }
    },
  );

  it('diff refuses a tampered side the same way', async () => {
    const good = save('good.json', base());
    const bad = save(
      'bad.json',
      tampered((d) => {
        d.domains[0]!.risks[0]!.severity = CLIPBOARD as never;
      }),
    );
    const run = await runCli(['diff', good, bad]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bad\.json: domains\[0\]: risks\[0\]\.severity/);
    expect(run.stdout + run.stderr).not.toMatch(CONTROL);
  });

  it('NDJSON results are checked line by line (report, merge)', async () => {
    const doc = tampered((d) => {
      d.domains[0]!.dependencies[0]!.layer = CLEAR as never;
    });
    const path = join(dir, 'r.ndjson');
    writeFileSync(path, doc.domains.map((d) => `${JSON.stringify({ type: 'domain', ...d })}\n`).join(''));
    for (const args of [
      ['report', path],
      ['merge', path, '--format', 'table'],
    ]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/r\.ndjson:1: dependencies\[0\]\.layer must be one of/);
      expect(run.stdout + run.stderr).not.toMatch(CONTROL);
    }
  });

  it('a tampered journal line is an unreadable line, not a result (--resume audits it again)', () => {
    const path = join(dir, 't.journal');
    const [a, b] = base().domains;
    const bad = { ...b!, risks: [{ ...b!.risks[0]!, severity: CLIPBOARD }] };
    writeFileSync(
      path,
      [{ type: 'journal', schema: 1, startedAt: '', options: {} }, a, bad]
        .map((l) => `${JSON.stringify(l)}\n`)
        .join(''),
    );
    const journal = readJournal(path);
    expect(journal.results.map((r) => r.domain)).toEqual([a!.domain]);
    expect(journal.skipped).toEqual([3]);
  });

  it('a duplicate name in merge is named escaped', async () => {
    const line = `${JSON.stringify({ type: 'domain', domain: `x${CLEAR}.test`, observations: {}, dependencies: [], risks: [] })}\n`;
    const path = join(dir, 'dup.ndjson');
    writeFileSync(path, line + line);
    const run = await runCli(['merge', path, path, '--format', 'ndjson']);
    expect(run.stderr).toMatch(/appears/);
    expect(run.stderr).not.toMatch(CONTROL);
  });

  it('the untouched document passes', () => {
    const doc = base();
    for (const d of doc.domains) expect(domainProblem(d)).toBeUndefined();
    expect(summaryProblem(doc.summary)).toBeUndefined();
  });
});

describe('renderers escape severity and layer whatever reaches them', () => {
  const doc = tampered((d) => {
    d.domains[0]!.risks[0]!.severity = CLIPBOARD as never;
    d.domains[0]!.risks[0]!.layer = CLEAR as never;
    d.domains[1]!.dependencies[0]!.layer = CLEAR as never;
  });

  it.each(['table', 'markdown'] as const)('%s (with --explain and colour)', (format) => {
    const text = [...renderChunks(doc, format, { color: false, explain: true })].join('');
    expect(text).not.toMatch(CONTROL);
    const colour = [...renderChunks(doc, format, { color: true, explain: true })].join('');
    expect(colour.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
  });

  it.each(['table', 'markdown'] as const)('diff as %s', (format) => {
    const diff = diffDocuments(base(), doc);
    const text = renderDiff(diff, format, { color: false });
    expect(text).not.toMatch(CONTROL);
  });
});

describe('fuzz: whatever passes the check renders without throwing or leaking controls', () => {
  // A field of a valid result replaced by any JSON value or a hostile string.
  const hostile = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(CLIPBOARD, CLEAR, 'critical', 'dns', '', '\u202e', -1, 1e308, null),
  );
  // biome-ignore lint/suspicious/noExplicitAny: fields of any shape are written on purpose
  const paths: ((d: Record<string, any>, v: unknown) => void)[] = [
    (d, v) => (d.risks[0].severity = v),
    (d, v) => (d.risks[0].layer = v),
    (d, v) => (d.risks[0].kind = v),
    (d, v) => (d.risks[0].provider = v),
    (d, v) => (d.risks[0] = v),
    (d, v) => (d.dependencies[0].layer = v),
    (d, v) => (d.dependencies[0].provider = v),
    (d, v) => (d.dependencies[0].evidence = v),
    (d, v) => (d.dependencies[0].order = v),
    (d, v) => (d.dependencies = v),
    (d, v) => (d.error = v),
    (d, v) => (d.domain = v),
    (d, v) => (d.indirect = v),
  ];

  it('domains', () => {
    fc.assert(
      fc.property(fc.nat(paths.length - 1), hostile, (which, value) => {
        const doc = base();
        // biome-ignore lint/suspicious/noExplicitAny: as above
        const d = structuredClone(doc.domains[0]!) as unknown as Record<string, any>;
        paths[which]!(d, value);
        if (domainProblem(d) !== undefined) return;
        doc.domains[0] = d as never;
        for (const format of ['table', 'markdown', 'csv', 'html'] as const) {
          const text = [...renderChunks(doc, format, { color: false, explain: true })].join('');
          if (format !== 'csv') expect(text).not.toMatch(CONTROL);
        }
      }),
      { numRuns: 300 },
    );
  });
});
