import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WhatIfResult } from '../src/analyse/whatif.js';
import type { AuditDocument } from '../src/types.js';
import { ROOT, runCli } from './helpers/cli.js';

// Issue 20: one answer to "what goes down". whatif said cloudflare takes 7 domains down where the
// blast radius said 6 (a domain that does not resolve was counted "down via cloudflare"); parent
// companies counted without being named, and the HTML matrix's column for the parent was empty;
// `aws@mars-1` was accepted, and a site whose region is not visible was "unaffected".

const SNAPSHOT = join(ROOT, 'samples', 'snapshot.json');
let doc: AuditDocument;

const whatif = async (...providers: string[]) => {
  const r = await runCli(['whatif', ...providers.flatMap((p) => ['-p', p]), SNAPSHOT, '-f', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as WhatIfResult;
};

beforeAll(async () => {
  const r = await runCli(['report', SNAPSHOT, '-f', 'json']);
  expect(r.code, r.stderr).toBe(0);
  doc = JSON.parse(r.stdout) as AuditDocument;
});

describe('whatif, blast radius and the HTML agree', () => {
  it('for every provider of the blast radius, whatif names the same domains down and degraded', async () => {
    for (const radius of doc.summary.blastRadius) {
      const w = await whatif(radius.provider);
      expect(
        w.down.map((d) => d.domain),
        radius.provider,
      ).toEqual(radius.down);
      expect(
        w.degraded.map((d) => d.domain),
        radius.provider,
      ).toEqual(radius.degraded);
    }
  });

  it('a domain that already fails is its own tier, not "down via cloudflare"', async () => {
    const w = await whatif('cloudflare');
    expect(w.down.map((d) => d.domain)).not.toContain('www.margies-travel.com');
    expect(w.failing).toEqual([
      { domain: 'legacy.proseware-health.com', code: 'SERVFAIL' },
      { domain: 'www.margies-travel.com', code: 'NXDOMAIN' },
    ]);
    const table = await runCli(['whatif', '-p', 'cloudflare', SNAPSHOT]);
    expect(table.stdout).toMatch(/^What if cloudflare fails: down 6, .*already failing 2/);
    expect(table.stdout).toMatch(/www\.margies-travel\.com +│ already failing/);
  });

  it('names the parent company where it counts', async () => {
    const w = await whatif('microsoft');
    const docs = w.down.find((d) => d.domain === 'docs.litware-labs.io');
    expect(docs?.owners).toEqual([{ provider: 'github', owner: 'microsoft' }]);
    const table = await runCli(['whatif', '-p', 'microsoft', SNAPSHOT]);
    expect(table.stdout).toContain('via microsoft, which owns github');
    // The blast radius says which subsidiaries it counts, in the document and the reports.
    const radius = doc.summary.blastRadius.find((r) => r.provider === 'microsoft');
    expect(radius?.owns).toEqual(['github']);
    const report = await runCli(['report', SNAPSHOT]);
    expect(report.stdout).toMatch(/microsoft \(owns github\)/);
    const md = await runCli(['report', SNAPSHOT, '-f', 'markdown']);
    expect(md.stdout).toMatch(/microsoft \(owns github\)/);
  });

  it("the HTML matrix's column of a parent is filled where the blast radius counts it", async () => {
    const r = await runCli(['report', SNAPSHOT, '-f', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const matrix = r.stdout.slice(r.stdout.indexOf('<table class="matrix">'));
    const head = matrix.slice(0, matrix.indexOf('</thead>'));
    const columns = [...head.matchAll(/class="prov-col" title="([^"]+)"/g)].map((m) => m[1]);
    const row = matrix.slice(matrix.indexOf('>docs.litware-labs.io</a>'));
    const cells = row.slice(0, row.indexOf('</tr>')).split('<td').slice(1);
    const cell = cells[columns.indexOf('microsoft')]!;
    expect(cell).toContain('via github');
  });

  it('an unknown region is refused with the known ones listed', async () => {
    const r = await runCli(['whatif', '-p', 'aws@mars-1', SNAPSHOT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown region "mars-1" for aws/);
    expect(r.stderr).toMatch(/us-east-1/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a dependency with no visible region is possibly affected by a regional outage', async () => {
    const w = await whatif('aws@us-east-1');
    expect(w.down.map((d) => d.domain)).toEqual(['api.contoso-travel.com']);
    const possibly = (w.possiblyAffected ?? []).map((d) => d.domain);
    // Route 53 + CloudFront + S3, region unknown.
    expect(possibly).toContain('www.contoso-travel.com');
    expect(w.unaffected).not.toContain('www.contoso-travel.com');
    const table = await runCli(['whatif', '-p', 'aws@us-east-1', SNAPSHOT]);
    expect(table.stdout).toMatch(/www\.contoso-travel\.com +│ possibly affected/);
  });
});
