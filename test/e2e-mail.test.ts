import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// E-mail both ways through the real executable: MX receives, the SPF policy (include: chain in
// the lab's zones) says who sends, DMARC's rua names where reports go. Each format says which
// direction is a single path.

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({
    zones: ['tidewater-supply.com', 'larkspur-labs.com', 'overflow-goods.com', 'google.com', 'sendgrid.net'],
    records: [
      { name: 'tidewater-supply.com', type: 'NS', data: 'ns1.tidewater-supply.com' },
      { name: 'ns1.tidewater-supply.com', type: 'A', data: '192.0.2.53' },
      { name: 'www.tidewater-supply.com', type: 'A', data: '192.0.2.80' },
      { name: 'tidewater-supply.com', type: 'MX', data: 'aspmx.l.google.com', priority: 1 },
      { name: 'tidewater-supply.com', type: 'MX', data: 'alt1.aspmx.l.google.com', priority: 5 },
      {
        name: 'tidewater-supply.com',
        type: 'TXT',
        data: 'v=spf1 include:_spf.google.com include:sendgrid.net ~all',
      },
      {
        name: '_dmarc.tidewater-supply.com',
        type: 'TXT',
        data: 'v=DMARC1; p=quarantine; rua=mailto:x@rua.agari.com',
      },
      { name: 'larkspur-labs.com', type: 'NS', data: 'ns1.larkspur-labs.com' },
      { name: 'ns1.larkspur-labs.com', type: 'A', data: '192.0.2.54' },
      { name: 'www.larkspur-labs.com', type: 'A', data: '192.0.2.81' },
      { name: 'larkspur-labs.com', type: 'MX', data: 'aspmx.l.google.com', priority: 1 },
      { name: 'larkspur-labs.com', type: 'TXT', data: 'v=spf1 include:sendgrid.net -all' },
      { name: '_spf.google.com', type: 'TXT', data: 'v=spf1 include:_netblocks.google.com ~all' },
      { name: '_netblocks.google.com', type: 'TXT', data: 'v=spf1 ip4:35.190.247.0/24 ~all' },
      { name: 'sendgrid.net', type: 'TXT', data: 'v=spf1 ip4:167.89.0.0/17 ~all' },
      { name: 'www.overflow-goods.com', type: 'A', data: '192.0.2.82' },
      // Eleven nested includes: past SPF's 10 lookups.
      ...Array.from({ length: 11 }, (_, i) => ({
        name: i === 0 ? 'overflow-goods.com' : `s${i}.overflow-goods.com`,
        type: 'TXT' as const,
        data: `v=spf1 include:s${i + 1}.overflow-goods.com -all`,
      })),
    ],
    sites: {},
  });
});
afterAll(async () => {
  await lab?.close();
});

const audit = (format: string, ...extra: string[]) =>
  runCli([
    'audit',
    'www.tidewater-supply.com',
    'www.larkspur-labs.com',
    ...lab.args(),
    '--no-http',
    '--dns-checks',
    'off',
    '-f',
    format,
    ...extra,
  ]);

describe('e-mail both ways, end to end', () => {
  it('JSON: senders and report receivers are e-mail dependencies with a direction', async () => {
    const r = await audit('json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as AuditDocument;
    const mail = (domain: string) =>
      doc.domains
        .find((d) => d.domain === domain)!
        .dependencies.filter((d) => d.layer === 'email')
        .map((d) => `${d.provider}:${d.direction ?? 'inbound'}`);
    expect(mail('www.tidewater-supply.com')).toEqual([
      'google:inbound',
      'google:outbound',
      'sendgrid:outbound',
      'fortra:reports',
    ]);
    expect(mail('www.larkspur-labs.com')).toEqual(['google:inbound', 'sendgrid:outbound']);
    const single = (domain: string) =>
      doc.domains
        .find((d) => d.domain === domain)!
        .risks.filter((f) => f.layer === 'email')
        .map((f) => `${f.kind} ${f.provider ?? ''} ${f.args.direction}`);
    expect(single('www.larkspur-labs.com')).toEqual([
      'single-provider google inbound',
      'single-provider sendgrid outbound',
    ]);
    expect(single('www.tidewater-supply.com')).toEqual([
      'single-provider google inbound',
      'redundant  outbound',
    ]);
    const tide = doc.domains.find((d) => d.domain === 'www.tidewater-supply.com')!;
    expect(tide.observations.dns.spf?.includes.map((i) => i.domain)).toEqual([
      '_spf.google.com',
      '_netblocks.google.com',
      'sendgrid.net',
    ]);
  });

  it('a policy past 10 lookups is a finding of its own', async () => {
    const r = await runCli([
      'audit',
      'www.overflow-goods.com',
      ...lab.args(),
      '--no-http',
      '--dns-checks',
      'off',
      '-f',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const risks = (JSON.parse(r.stdout) as AuditDocument).domains[0]!.risks;
    expect(risks.filter((f) => f.kind === 'spf-permerror').map((f) => [f.severity, f.args.reason])).toEqual([
      ['medium', 'too-many-lookups'],
    ]);
  });

  it('table, CSV and Markdown say which way the mail goes', async () => {
    // The one-line table counts findings; --explain shows the layers and each finding.
    const table = await audit('table', '--explain');
    expect(table.stdout).toContain('google (workspace); sends: sendgrid');
    expect(table.stdout).toContain('single-provider sendgrid (email, outbound)');
    const csv = await audit('csv');
    expect(csv.stdout).toContain('"www.larkspur-labs.com","email","sendgrid"');
    expect(csv.stdout.split('\r\n').find((l) => l.includes('"sendgrid"'))).toMatch(/,"outbound"$/);
    const md = await audit('markdown');
    expect(md.stdout).toContain('sends: google (workspace) + sendgrid; DMARC reports: fortra (agari)');
  });
});
