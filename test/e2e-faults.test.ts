import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// Each failure mode is one domain of the same run: it ends in its own error, the others succeed.

const fixture: LabFixture = {
  zones: ['faults.test', 'cloudflare.com'],
  records: [
    { name: 'faults.test', type: 'NS', data: 'ada.ns.cloudflare.com' },
    { name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' },
    { name: 'ok.faults.test', type: 'A', data: '104.16.1.1' },
    { name: 'ok2.faults.test', type: 'A', data: '104.16.1.2' },
    { name: 'servfail.faults.test', type: 'A', data: '104.16.1.3' },
    { name: 'noanswer.faults.test', type: 'TXT', data: 'exists, but has no address' },
    { name: 'loop-a.faults.test', type: 'CNAME', data: 'loop-b.faults.test' },
    { name: 'loop-b.faults.test', type: 'CNAME', data: 'loop-a.faults.test' },
    { name: 'trunc.faults.test', type: 'A', data: '104.16.1.4' },
    { name: 'truncfail.faults.test', type: 'A', data: '104.16.1.5' },
    { name: 'refused.faults.test', type: 'A', data: '104.16.1.6' },
    { name: 'tlsfail.faults.test', type: 'A', data: '104.16.1.7' },
    { name: 'slow.faults.test', type: 'A', data: '104.16.1.8' },
  ],
  faults: {
    'servfail.faults.test': 'servfail',
    'trunc.faults.test A': 'truncate',
    'truncfail.faults.test A': 'truncate-always',
    'slow.faults.test': 'drop',
  },
  sites: {
    'ok.faults.test': { headers: { 'cf-ray': '1-FRA' } },
    'ok2.faults.test': { headers: { 'cf-ray': '2-FRA' } },
    'trunc.faults.test': { headers: { 'cf-ray': '3-FRA' } },
    'refused.faults.test': { tls: 'none', http: false },
    'tlsfail.faults.test': { tls: 'handshake-fail', headers: { 'cf-ray': '4-FRA' } },
  },
};

const DOMAINS = [
  'ok.faults.test',
  'missing.faults.test',
  'servfail.faults.test',
  'noanswer.faults.test',
  'loop-a.faults.test',
  'trunc.faults.test',
  'truncfail.faults.test',
  'refused.faults.test',
  'tlsfail.faults.test',
  'slow.faults.test',
  'ok2.faults.test',
];

let lab: Lab;
let doc: AuditDocument;

beforeAll(async () => {
  lab = await startLab(fixture);
  const run = await runCli(
    // Most domains fail on purpose (one fault each): --fail-on-errors 100% keeps the exit at 0.
    [
      'audit',
      '-',
      '--format',
      'json',
      '--timeout',
      '400',
      '--retries',
      '1',
      '--fail-on-errors',
      '100%',
      ...lab.args(),
    ],
    {
      stdin: DOMAINS.join('\n'),
    },
  );
  expect(run.code, run.stderr).toBe(0);
  doc = JSON.parse(run.stdout);
});
afterAll(() => lab?.close());

const get = (name: string) => doc.domains.find((d) => d.domain === name)!;

describe('fault injection: one failure per domain, the rest unharmed', () => {
  it('every input domain is in the output', () => {
    expect(doc.domains.map((d) => d.domain).sort()).toEqual([...DOMAINS].sort());
  });

  it.each([
    ['missing.faults.test', 'NXDOMAIN'],
    ['servfail.faults.test', 'SERVFAIL'],
    ['noanswer.faults.test', 'NO_ADDRESS'],
    ['loop-a.faults.test', 'CNAME_LOOP'],
    ['truncfail.faults.test', 'TRUNCATED'],
    ['refused.faults.test', 'CONN_REFUSED'],
    ['slow.faults.test', 'TIMEOUT'],
  ])('%s ends in error %s', (name, code) => {
    expect(get(name).error?.code).toBe(code);
    expect(get(name).error?.message).toBeTruthy();
  });

  it('a truncated UDP answer is retried over TCP and succeeds', () => {
    const d = get('trunc.faults.test');
    expect(d.error).toBeUndefined();
    expect(d.observations.dns.addresses.map((a) => a.ip)).toEqual(['104.16.1.4']);
    expect(lab.dns.tcpQueries).toBeGreaterThan(0);
  });

  it('a failed TLS handshake falls back to HTTP and still classifies the headers', () => {
    const d = get('tlsfail.faults.test');
    expect(d.observations.tls?.status).toBe('TLS_ERROR');
    expect(d.observations.http).toMatchObject({ scheme: 'http', httpStatus: 200 });
    expect(d.dependencies.some((x) => x.layer === 'cdn' && x.provider === 'cloudflare')).toBe(true);
  });

  it('a site that answers plain HTTP only is not a failed audit: a low no-https finding says so', () => {
    const d = get('tlsfail.faults.test');
    expect(d.error).toBeUndefined();
    expect(d.risks.filter((f) => f.kind === 'no-https').map((f) => [f.severity, f.args.status])).toEqual([
      ['low', 'TLS_ERROR'],
    ]);
    // Real failures still count: neither HTTPS nor HTTP answered.
    expect(get('refused.faults.test').risks.some((f) => f.kind === 'no-https')).toBe(false);
    expect(doc.summary.failed).toBe(doc.domains.filter((x) => x.error).length);
    expect(doc.domains.filter((x) => x.error).map((x) => x.domain)).not.toContain('tlsfail.faults.test');
  });

  it('the healthy domains around the failures are complete', () => {
    for (const name of ['ok.faults.test', 'ok2.faults.test']) {
      const d = get(name);
      expect(d.error).toBeUndefined();
      expect(d.observations.tls?.authorized).toBe(true);
      // The lab's own issuing CA is not in the catalogue: it is reported by its organisation name.
      expect(d.dependencies.map((x) => `${x.layer}:${x.provider}`)).toEqual([
        'dns:cloudflare',
        'cdn:cloudflare',
        'ca:singlepath-lab',
      ]);
    }
  });
});
