import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeJsonText } from '../src/report/escape.js';
import { render } from '../src/report/index.js';
import type { AuditDocument } from '../src/types.js';

// The fixture carries attacker-shaped strings in evidence, region, error and finding fields; each
// sink must neutralise them in its own way.

const doc = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;
const ESC = '\u001b';

describe('hostile strings', () => {
  it('table: no escape sequence from the document reaches the terminal', () => {
    for (const explain of [false, true]) {
      const out = render(doc, 'table', { color: false, explain });
      expect(out).not.toContain(ESC);
      expect(out).not.toContain('\u009b');
    }
    const explained = render(doc, 'table', { color: false, explain: true });
    expect(explained).toContain('O=Evil CA, CN=Sectigo RSA DV');
    expect(explained).toContain('after 3 tries');
  });

  it('table with colour: only our own SGR codes, never the document’s', () => {
    const out = render(doc, 'table', { color: true, explain: true });
    expect(out).toContain('\u001b[1;31mcritical\u001b[0m');
    for (const hostile of ['\u001b[31mEvil', '\u001b[31mfsn1', '\u001b[31mafter'])
      expect(out).not.toContain(hostile);
  });

  it('csv: formulas are defused and no cell starts with = + - @', () => {
    const out = render(doc, 'csv', { color: false });
    expect(out).toContain(`"'=HYPERLINK(""http://evil.test"",""x"")"`);
    expect(out).not.toMatch(/(^|,)"[=+\-@]/m);
    expect(out).not.toContain(ESC);
  });

  it('markdown: pipes, backticks and HTML are escaped', () => {
    const out = render(doc, 'markdown', { color: false, explain: true });
    expect(out).toContain('linode (eu\\|\\`west\\`)');
    expect(out).toContain('\\<script\\>alert\\(1\\)\\</script\\>');
    expect(out).not.toContain('<script>');
    expect(out).not.toContain(ESC);
    // Every table row keeps its column count: no unescaped pipe inside a cell.
    for (const line of out.split('\n').filter((l) => l.startsWith('| ') && l.includes('.example'))) {
      expect(line.split(/(?<!\\)\|/).length).toBe(9);
    }
  });

  it('json and ndjson: control characters stay escaped and the value round-trips', () => {
    const json = render(doc, 'json', { color: false });
    expect(json).not.toContain(ESC);
    expect(JSON.parse(json)).toEqual(doc);
    const lines = render(doc, 'ndjson', { color: false }).trimEnd().split('\n');
    expect(lines).toHaveLength(doc.domains.length + 1);
    expect(lines.every((l) => !l.includes(ESC))).toBe(true);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => r.type)).toEqual([...doc.domains.map(() => 'domain'), 'summary']);
    expect(records.slice(0, -1).map(({ type: _t, ...r }) => r)).toEqual(doc.domains);
    const { type: _t, ...summary } = records.at(-1);
    expect(summary).toEqual(doc.summary);
  });

  it('escapeJsonText escapes C1 controls and bidi overrides without changing the value', () => {
    const value = { s: 'a\u009b31mb\u202ec\u2028d\u007f' };
    const text = escapeJsonText(JSON.stringify(value));
    expect(text).toBe('{"s":"a\\u009b31mb\\u202ec\\u2028d\\u007f"}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
