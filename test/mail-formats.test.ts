import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render } from '../src/report/index.js';
import { diffDocuments } from '../src/snapshot/diff.js';
import type { AuditDocument, DomainResult, Finding } from '../src/types.js';

// Outbound mail in the formats the golden files do not cover (HTML, SARIF) and in drift: a
// sender is its own position, so an alert or a diff never mixes it with the same provider's MX.

const doc = JSON.parse(
  readFileSync(new URL('../samples/golden-snapshot.json', import.meta.url), 'utf8'),
) as AuditDocument;

const single = (provider: string, direction: 'inbound' | 'outbound'): Finding => ({
  kind: 'single-provider',
  severity: 'medium',
  layer: 'email',
  provider,
  args: { direction },
  message: '',
});

function withRisks(risks: Finding[]): AuditDocument {
  const mail = doc.domains.find((d) => d.domain === 'mail.example')!;
  const domains: DomainResult[] = [{ ...mail, risks }];
  return { ...doc, domains };
}

describe('outbound mail in HTML and SARIF', () => {
  it('HTML marks the sender and the report receiver', () => {
    const html = render(doc, 'html', { color: false });
    expect(html).toContain('sends (SPF)');
    expect(html).toContain('DMARC reports');
    expect(html).toMatch(/title="E-mail: sends \(SPF\), single path">E↑/);
    expect(html).toContain('E-mail · outbound · sendgrid');
  });

  it('SARIF says the direction, and a sender’s alert has its own fingerprint', () => {
    const sarif = JSON.parse(
      render(withRisks([single('google', 'inbound'), single('google', 'outbound')]), 'sarif', {
        color: false,
      }),
    );
    const results = sarif.runs[0].results as {
      properties: { direction?: string };
      partialFingerprints: Record<string, string>;
    }[];
    expect(results.map((r) => r.properties.direction)).toEqual(['inbound', 'outbound']);
    const prints = results.map((r) => r.partialFingerprints['singlepathFinding/v1']);
    expect(new Set(prints).size).toBe(2);
  });
});

describe('drift keeps the directions apart', () => {
  it('Google becoming the only sender is a new finding, not the inbound one again', () => {
    const before = withRisks([single('google', 'inbound')]);
    const after = withRisks([single('google', 'inbound'), single('google', 'outbound')]);
    const diff = diffDocuments(before, after);
    expect(diff.findings.new.map((f) => `${f.kind} ${f.provider}`)).toEqual(['single-provider google']);
    expect(diff.findings.resolved).toEqual([]);
  });
});
