import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

const fixture: LabFixture = {
  zones: ['cli.test', 'cloudflare.com', 'awsdns-25.com'],
  records: [
    { name: 'cli.test', type: 'NS', data: 'ada.ns.cloudflare.com' },
    { name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' },
    { name: 'www.cli.test', type: 'A', data: '104.16.1.1' },
    { name: 'api.cli.test', type: 'A', data: '52.6.1.1' },
    { name: 'intranet.cli.test', type: 'A', data: '127.0.0.2' },
  ],
  sites: {
    'www.cli.test': { headers: { 'cf-ray': '1-FRA', 'x-evil': '<script>alert(1)</script>' } },
    'api.cli.test': { headers: { server: 'nginx' } },
  },
};

let lab: Lab;
let dir: string;
let list: string;

beforeAll(async () => {
  lab = await startLab(fixture);
  dir = mkdtempSync(join(tmpdir(), 'singlepath-cli-'));
  list = join(dir, 'domains.txt');
  writeFileSync(list, '# two domains and a bad line\nwww.cli.test\nnot a domain\nhttps://API.cli.test/x\n');
});
afterAll(() => lab?.close());

describe('singlepath audit (CLI)', () => {
  it('a full disk under the streamed output is a clear error, exit 2', async () => {
    const run = await runCli([
      'audit',
      list,
      '--no-http',
      '--format',
      'ndjson',
      '-o',
      '/dev/full',
      ...lab.args(),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/singlepath: cannot write \/dev\/full: no space left on the device/);
    expect(run.stderr).not.toMatch(/internal error/);
  });

  it('reports a bad line with its number on stderr and audits the rest', async () => {
    const run = await runCli(['audit', list, ...lab.args()]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${list}:3: skipped "not a domain": contains whitespace`);
    expect(run.stdout).toContain('www.cli.test');
    expect(run.stdout).toContain('api.cli.test');
    // A line per domain: its findings by severity, the providers that alone serve a layer.
    expect(run.stdout).toMatch(/^www\.cli\.test +(?:critical|high) \d.* cloudflare DNS/m);
    expect(run.stdout).not.toMatch(/\u001b\[/); // NO_COLOR and not a TTY
  });

  it('an empty list is a usage error (exit 2)', async () => {
    const run = await runCli(['audit', '-', ...lab.args()], { stdin: '# nothing here\n\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stdin: no domains to audit/);
  });

  it('--no-http is a DNS-only audit', async () => {
    const run = await runCli(['audit', '-', '--no-http', '--format', 'json', ...lab.args()], {
      stdin: 'www.cli.test',
    });
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.domains[0]!.observations.http).toBeUndefined();
    expect(doc.domains[0]!.observations.tls).toBeUndefined();
    expect(doc.domains[0]!.dependencies.map((d) => `${d.layer}:${d.provider}`)).toEqual([
      'dns:cloudflare',
      'cdn:cloudflare',
    ]);
    expect(lab.web.hits('www.cli.test')).toBeGreaterThanOrEqual(0);
  });

  it('--output writes the file and nothing to stdout; report re-renders it offline', async () => {
    const out = join(dir, 'result.json');
    const run = await runCli(['audit', list, '--format', 'json', '--output', out, ...lab.args()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as AuditDocument;
    expect(doc.domains.map((d) => d.domain)).toEqual(['api.cli.test', 'www.cli.test']);

    const md = await runCli(['report', out, '--format', 'markdown']);
    expect(md.code).toBe(0);
    // The dot after www escaped: GFM would make the name a link (issue 21).
    expect(md.stdout).toContain('www\\.cli.test');
    const html = await runCli(['report', out, '--format', 'html']);
    expect(html.stdout).not.toContain('<script>alert(1)</script>');
    const csv = await runCli(['report', out, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toMatch(/domain/);

    const whatif = await runCli(['whatif', '--provider', 'cloudflare', out, '--format', 'json']);
    expect(whatif.code).toBe(0);
    // Both lose their only DNS provider; only www also loses its edge.
    const down = JSON.parse(whatif.stdout).down as { domain: string; layers: string[] }[];
    expect(down.map((d) => `${d.domain}:${d.layers.join('+')}`)).toEqual([
      'api.cli.test:dns',
      'www.cli.test:dns+cdn',
    ]);
  });

  it('report, diff and whatif read NDJSON results as the JSON document they stand for', async () => {
    const json = join(dir, 'same.json');
    const ndjson = join(dir, 'same.ndjson');
    expect((await runCli(['audit', list, '--format', 'json', '-o', json, ...lab.args()])).code).toBe(0);
    expect((await runCli(['report', json, '--format', 'ndjson', '-o', ndjson])).code).toBe(0);
    const fromJson = JSON.parse((await runCli(['report', json, '--format', 'json'])).stdout) as AuditDocument;
    const again = await runCli(['report', ndjson, '--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    const fromNdjson = JSON.parse(again.stdout) as AuditDocument;
    expect(fromNdjson.domains).toEqual(fromJson.domains);
    expect(fromNdjson.summary).toEqual(fromJson.summary);
    const diff = await runCli(['diff', json, ndjson]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/No changes\./);
    const whatif = await runCli(['whatif', '--provider', 'cloudflare', ndjson, '--format', 'json']);
    expect(whatif.code, whatif.stderr).toBe(0);
    expect((JSON.parse(whatif.stdout).down as unknown[]).length).toBe(2);
    // A broken record is an error naming the file, exit 2.
    writeFileSync(join(dir, 'broken.ndjson'), '{"type":"domain","domain":"x"\n');
    const broken = await runCli(['report', join(dir, 'broken.ndjson')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.ndjson/);
  });

  it('--fail-on exits 1 when a finding at or above the threshold exists', async () => {
    const high = await runCli(['audit', '-', '--fail-on', 'high', ...lab.args()], { stdin: 'www.cli.test' });
    expect(high.code).toBe(1);
    const crit = await runCli(['audit', '-', '--fail-on', 'critical', '--no-http', ...lab.args()], {
      stdin: 'api.cli.test',
    });
    expect(crit.code).toBe(0);
  });

  it.each([
    [['--connect-to', 'nonsense'], /connect-to/],
    [['--resolver', 'not-an-ip'], /not-an-ip/],
    [['--timeout', '-5'], /--timeout/],
  ])('bad option %j is a one-line usage error (exit 2)', async (extra, message) => {
    const run = await runCli(['audit', '-', ...extra, '--resolver', lab.resolver], { stdin: 'www.cli.test' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace for user errors
  });

  it('a broken --catalog names the file and the path inside it', async () => {
    const bad = join(dir, 'bad-catalog.json');
    writeFileSync(
      bad,
      JSON.stringify({
        providers: [{ id: 'inhouse', name: 'In-house', signals: { cname: [{ suffix: 'x.net' }] } }],
      }),
    );
    const run = await runCli(['audit', '-', '--catalog', bad, ...lab.args()], { stdin: 'www.cli.test' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${bad}: providers[0].signals.cname[0]: missing "layer"`);
  });

  it('a user catalogue adds an in-house provider', async () => {
    const mine = join(dir, 'mine.json');
    writeFileSync(
      mine,
      JSON.stringify({
        providers: [
          {
            id: 'acme-hosting',
            name: 'ACME hosting',
            signals: { header: [{ name: 'server', pattern: '^nginx$', layer: 'cloud' }] },
          },
        ],
      }),
    );
    const run = await runCli(['audit', '-', '--catalog', mine, '--format', 'json', ...lab.args()], {
      stdin: 'api.cli.test',
    });
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.domains[0]!.dependencies.map((d) => `${d.layer}:${d.provider}`)).toContain(
      'cloud:acme-hosting',
    );
  });

  it('an address in a private range is not probed unless --allow-private', async () => {
    // Only a resolver: no catch-all --connect-to, so the probe would go where DNS points (loopback here).
    const args = ['audit', '-', '--format', 'json', '--resolver', lab.resolver, '--timeout', '1000'];
    const denied = JSON.parse((await runCli(args, { stdin: 'intranet.cli.test' })).stdout) as AuditDocument;
    expect(denied.domains[0]!.error?.code).toBe('PRIVATE_ADDRESS');
    expect(denied.domains[0]!.error?.message).toContain('127.0.0.2');
    const allowed = JSON.parse(
      (await runCli([...args, '--allow-private'], { stdin: 'intranet.cli.test' })).stdout,
    );
    expect(allowed.domains[0].observations.http.status).not.toBe('PRIVATE_ADDRESS');
    expect(allowed.domains[0].observations.http.connectedTo).toMatch(/^127\.0\.0\.2:/);
  });

  it.each([
    [['audit', '/nonexistent/domains.txt'], /cannot read \/nonexistent\/domains.txt: no such file or folder/],
    [['audit', '-', '--fail-on-new', 'high'], /--fail-on-new needs --baseline/],
    [
      ['whatif', '-p', 'cloudflar', 'samples/snapshot.json'],
      /unknown provider "cloudflar" \(did you mean cloudflare[,?]/,
    ],
  ])('%j is a one-line user error (exit 2)', async (args, message) => {
    const run = await runCli(
      [...args, '--resolver', lab.resolver].slice(0, args[0] === 'whatif' ? args.length : undefined),
      {
        stdin: 'www.cli.test',
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('a completed run removes its --journal, so the next scheduled run may reuse the name', async () => {
    const journal = join(dir, 'weekly.journal');
    for (let i = 0; i < 2; i++) {
      const run = await runCli(['audit', list, '--no-http', '--journal', journal, ...lab.args()]);
      expect(run.code, run.stderr).toBe(0);
      expect(existsSync(journal)).toBe(false);
    }
  });

  it('--help groups the flags', async () => {
    const run = await runCli(['audit', '--help']);
    expect(run.code).toBe(0);
    for (const group of ['Input:', 'DNS:', 'HTTP/TLS:', 'Output:', 'Limits:'])
      expect(run.stdout).toContain(group);
  });

  it('providers lists the catalogue', async () => {
    const run = await runCli(['providers', '--format', 'json']);
    const rows = JSON.parse(run.stdout) as { id: string; layers: string[] }[];
    expect(rows.find((r) => r.id === 'cloudflare')?.layers).toEqual(expect.arrayContaining(['dns', 'cdn']));
  });
});
