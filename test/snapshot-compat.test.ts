import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDiff } from '../src/report/diff/index.js';
import { FORMATS, render } from '../src/report/index.js';
import { diffDocuments, isEmptyDiff } from '../src/snapshot/diff.js';
import { stableDocument } from '../src/snapshot/normalise.js';
import { parseSnapshot, readSnapshot } from '../src/snapshot/read.js';
import { snapshotText } from '../src/snapshot/save.js';

// Old snapshots stay readable. test/fixtures/snapshot-v1.json is a schema-1 document as the first
// release wrote it (options under their old names, raw timings, request-id headers). It is
// committed once and NEVER regenerated: when a change breaks this test, the change must learn to
// read the old document (or bump the schema with a migration), not the fixture.

const path = fileURLToPath(new URL('./fixtures/snapshot-v1.json', import.meta.url));

describe('schema 1 snapshot', () => {
  const doc = readSnapshot(path);

  it('loads with readSnapshot', () => {
    expect(doc.schema).toBe(1);
    expect(doc.domains.map((d) => d.domain)).toEqual([
      'api.example',
      'app.example',
      'blog.example',
      'broken.example',
      'mail.example',
      'shop.example',
      'static.example',
    ]);
  });

  it('diffs against itself to nothing', () => {
    expect(isEmptyDiff(diffDocuments(doc, readSnapshot(path)))).toBe(true);
  });

  it('diffs to nothing against its stable and its saved form', () => {
    expect(isEmptyDiff(diffDocuments(doc, stableDocument(doc)))).toBe(true);
    const saved = parseSnapshot(snapshotText(doc), 'saved');
    expect(isEmptyDiff(diffDocuments(doc, saved))).toBe(true);
    expect(isEmptyDiff(diffDocuments(saved, doc))).toBe(true);
  });

  it('renders in every report and diff format', () => {
    for (const format of FORMATS) expect(render(doc, format, { color: false }).length).toBeGreaterThan(0);
    const same = diffDocuments(doc, doc);
    for (const format of ['table', 'json', 'markdown'] as const)
      expect(renderDiff(same, format, { color: false }).length).toBeGreaterThan(0);
  });

  it('stable form is idempotent and leaves the input alone', () => {
    const before = JSON.stringify(doc);
    const once = stableDocument(doc);
    expect(stableDocument(once)).toEqual(once);
    expect(JSON.stringify(doc)).toBe(before);
  });
});
