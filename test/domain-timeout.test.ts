import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument, DomainResult } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// --domain-timeout: one bound on a domain from start to result, whatever stage is slow. Past it
// the result keeps what was finished and says TIMEOUT; the other domains are not held up.

const fixture: LabFixture = {
  zones: ['slow.test'],
  records: [
    { name: 'slow.test', type: 'NS', data: 'ada.ns.cloudflare.com' },
    { name: 'quick.slow.test', type: 'A', data: '104.16.1.1' },
    { name: 'mute.slow.test', type: 'A', data: '104.16.1.2' },
    { name: 'late.slow.test', type: 'A', data: '104.16.1.3' },
  ],
  faults: { 'late.slow.test': { delayMs: 4000 } },
  sites: {
    'quick.slow.test': { headers: { 'cf-ray': '1-FRA' } },
    // Reads the request and never answers, on 443 and on 80: each probe phase runs to --timeout.
    'mute.slow.test': { noResponse: true },
  },
};

let lab: Lab;
beforeAll(async () => {
  lab = await startLab(fixture);
});
afterAll(() => lab?.close());

async function audit(extra: string[]): Promise<Record<string, DomainResult>> {
  const run = await runCli(
    [
      'audit',
      '-',
      '--format',
      'json',
      '--timeout',
      '2500',
      '--retries',
      '0',
      '--depth',
      '0',
      // Most of these domains fail on purpose: the run is still one to report.
      '--fail-on-errors',
      '100%',
      ...extra,
      ...lab.args(),
    ],
    { stdin: 'quick.slow.test\nmute.slow.test\nlate.slow.test\n' },
  );
  expect(run.code, run.stderr).toBeLessThan(2);
  const doc = JSON.parse(run.stdout) as AuditDocument;
  return Object.fromEntries(doc.domains.map((d) => [d.domain, d]));
}

describe('--domain-timeout', () => {
  it('ends a domain at the limit with what it had: DNS facts kept, the web probe cut', async () => {
    const byName = await audit(['--domain-timeout', '1200']);
    const mute = byName['mute.slow.test']!;
    expect(mute.error).toEqual({
      code: 'TIMEOUT',
      message: 'not finished within --domain-timeout 1200 ms (web probe still running)',
    });
    expect(mute.observations.dns.status).toBe('NOERROR');
    expect(mute.observations.http).toBeUndefined();
    expect(mute.dependencies.map((d) => `${d.layer}:${d.provider}`)).toContain('dns:cloudflare');
    // A DNS answer that comes too late: nothing observed, no dependency, no risk.
    const late = byName['late.slow.test']!;
    expect(late.error?.code).toBe('TIMEOUT');
    expect(late.error?.message).toContain('(DNS still running)');
    expect(late.observations.dns.status).toBe('TIMEOUT');
    expect(late.dependencies).toEqual([]);
    // The quick one is untouched.
    expect(byName['quick.slow.test']!.error).toBeUndefined();
    expect(byName['quick.slow.test']!.observations.http?.httpStatus).toBe(200);
  });

  it('0 turns the bound off: each stage then ends by its own limit', async () => {
    const byName = await audit(['--domain-timeout', '0']);
    // The probe's own timeout (per phase) ended it, not the domain's.
    expect(byName['mute.slow.test']!.error?.message).not.toContain('--domain-timeout');
    expect(byName['mute.slow.test']!.observations.http?.status).toBe('TIMEOUT');
    expect(byName['late.slow.test']!.observations.dns.status).toBe('TIMEOUT');
  }, 20_000);

  it('is checked: a negative or fractional limit is a usage error', async () => {
    for (const bad of ['-1', '1.5', '3600001']) {
      const run = await runCli(['audit', '-', '--domain-timeout', bad, ...lab.args()], {
        stdin: 'quick.slow.test',
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--domain-timeout/);
    }
  });
});
