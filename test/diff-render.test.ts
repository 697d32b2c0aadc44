import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDiff } from '../src/report/diff/index.js';
import { diffDocuments } from '../src/snapshot/diff.js';
import { readSnapshot } from '../src/snapshot/read.js';
import type { AuditDocument } from '../src/types.js';

// The drift report for a committed pair of schema-1 snapshots: a week in which the secondary DNS
// provider was dropped, a CDN switched, a broken domain came back on one provider (recovered:
// not news, nothing good of it to compare with), one domain started failing (failing: what it
// hides is not resolved), one was removed and a new one arrived with everything on cloudflare.

const fixture = (name: string) => readSnapshot(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const before = fixture('snapshot-v1.json');
const after = fixture('snapshot-v1-next.json');
const diff = diffDocuments(before, after);

const GOLDEN_MARKDOWN = `## singlepath drift

2026-01-15T09:30:00.000Z → 2026-01-22T09:30:00.000Z: domains 7 → 7, failed 1 → 1; findings critical 1 → 4, high 7 → 12, medium 3 → 7, low 1 → 0, info 2 → 1

**New findings: 13** (critical 1, high 7, medium 5), resolved 3, severity changed 1

### New findings (13)

| severity | domain | finding | note |
| --- | --- | --- | --- |
| **critical** | www\\.example | shared-fate cloudflare | new domain |
| **high** | api.example | single-provider aws (dns) |  |
| **high** | api.example | single-provider aws (cdn) |  |
| **high** | static.example | shared-fate google |  |
| **high** | static.example | single-provider godaddy (dns) |  |
| **high** | static.example | single-provider cloudflare (cdn) |  |
| **high** | www\\.example | single-provider cloudflare (dns) | new domain |
| **high** | www\\.example | single-provider cloudflare (cdn) | new domain |
| **medium** | api.example | single-provider aws (cloud) |  |
| **medium** | api.example | single-provider aws (ca) |  |
| **medium** | static.example | single-provider google (cloud) |  |
| **medium** | static.example | single-provider google (ca) |  |
| **medium** | www\\.example | single-provider google (ca) | new domain |

### Severity changed (1)

| domain | finding | before | after |
| --- | --- | --- | --- |
| api.example | shared-fate aws | high | **critical** |

### Resolved findings (3)

| severity | domain | finding |
| --- | --- | --- |
| high | static.example | single-provider fastly (cdn) |
| low | api.example | probe-failed |
| info | api.example | redundant (dns) |

### Domains (2)

| change | domain |
| --- | --- |
| added | www\\.example |
| removed | mail.example |

### Providers changed (2)

| domain | layer | before | after | gained | lost | note |
| --- | --- | --- | --- | --- | --- | --- |
| api.example | DNS | aws (route53) + ns1 | aws (route53) |  | ns1 |  |
| static.example | CDN | fastly | cloudflare | cloudflare | fastly |  |

### Failing (1)

| domain | code | note |
| --- | --- | --- |
| blog.example | TIMEOUT | last good 2026-01-15T09:30:00.000Z kept |

### Recovered (1)

| domain | was | compared with |
| --- | --- | --- |
| broken.example | TIMEOUT | no good result to compare with: its findings, critical 1, high 2, are not counted as new |

### Concentration (5)

| layer | HHI | covered | share moves |
| --- | --- | --- | --- |
| DNS | 2000 → 2800 (+800) | 4 → 5 | cloudflare 20.0% → 40.0% (+20.0 pts)<br>ns1 20.0% → 0.0% (-20.0 pts) |
| CDN | 2000 → 3333 (+1333) | 4 → 5 | cloudflare 20.0% → 60.0% (+40.0 pts)<br>fastly 20.0% → 0.0% (-20.0 pts) |
| cloud | 3600 → 5000 (+1400) | 5 → 4 | hetzner 20.0% → 0.0% (-20.0 pts) |
| CA | 2800 → 3600 (+800) | 5 → 5 | google 20.0% → 40.0% (+20.0 pts)<br>sectigo 20.0% → 0.0% (-20.0 pts) |
| e-mail | 3750 → 5000 (+1250) | 2 → 1 | microsoft 40.0% → 20.0% (-20.0 pts)<br>proofpoint 20.0% → 0.0% (-20.0 pts) |

### Third-party dependency (IMC 2020) (31)

| what | figure | move |
| --- | --- | --- |
| DNS | third party | 4 (80.0%) → 5 (100.0%) |
| DNS | critically dependent | 3 (60.0%) → 5 (100.0%) |
| DNS | redundant | 1 (20.0%) → 0 (0.0%) |
| DNS | HHI | 3333 → 2800 |
| DNS | top-1 | cloudflare 20.0% → cloudflare 40.0% |
| DNS | top-2 | godaddy 40.0% → aws 60.0% |
| DNS | top-3 | vercel 60.0% → godaddy 80.0% |
| DNS | top-4 | none → vercel 100.0% |
| CDN | third party | 4 (80.0%) → 5 (100.0%) |
| CDN | critically dependent | 4 (80.0%) → 5 (100.0%) |
| CDN | HHI | 2000 → 3333 |
| CDN | top-1 | aws 20.0% → cloudflare 60.0% |
| CDN | top-2 | cloudflare 40.0% → aws 80.0% |
| CDN | top-3 | fastly 60.0% → shopify 80.0% |
| CDN | top-4 | shopify 60.0% → vercel 100.0% |
| CDN | top-5 | vercel 80.0% → none |
| cloud | third party | 5 (100.0%) → 4 (80.0%) |
| cloud | critically dependent | 5 (100.0%) → 4 (80.0%) |
| cloud | HHI | 3600 → 5000 |
| cloud | top-3 | hetzner 100.0% → none |
| CA | HHI | 2800 → 3600 |
| CA | top-1 | letsencrypt 40.0% → google 40.0% |
| CA | top-2 | aws 60.0% → letsencrypt 80.0% |
| CA | top-3 | google 80.0% → aws 100.0% |
| CA | top-4 | sectigo 100.0% → none |
| e-mail | third party | 2 (40.0%) → 1 (20.0%) |
| e-mail | critically dependent | 1 (20.0%) → 0 (0.0%) |
| e-mail | HHI | 5000 → 0 |
| e-mail | top-1 | microsoft 20.0% → none |
| e-mail | top-2 | proofpoint 20.0% → none |
| google | amplification | 2 → 3 domains (direct 1 → 2), ratio ×2.00 → ×1.50 |

### Blast radius (7)

| provider | down | degraded |
| --- | --- | --- |
| cloudflare | 1 → 4<br>+static.example, +www\\.example | 0 → 0 |
| fastly | 1 → 0<br>-static.example | 0 → 0 |
| hetzner | 1 → 0<br>-mail.example | 0 → 0 |
| google | 2 → 2 | 1 → 2<br>+www\\.example |
| microsoft | 0 → 0 | 1 → 0<br>-mail.example |
| proofpoint | 0 → 0 | 1 → 0<br>-mail.example |
| sectigo | 0 → 0 | 1 → 0<br>-mail.example |
`;

describe('renderDiff', () => {
  it('renders a diff of 150k new findings (more lines than a call takes arguments)', () => {
    const one = diff.findings.new[0]!;
    const many = Array.from({ length: 150_000 }, (_, i) => ({ ...one, domain: `d${i}.example` }));
    const big = { ...diff, findings: { ...diff.findings, new: many } };
    const text = renderDiff(big, 'table', { color: false });
    expect(text).toContain('New findings (150000)');
    expect(text).toContain('d149999.example');
  });

  it('markdown matches the golden text', () => {
    expect(renderDiff(diff, 'markdown', { color: false })).toBe(GOLDEN_MARKDOWN);
  });

  it('table lists every section without colour unless asked', () => {
    const plain = renderDiff(diff, 'table', { color: false });
    expect(plain).not.toContain('\u001b');
    for (const title of [
      'New findings (13)',
      'Severity changed (1)',
      'Resolved findings (3)',
      'Domains added (1)',
      'Domains removed (1)',
      'Providers changed (2)',
      'Failing (1)',
      'Recovered (1)',
      'Concentration (5)',
      'Blast radius (7)',
    ])
      expect(plain).toContain(title);
    expect(plain).toMatch(/static\.example +CDN +fastly +=> +cloudflare +\(\+cloudflare, -fastly\)/);
    expect(plain).toMatch(/cloudflare +down 1 → 4 \(\+static\.example, \+www\.example\)/);
    // A domain back from a failure is a state, not the source of its three findings.
    expect(plain).toMatch(
      /broken\.example +was TIMEOUT \(no good result to compare with: its findings, critical 1, high 2, are not counted as new\)/,
    );
    expect(plain).toMatch(
      /blog\.example +TIMEOUT \(its last good result, 2026-01-15T09:30:00\.000Z, kept for the next run\)/,
    );
    expect(renderDiff(diff, 'table', { color: true })).toContain('\u001b[1;31mcritical\u001b[0m');
  });

  it('json is the diff itself', () => {
    expect(JSON.parse(renderDiff(diff, 'json', { color: false }))).toEqual(diff);
  });

  it('an empty diff says so in every format', () => {
    const same = diffDocuments(before, before);
    expect(renderDiff(same, 'table', { color: false })).toMatch(/\nNo changes\.\n$/);
    expect(renderDiff(same, 'markdown', { color: false })).toMatch(/\nNo changes since the baseline\.\n$/);
    expect(JSON.parse(renderDiff(same, 'json', { color: false })).findings.new).toEqual([]);
  });

  it('markdown caps long sections', () => {
    const text = renderDiff(diff, 'markdown', { color: false, maxRows: 3 });
    expect(text).toContain('… 10 more (the json format lists all)');
  });

  it('escapes hostile names for each sink', () => {
    const hostile = 'x\u001b]0;pwn\u0007|<img src=x>`\u202e.example';
    const evil: AuditDocument = structuredClone(after);
    const www = evil.domains.find((r) => r.domain === 'www.example')!;
    www.domain = hostile;
    for (const d of www.dependencies) d.provider = `${d.provider}|<b>`;
    for (const f of www.risks) if (f.provider) f.provider = `${f.provider}|<b>`;
    const d = diffDocuments(before, evil);
    const table = renderDiff(d, 'table', { color: false });
    expect(table).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const md = renderDiff(d, 'markdown', { color: false });
    // The only raw '<' left is our own <br>.
    expect(md).not.toMatch(/(?<!\\)<(?!br>)/);
    expect(md).toContain('\\|\\<img src=x\\>\\`');
    // Every table row keeps its column count: no pipe got through unescaped.
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && l.includes('.example')))
      expect(line.replace(/\\\|/g, '').split('|').length).toBeGreaterThan(2);
    const json = renderDiff(d, 'json', { color: false });
    expect(json).not.toContain('\u202e');
    expect(JSON.parse(json).domains.added).toEqual([hostile]);
  });
});
