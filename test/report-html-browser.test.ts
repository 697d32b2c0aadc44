import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_CSP, renderHtml } from '../src/report/html/index.js';
import type { AuditDocument } from '../src/types.js';

// The report rendered by a real browser: the charts and matrix exist in the DOM, and the payloads in
// the fixture (which try to set body[data-pwned] and document.title) did not run.

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const TIMEOUT = 60_000;

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(
    `report-html-browser: ${CHROMIUM} not found, skipping the headless browser test. ` +
      'Install it with scripts/install-chromium.sh (apt-get install -y --no-install-recommends chromium).',
  );
}

const run = promisify(execFile);
let dir = '';

// Where the system allows it, the browser runs in a fresh network namespace (loopback only), so
// not even its IPv6 reachability probe (a UDP connect to a public address) can leave the machine.
const UNSHARE = HAVE_CHROMIUM
  ? [['-n'], ['-r', '-n']].find((flags) => spawnSync('unshare', [...flags, 'true']).status === 0)
  : undefined;

/** Headless chromium that can reach nothing: every host name fails, and any fetch hits a dead local proxy. */
async function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(dir, 'profile-'));
  const [command, prefix] = UNSHARE ? ['unshare', [...UNSHARE, CHROMIUM]] : [CHROMIUM, []];
  const { stdout } = await run(
    command,
    [
      ...prefix,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-domain-reliability',
      '--disable-breakpad',
      '--no-pings',
      '--proxy-server=127.0.0.1:9',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { timeout: TIMEOUT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HOME: dir } },
  );
  return stdout;
}

/** The DOM after scripts and events had their chance (virtual time lets onerror fire). */
function dumpDom(file: string): Promise<string> {
  return chromium(['--virtual-time-budget=3000', '--dump-dom', pathToFileURL(file).href]);
}

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const PWN = `<img src=x onerror="document.body.setAttribute('data-pwned','1')"><script>document.title='PWNED'</script>`;
const bodyTag = (dom: string) => dom.match(/<body[^>]*>/)?.[0] ?? '';
const titleOf = (dom: string) => dom.match(/<title>([^<]*)<\/title>/)?.[1];

// Skipped without chromium on a developer machine; in CI a missing browser fails the first test.
const browserIt = it.skipIf(!HAVE_CHROMIUM);

describe('HTML report in headless chromium', () => {
  const doc = JSON.parse(
    readFileSync(new URL('./fixtures/html-doc.json', import.meta.url), 'utf8'),
  ) as AuditDocument;
  let report = '';

  // Declared only in CI (where .ci/run installs chromium), so that a developer run shows no skip.
  if (IN_CI)
    it('has chromium (required when CI is set)', () => {
      expect(HAVE_CHROMIUM, `CI is set but ${CHROMIUM} is missing: run scripts/install-chromium.sh`).toBe(
        true,
      );
    });

  beforeAll(() => {
    if (!HAVE_CHROMIUM) return;
    dir = mkdtempSync(join(tmpdir(), 'singlepath-html-'));
    report = write('report.html', renderHtml(doc));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  browserIt(
    'detects a payload that runs (control page without escaping or CSP)',
    async () => {
      const dom = await dumpDom(
        write('control.html', `<!DOCTYPE html><title>control</title><body>${PWN}</body>`),
      );
      expect(bodyTag(dom)).toContain('data-pwned="1"');
      expect(titleOf(dom)).toBe('PWNED');
    },
    TIMEOUT,
  );

  browserIt(
    'blocks the same payload with the report CSP alone (defence in depth)',
    async () => {
      const page = `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="${HTML_CSP.replace(/'/g, '&#39;')}"><title>csp</title><body>${PWN}</body>`;
      const dom = await dumpDom(write('csp.html', page));
      expect(bodyTag(dom)).not.toContain('data-pwned');
      expect(titleOf(dom)).toBe('csp');
    },
    TIMEOUT,
  );

  browserIt(
    'prints on a few pages: the matrix, then each domain as its findings (8 domains: 5 pages, were 10)',
    async () => {
      const pdf = join(dir, 'report.pdf');
      await chromium(['--no-pdf-header-footer', `--print-to-pdf=${pdf}`, pathToFileURL(report).href]);
      const pages = (
        readFileSync(pdf)
          .toString('latin1')
          .match(/\/Type\s*\/Page[^s]/g) ?? []
      ).length;
      expect(pages).toBeGreaterThan(0);
      expect(pages).toBeLessThanOrEqual(6);
    },
    TIMEOUT,
  );

  browserIt(
    'renders charts and matrix, and no payload from the fixture executes',
    async () => {
      const dom = await dumpDom(report);
      const bars = doc.summary.layers.reduce((n, l) => n + Math.min(8, l.providers.length), 0);
      expect((dom.match(/<svg class="bar"/g) ?? []).length).toBe(bars + doc.summary.blastRadius.length);
      expect((dom.match(/<rect class="bar-fill"/g) ?? []).length).toBe(bars + doc.summary.blastRadius.length);
      expect((dom.match(/<svg class="gauge"/g) ?? []).length).toBeGreaterThan(0);
      expect((dom.match(/<tr class="mx-row">/g) ?? []).length).toBe(doc.domains.length);
      expect((dom.match(/<details class="domain"/g) ?? []).length).toBe(doc.domains.length);

      expect(bodyTag(dom)).not.toContain('data-pwned');
      expect(titleOf(dom)).toBe(`singlepath report — ${doc.generatedAt}`);
      expect(dom).not.toMatch(/<(script|img|iframe|object|embed)\b/i);
      // The payloads are there, as text.
      expect(dom).toContain("&lt;script&gt;document.title='PWNED'&lt;/script&gt;");
      expect(dom).toContain(`&lt;img src=x onerror="document.body.setAttribute('data-pwned','1')"&gt;`);
    },
    TIMEOUT,
  );

  browserIt(
    'takes a screenshot',
    async () => {
      const png = join(dir, 'report.png');
      await chromium([`--screenshot=${png}`, '--window-size=1280,2000', pathToFileURL(report).href]);
      expect(statSync(png).size).toBeGreaterThan(20_000);
      const bytes = readFileSync(png);
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
      if (process.env.SINGLEPATH_SCREENSHOT) writeFileSync(process.env.SINGLEPATH_SCREENSHOT, bytes);
    },
    TIMEOUT,
  );
});
