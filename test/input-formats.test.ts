import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFields, type LineYield, ZoneReader } from '../src/input/formats.js';
import type { AuditDocument } from '../src/types.js';
import { ROOT, runCli } from './helpers/cli.js';
import { type Lab, readFixture, startLab } from './helpers/lab.js';

// Lists as teams export them: a zone file from BIND, Knot, Route 53 or Cloudflare, a CSV
// inventory with a header row.

function zone(text: string): { names: string[]; problems: string[] } {
  const r = new ZoneReader();
  const names: string[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const y: LineYield = r.push(line);
    if ('problem' in y) problems.push(`${i + 1}: ${y.problem}`);
    else names.push(...y.names);
  });
  const open = r.end();
  if (open) problems.push(`end: ${open}`);
  return { names, problems };
}

describe('zone files', () => {
  it('BIND style: $ORIGIN, $TTL, @, relative names, blank owners, parentheses, comments', () => {
    const { names, problems } = zone(
      [
        '$ORIGIN example.com.',
        '$TTL 3600',
        '@       IN  SOA ns1.example.com. hostmaster.example.com. (',
        '            2024010101 ; serial',
        '            3600 600 86400 300 )',
        '        IN  NS  ns1',
        '@       IN  A   192.0.2.1',
        'www     300 IN CNAME example.com.',
        'api     IN  AAAA 2001:db8::1',
        '        IN  A   192.0.2.2        ; the same owner, blank',
        'txt     IN TXT "a ; not a comment" "b"',
        'mail    IN  MX  10 mx.example.net.',
        'abs.example.com. IN A 192.0.2.3',
        '$ORIGIN dev.example.com.',
        'app     IN  CNAME lb.example.net.',
        '*.wild  IN  A 192.0.2.9',
        'ttl-first 600 A 192.0.2.4',
        'class-first IN 600 A 192.0.2.5',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(names).toEqual([
      'example.com',
      'www.example.com',
      'api.example.com',
      'api.example.com',
      'abs.example.com',
      'app.dev.example.com',
      'ttl-first.dev.example.com',
      'class-first.dev.example.com',
    ]);
  });

  it('Route 53 and Cloudflare exports (absolute names, no $ORIGIN)', () => {
    const { names, problems } = zone(
      [
        ';; Domain:     example.org.',
        ';; Exported:   2026-12-01 10:00:00',
        'example.org.\t3600\tIN\tSOA\tns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400',
        'example.org.\t172800\tIN\tNS\tns-1.awsdns-01.org.',
        'www.example.org.\t300\tIN\tCNAME\td111111abcdef8.cloudfront.net.',
        'shop.example.org.\t1\tIN\tA\t23.227.38.65',
        '_dmarc.example.org.\t1\tIN\tTXT\t"v=DMARC1; p=none"',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(names).toEqual(['www.example.org', 'shop.example.org']);
  });

  it('names the line of what it cannot read', () => {
    const { problems } = zone(
      ['www IN A 192.0.2.1', '$INCLUDE other.zone', '$ORIGIN example.com', '@ IN SOA ( 1 2'].join('\n'),
    );
    expect(problems).toEqual([
      '1: the name "www" is relative and no $ORIGIN was given',
      '2: $INCLUDE is not followed (only $ORIGIN and $TTL are)',
      '3: $ORIGIN needs an absolute name (ending with ".")',
      'end: the file ends inside a "(" record',
    ]);
  });
});

describe('CSV fields', () => {
  it('reads quoted fields with commas and doubled quotes', () => {
    expect(csvFields('a,"b,c","d ""e""",')).toEqual(['a', 'b,c', 'd "e"', '']);
  });
});

describe('through the CLI', () => {
  let lab: Lab;
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-formats-'));
  beforeAll(async () => {
    lab = await startLab(readFixture(join(ROOT, 'samples', 'lab.json')));
  });
  afterAll(() => lab?.close());
  const domains = (stdout: string) => (JSON.parse(stdout) as AuditDocument).domains.map((d) => d.domain);

  it('--input-format zone audits every owner with A, AAAA or CNAME', async () => {
    const file = join(dir, 'contoso.zone');
    writeFileSync(
      file,
      [
        '$ORIGIN contoso-travel.com.',
        '@ IN SOA ns1 hostmaster ( 1 3600 600 86400 300 )',
        'www IN CNAME contoso-travel.com.',
        'api IN A 192.0.2.1',
        'mail IN MX 10 mx.contoso-travel.com.',
        '',
      ].join('\n'),
    );
    const run = await runCli([
      'audit',
      file,
      '--input-format',
      'zone',
      '--format',
      'json',
      '--no-http',
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(domains(run.stdout)).toEqual(['api.contoso-travel.com', 'www.contoso-travel.com']);
  });

  it('--column picks the CSV column; a missing column is named with the ones there are', async () => {
    const file = join(dir, 'inventory.csv');
    writeFileSync(
      file,
      [
        'owner,Hostname,env',
        'web,www.contoso-travel.com,prod',
        '"ops, infra",api.contoso-travel.com,prod',
        '',
      ].join('\n'),
    );
    const run = await runCli([
      'audit',
      file,
      '--column',
      'hostname',
      '--format',
      'json',
      '--no-http',
      ...lab.args(),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(domains(run.stdout)).toEqual(['api.contoso-travel.com', 'www.contoso-travel.com']);
    const missing = await runCli(['audit', file, '--column', 'fqdn', '--no-http', ...lab.args()]);
    expect(missing.stderr).toContain(
      `${file}:1: skipped "owner,Hostname,env": the header row has no column "fqdn" (it has: owner, hostname, env)`,
    );
    expect(missing.code).toBe(2);
  });
});
