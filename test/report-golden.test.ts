import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarise } from '../src/analyse/portfolio.js';
import { whatIf } from '../src/analyse/whatif.js';
import { render, renderWhatIf } from '../src/report/index.js';
import type { AuditDocument } from '../src/types.js';

// Each format rendered from one hand-built document and compared byte for byte with a committed
// file. `UPDATE_GOLDEN=1 npx vitest run test/report-golden` rewrites them after an intended change.

const doc = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;
const relations = { parents: { linode: 'akamai', ns1: 'ibm' } };
const outage = whatIf(doc.domains, ['microsoft', 'akamai'], relations);

function golden(name: string, actual: string): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden files', () => {
  it('fixture summary is what summarise() computes', () => {
    expect(summarise(doc.domains, relations)).toEqual(doc.summary);
  });

  it('table', () => golden('report.txt', render(doc, 'table', { color: false })));
  it('table --explain', () =>
    golden('report.explain.txt', render(doc, 'table', { color: false, explain: true })));
  it('json', () => golden('report.json', render(doc, 'json', { color: false })));
  it('ndjson', () => golden('report.ndjson', render(doc, 'ndjson', { color: false })));
  it('csv', () => golden('report.csv', render(doc, 'csv', { color: false })));
  it('markdown --explain', () =>
    golden('report.md', render(doc, 'markdown', { color: false, explain: true })));
  it('what-if table', () => golden('whatif.txt', renderWhatIf(outage, 'table', { color: false })));
  it('what-if json', () => golden('whatif.json', renderWhatIf(outage, 'json', { color: false })));
  it('what-if markdown', () => golden('whatif.md', renderWhatIf(outage, 'markdown', { color: false })));
});
