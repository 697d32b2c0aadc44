import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';

// Issue 20: the default table was 237 columns wide with 5-7 rows a domain, wrapping into 109
// lines for 15 domains at 80 or 160 columns. Now: one line per domain, sized to the terminal
// (COLUMNS when the output is not one), findings as counts by severity and the single paths
// named; the details with --explain or --domain NAME. The HTML matrix fits and prints compactly.

const SNAPSHOT = join(ROOT, 'samples', 'snapshot.json');
const DOMAINS = 15;

const report = (columns: number, extra: string[] = []) =>
  runCli(['report', SNAPSHOT, ...extra], { env: { COLUMNS: String(columns) } });

describe('a table that fits', () => {
  it.each([80, 160])('at %i columns: no line wider, one line per domain', async (columns) => {
    const r = await report(columns);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
    const rows = lines.filter((l) => /^(?:[a-z0-9-]+\.)+[a-z]+ {2}/.test(l));
    expect(rows).toHaveLength(DOMAINS);
    // The whole report: summary, the rows, a line of hints; nothing like 109 lines.
    expect(lines.length).toBeLessThan(45);
  });

  it('names the findings by severity and the single paths', async () => {
    const r = await report(160);
    const row = r.stdout.split('\n').find((l) => l.startsWith('www.northwind-retail.com '))!;
    expect(row).toMatch(/critical 1, high 2/);
    expect(row).toMatch(/ cloudflare DNS\+CDN, google CA\+e-mail$/);
    const failed = r.stdout.split('\n').find((l) => l.startsWith('www.margies-travel.com '))!;
    expect(failed).toMatch(/error NXDOMAIN/);
    expect(r.stdout).toMatch(/--explain|--domain NAME/);
  });

  it('--domain NAME gives the details of one domain; an unknown one is refused', async () => {
    const r = await report(100, ['--domain', 'www.northwind-retail.com']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^www\.northwind-retail\.com$/m);
    expect(r.stdout).toMatch(/^ {2}cdn +cloudflare/m);
    expect(r.stdout).toMatch(/header: cf-ray/);
    expect(r.stdout).not.toContain('www.contoso-travel.com');
    const none = await report(100, ['--domain', 'nowhere.example']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no domain "nowhere\.example" in /);
  });

  it('--explain keeps every detail: the full table and the evidence', async () => {
    const r = await report(100, ['--explain']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('│ domain');
    expect(r.stdout).toMatch(/header: cf-ray/);
  });

  it('the HTML matrix fits the page and the print stylesheet keeps pages few', async () => {
    const r = await runCli(['report', SNAPSHOT, '-f', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const css = r.stdout.slice(r.stdout.indexOf('<style'), r.stdout.indexOf('</style>'));
    // The matrix scales its columns to the page instead of scrolling three of them out of sight.
    expect(css).toMatch(/table\.matrix\{[^}]*table-layout:fixed/);
    expect(css).toMatch(/table\.matrix\{[^}]*width:100%/);
    const print = css.slice(css.indexOf('@media print'));
    // Printed: no page per section, raw observations left to the screen, domains packed.
    expect(print).not.toMatch(/section\{break-before:page\}/);
    expect(print).toMatch(/details\.obs-wrap\{display:none\}/);
  });
});
