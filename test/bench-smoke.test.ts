import { describe, expect, it } from 'vitest';
import { renderChecks, runChecksBench } from '../scripts/bench/checks.js';
import { runBench } from '../scripts/bench/run.js';
import { renderTable } from '../scripts/bench/table.js';

// The benchmark harness end to end on a tiny lab: it must finish, lose no domain and print its
// figures. No timing is asserted here; rates belong to `npm run bench`, never to a test.
// Like the e2e tests it runs the built CLI and lab children from dist/ (`npm test` builds first).
describe('bench harness (N=300)', () => {
  it('measures ceilings and both CLI modes, one process, --jobs 2 and whole documents, with zero lost domains', {
    timeout: 120_000,
  }, async () => {
    const log: string[] = [];
    const result = await runBench({
      n: 300,
      zones: 30,
      concurrency: 20,
      window: 64,
      jobs: 2,
      probeThreads: 2,
      formats: ['json', 'table'],
      log: (l) => log.push(l),
    });
    const table = renderTable(result);
    process.stdout.write(table);
    expect(result.failures).toEqual([]);
    expect(result.rows.map((r) => r.mode)).toEqual([
      'dns ceiling',
      'dns cli',
      'dns replay',
      'dns cli --jobs 2',
      'dns cli --format json',
      'dns cli --format table',
      'tls ceiling',
      'full cli',
      'full cli --jobs 2',
    ]);
    for (const row of result.rows) {
      // Whole documents are counted too: the JSON read back, the table by its first column.
      expect(row.lost, row.mode).toBe(0);
      expect(row.detail.duplicates ?? 0, row.mode).toBe(0);
      expect(row.rate, row.mode).toBeGreaterThan(0);
    }
    const dnsCli = result.rows.find((r) => r.mode === 'dns cli')!;
    expect(dnsCli.detail.lines).toBeGreaterThanOrEqual(300);
    expect(dnsCli.peakRssMb).toBeGreaterThan(0);
    // The fair ceiling sent again exactly what the responder saw the audit send, and the audit's
    // heap allocation was counted (issue 19).
    const replay = result.rows.find((r) => r.mode === 'dns replay')!;
    expect(replay.queries).toBe(dnsCli.queries);
    expect(replay.lost).toBe(0);
    expect(dnsCli.ratio).toBeCloseTo(dnsCli.rate / replay.rate, 2);
    const recorded = dnsCli.detail.recorded as { packets: number; distinct: number; repeatsByType: object };
    expect(recorded.packets).toBe(dnsCli.queries);
    // Every question once: TXT answers (SPF, DMARC) cache like the others.
    expect(recorded.repeatsByType).toEqual({});
    expect(dnsCli.allocKbPerDomain).toBeGreaterThan(0);
    expect(table).toContain('alloc KB/dom');
    expect(table).toContain('full cli');
    // --probe-threads reaches the CLI's full run.
    const full = result.rows.find((r) => r.mode === 'full cli')!;
    expect(full.detail.statsLine).toMatch(/; web probes on 2 threads$/);
  });

  it('measures the DNS checks on a generated hierarchy: each zone checked once, the root asked once', async () => {
    const b = await runChecksBench(50, 20, () => {});
    process.stdout.write(renderChecks(b));
    expect(b).toMatchObject({
      zones: 50,
      domains: 150,
      zonesChecked: 50,
      rootQueries: 1,
      tldQueries: 50,
      failed: 0,
    });
    // Per zone: SOA and NS at its 4 servers, the A of its 3 names at each, and the TLD's referral;
    // the root's referral for com once for all 50.
    expect(b.questionsPerZone).toBe((50 * (4 * 2 + 4 * 3 + 1) + 1) / 50);
  });
});
