import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { domainRisks } from '../src/analyse/domain.js';
import { summarise } from '../src/analyse/portfolio.js';
import { renderDiff } from '../src/report/diff/index.js';
import { diffDocuments, hasNewFindingAtLeast, isEmptyDiff } from '../src/snapshot/diff.js';
import type { AuditDocument, Dependency, DomainResult } from '../src/types.js';
import { type Dep, result, snapshotDoc } from './helpers/results.js';

// The first diff after an upgrade: the old snapshot was written by a version that asked no SPF or
// DMARC, so it has no outbound senders or report receivers at all. What it did not record is
// unknown, not "added" in the new one (a scheduled run would page on every domain).

const doc = snapshotDoc;

/** As today's audit writes it: SPF and DMARC asked, whatever they found. */
function recorded(r: DomainResult): DomainResult {
  r.observations.dns.spf = { status: 'NOERROR', includes: [], direct: [], lookups: 0 };
  r.observations.dns.dmarc = { status: 'NOERROR', reports: [] };
  return r;
}

const inbound: Dep[] = [
  ['dns', 'cloudflare'],
  ['email', 'google'],
];
const senders = (...ps: string[]): Dep[] => ps.map((p) => ['email', p, { direction: 'outbound' }] as Dep);
const reports: Dep = ['email', 'dmarcian', { direction: 'reports' }];

const OLD = '2026-01-15T09:30:00.000Z';
const NEW = '2026-01-22T09:30:00.000Z';

describe('diff across the upgrade that recorded outbound mail', () => {
  const before = doc([result('a.example', inbound), result('b.example', inbound)], OLD);
  const after = doc(
    [
      recorded(result('a.example', [...inbound, ...senders('google', 'sendgrid'), reports])),
      recorded(result('b.example', [...inbound, ...senders('mailchimp')])),
    ],
    NEW,
  );

  it('shows no sender, receiver or finding of them as new, and no share or radius move', () => {
    const d = diffDocuments(before, after);
    expect(d.layers).toEqual([]);
    expect(d.findings.new).toEqual([]);
    expect(d.findings.resolved).toEqual([]);
    expect(d.portfolio).toEqual({ layers: [], blastRadius: [] });
    expect(isEmptyDiff(d)).toBe(true);
    expect(hasNewFindingAtLeast(d, 'info')).toBe(false);
    // The new side does have outbound single paths: they are what was left out.
    expect(after.domains[1]!.risks.some((f) => f.args?.direction === 'outbound')).toBe(true);
  });

  it('says what was not compared, as context', () => {
    const d = diffDocuments(before, after);
    expect(d.unrecorded).toEqual({ outbound: 2, reports: 1 });
    expect(renderDiff(d, 'table', { color: false })).toMatch(
      /not compared: outbound mail senders of 2 domains, DMARC report receivers of 1 domain/,
    );
  });

  it('still reports an inbound change of such a domain', () => {
    const moved = doc(
      [
        recorded(result('a.example', [['dns', 'cloudflare'], ['email', 'microsoft'], ...senders('google')])),
        recorded(result('b.example', [...inbound, ...senders('mailchimp')])),
      ],
      NEW,
    );
    const d = diffDocuments(before, moved);
    expect(d.layers.map((l) => [l.domain, l.layer, l.gained, l.lost])).toEqual([
      ['a.example', 'email', ['microsoft'], ['google']],
    ]);
    // The sender google of the new side is not taken for the inbound google kept.
    expect(d.layers[0]!.after).toEqual([{ provider: 'microsoft' }]);
  });

  it('says nothing when neither side has anything of a direction (two old snapshots)', () => {
    const d = diffDocuments(before, doc([result('a.example', inbound), result('b.example', inbound)], NEW));
    expect(d.unrecorded).toBeUndefined();
  });

  it('compares senders once both sides recorded them', () => {
    const next = doc(
      [
        recorded(result('a.example', [...inbound, ...senders('google', 'sendgrid', 'mailgun'), reports])),
        recorded(result('b.example', [...inbound, ...senders('mailchimp')])),
      ],
      '2026-01-29T09:30:00.000Z',
    );
    const d = diffDocuments(after, next);
    expect(d.unrecorded).toBeUndefined();
    expect(d.layers.map((l) => [l.domain, l.layer, l.gained])).toEqual([['a.example', 'email', ['mailgun']]]);
  });

  it('a newer side that did not record them (a downgrade) loses nothing either', () => {
    const d = diffDocuments(after, before);
    expect(d.layers).toEqual([]);
    expect(d.findings.resolved).toEqual([]);
    expect(d.unrecorded).toEqual({ outbound: 2, reports: 1 });
  });

  it('the old-style snapshot fixture against itself with mail recorded: nothing moved', () => {
    const old = JSON.parse(
      readFileSync(new URL('./fixtures/snapshot-v1.json', import.meta.url), 'utf8'),
    ) as AuditDocument;
    expect(old.domains.some((r) => r.observations.dns.spf !== undefined)).toBe(false);
    const upgraded = structuredClone(old);
    upgraded.generatedAt = NEW;
    for (const r of upgraded.domains) {
      if (r.error) continue;
      recorded(r);
      const extra: Dependency = {
        layer: 'email',
        provider: 'sendgrid',
        direction: 'outbound',
        evidence: [{ signal: 'spf', value: 'sendgrid.net' }],
      };
      r.dependencies = [...r.dependencies, extra];
      // The old analysis's findings kept; the outbound ones of today's analysis added.
      r.risks = [...r.risks, ...domainRisks(r.dependencies).filter((f) => f.args?.direction === 'outbound')];
    }
    upgraded.summary = { ...upgraded.summary, ...summarise(upgraded.domains) };
    expect(upgraded.domains.flatMap((r) => r.risks).some((f) => f.args?.direction === 'outbound')).toBe(true);
    const d = diffDocuments(old, upgraded);
    expect(d.layers).toEqual([]);
    expect(d.findings.new).toEqual([]);
    expect(d.portfolio.blastRadius).toEqual([]);
    expect(d.unrecorded?.outbound).toBe(upgraded.domains.filter((r) => !r.error).length);
  });
});
