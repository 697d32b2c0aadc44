import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  escapeCsv,
  escapeHtml,
  escapeJsonText,
  escapeMarkdown,
  escapeTerminal,
} from '../src/report/escape.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// Network-sourced strings (header values, certificate fields, names in DNS answers) carrying
// terminal escapes, spreadsheet formulas, Markdown and HTML syntax: each sink neutralises them.

const ESC = '\u001b';
const C1 = /[\u0080-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const FORMULA = `=cmd|' /C calc'!A0`;

describe('escape functions against known injections', () => {
  it.each([
    ['OSC 8 hyperlink (ST)', `${ESC}]8;;https://evil.test${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['OSC 8 hyperlink (BEL)', `${ESC}]8;;https://evil.test\u0007click${ESC}]8;;\u0007`, 'click'],
    ['OSC 52 clipboard write', `${ESC}]52;c;Y3VybCBldmlsfHNo\u0007ok`, 'ok'],
    ['window title', `${ESC}]0;pwned\u0007ok`, 'ok'],
    ['CSI colour and erase', `${ESC}[31m${ESC}[2Jred${ESC}[0m`, 'red'],
    ['8-bit CSI (C1)', '\u009b31mred', '31mred'],
    ['8-bit OSC (C1)', '\u009d8;;https://evil.test\u009cclick', '8;;https://evil.testclick'],
    ['CR overwriting the line', 'cloudflare\rfastly  ', 'cloudflare fastly  '],
    ['backspaces', 'fastly\b\b\b\b\b\bakamai', 'fastlyakamai'],
    ['nested ESC', `${ESC}${ESC}[31m[31mx`, '[31mx'],
    ['broken CSI', `${ESC}[3\u00001mx`, '[31mx'],
    ['bidi override', 'abc\u202edcba\u202c', 'abcdcba'],
    ['bidi isolate and marks', '\u2067x\u2069\u200f\u200e\u061cy', 'xy'],
    ['line separator', 'a\u2028b\u2029c', 'a b c'],
  ])('terminal: %s', (_name, input, shown) => {
    const out = escapeTerminal(input);
    expect(out).toBe(shown);
    expect(out).not.toContain(ESC);
    expect(out).not.toMatch(C1);
    expect(out).not.toMatch(BIDI);
    expect(out).not.toMatch(/[\r\n\b]/);
  });

  it.each([
    [FORMULA, `"'${FORMULA}"`],
    ['+1+1', `"'+1+1"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['  =1+1', `"'  =1+1"`],
    ['\u00a0=1+1', `"'\u00a0=1+1"`],
    ['\uff1dcmd', `"'\uff1dcmd"`],
    ['a"b', `"a""b"`],
    ['x\u202e=1', `"x=1"`],
    ['cloudflare', `"cloudflare"`],
  ])('csv: %j', (input, cell) => {
    expect(escapeCsv(input)).toBe(cell);
  });

  it('markdown: pipes, backticks, HTML and links stay text', () => {
    const out = escapeMarkdown('a|b`c`<script>[x](javascript:alert(1))\n# h');
    expect(out).toBe('a\\|b\\`c\\`\\<script\\>\\[x\\]\\(javascript:alert\\(1\\)\\) \\# h');
  });

  it.each([
    'https://evil.example/login',
    'HTTPS://EVIL.EXAMPLE',
    'see www.evil.example now',
    'www.shop.example',
    'mailto:someone@evil.example',
    'xmpp:someone@evil.example',
    'admin@evil.example',
    '(https://evil.example)',
    '*www.evil.example*',
    'ftp://evil.example',
  ])('markdown: the bare URL %j stays text under GFM (micromark), in text and in a table cell', (input) => {
    const md = escapeMarkdown(input);
    for (const doc of [md, `| a | b |\n| --- | --- |\n| ${md} | x |\n`]) {
      const html = micromark(doc, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
      expect(html).not.toContain('<a ');
    }
    const text = micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] })
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&')
      .trim();
    expect(text).toBe(input);
  });

  it('html: markup, quotes and bidi controls', () => {
    expect(escapeHtml(`<img src=x onerror="alert(1)">'\u202e`)).toBe(
      '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;',
    );
  });

  it('json text: the new bidi marks are written as \\u escapes and round-trip', () => {
    const value = { v: 'a\u200e\u200f\u061cb' };
    const text = escapeJsonText(JSON.stringify(value));
    expect(text).toBe('{"v":"a\\u200e\\u200f\\u061cb"}');
    expect(JSON.parse(text)).toEqual(value);
  });
});

// --- through the real CLI ------------------------------------------------------------------------

const PAYLOAD = `\u009b31mred\u009d8;;https://evil.test\u009cclick | \`tick\` ${FORMULA} <script>alert(1)</script>`;

const fixture: LabFixture = {
  zones: ['esc.test', 'cloudflare.net'],
  records: [
    { name: 'ok.esc.test', type: 'A', data: '104.16.6.1' },
    { name: 'hdr.esc.test', type: 'A', data: '104.16.6.2' },
    { name: 'cert.esc.test', type: 'A', data: '104.16.6.3' },
    // A CNAME whose target label carries the payload's bytes (DNS labels are any 63 octets).
    { name: 'dns.esc.test', type: 'CNAME', data: `x\u009b31m|\`t\`=1+1<b>.cdn.cloudflare.net` },
    { name: `x\u009b31m|\`t\`=1+1<b>.cdn.cloudflare.net`, type: 'A', data: '104.16.6.4' },
    { name: 'ok2.esc.test', type: 'A', data: '104.16.6.5' },
  ],
  sites: {
    'ok.esc.test': { headers: { 'cf-ray': '1-FRA' } },
    'ok2.esc.test': { headers: { 'cf-ray': '2-FRA' } },
    // Bytes no Node server would send: written raw, latin1 (0x9b is the 8-bit CSI).
    'hdr.esc.test': {
      rawResponse: `HTTP/1.1 200 OK\r\ncf-ray: ${PAYLOAD}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
    },
    'cert.esc.test': {
      issuer: {
        O: `Evil${ESC}[31m\u009b32m\u202eCA | \`x\` ${FORMULA}`,
        CN: `CN\r\n${ESC}]8;;https://evil.test\u0007`,
      },
    },
    'dns.esc.test': { headers: { 'cf-ray': '3-FRA' } },
  },
};
const DOMAINS = ['ok.esc.test', 'hdr.esc.test', 'cert.esc.test', 'dns.esc.test', 'ok2.esc.test'];

let lab: Lab;
const out: Record<string, string> = {};
let doc: AuditDocument;

beforeAll(async () => {
  lab = await startLab(fixture);
  const run = (format: string, extra: string[] = []) =>
    runCli(['audit', '-', '--format', format, ...extra, '--timeout', '3000', ...lab.args()], {
      stdin: DOMAINS.join('\n'),
    });
  const runs = await Promise.all([
    run('json'),
    run('table', ['--explain']),
    run('csv'),
    run('markdown', ['--explain']),
    run('html'),
  ]);
  for (const [i, format] of ['json', 'table', 'csv', 'markdown', 'html'].entries()) {
    expect(runs[i]!.code, runs[i]!.stderr).toBe(0);
    out[format] = runs[i]!.stdout;
  }
  doc = JSON.parse(out.json!);
}, 60_000);
afterAll(() => lab?.close());

describe('hostile strings through the CLI', () => {
  it('the payloads reached the document (the test is not vacuous)', () => {
    const get = (n: string) => doc.domains.find((d) => d.domain === n)!;
    expect(get('hdr.esc.test').observations.http?.headers['cf-ray']?.[0]).toContain('\u009b31m');
    expect(get('cert.esc.test').observations.tls?.issuer?.O).toContain('=cmd|');
    expect(get('dns.esc.test').observations.dns.cnames[0]).toContain('|`t`');
    for (const n of ['ok.esc.test', 'ok2.esc.test']) {
      expect(get(n).error).toBeUndefined();
      expect(get(n).dependencies.map((d) => `${d.layer}:${d.provider}`)).toContain('cdn:cloudflare');
    }
  });

  it('json: C1 controls and bidi are \\u-escaped, the value round-trips', () => {
    expect(out.json).not.toMatch(C1);
    expect(out.json).not.toMatch(BIDI);
    expect(out.json).not.toContain(ESC);
  });

  it('table: no escape sequence, C1 control, bidi control or CR reaches the terminal', () => {
    const table = out.table!;
    expect(table).toContain('click');
    expect(table).not.toContain(ESC);
    expect(table).not.toMatch(C1);
    expect(table).not.toMatch(BIDI);
    expect(table).not.toContain('\r');
  });

  it('csv: no cell starts a formula; the payload stays inside its cell', () => {
    const csv = out.csv!;
    expect(csv).toContain('=cmd|');
    expect(csv).not.toMatch(/(^|,)"\s*[=+\-@]/m);
    expect(csv).not.toContain(ESC);
    expect(csv).not.toMatch(C1);
    // Every record has the header's column count (no cell broke out of its quotes).
    const cells = (line: string) => line.match(/"(?:[^"]|"")*"/g)?.length ?? 0;
    const lines = csv.trimEnd().split('\r\n');
    for (const line of lines) expect(cells(line)).toBe(cells(lines[0]!));
  });

  it('markdown: pipes and backticks are escaped, tables keep their columns', () => {
    const md = out.markdown!;
    // Rendered as GitHub would (micromark's GFM): no link of any kind, no raw HTML.
    const html = micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('<script');
    expect(md).toContain('\\|');
    expect(md).toContain('\\`tick\\`');
    expect(md).not.toMatch(/(?<!\\)`tick/);
    expect(md).not.toContain('<script>');
    expect(md).not.toMatch(C1);
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    const width = (l: string) => l.split(/(?<!\\)\|/).length;
    for (const row of rows.filter((r) => r.includes('.esc.test'))) {
      const header = rows[rows.indexOf(row) - 1];
      if (header && !header.includes('.esc.test')) expect(width(row)).toBe(width(header));
    }
  });

  it('html: no injected markup', () => {
    const html = out.html!;
    // Booleans, so that a failure does not print the whole page.
    expect(html.includes('&lt;script&gt;alert(1)')).toBe(true);
    expect(html.includes('<script>alert')).toBe(false);
    expect(html.includes('=1+1<b>')).toBe(false);
    expect(C1.test(html)).toBe(false);
    expect(BIDI.test(html)).toBe(false);
  });
});
