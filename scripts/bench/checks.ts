// What the DNS checks cost: the same DNS-only audit of ZONES generated zones (three names each)
// with --dns-checks off and on, against the world of checks-child.ts (a child process). Reports
// questions and packets to name servers per zone, the time the checks add per zone, and that
// each zone, the root and the TLD are asked once however many names share them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditStats, auditStream, createAuditor } from '../../src/audit.js';
import { packageRoot } from '../../src/package-root.js';
import { NAMES_PER_ZONE, ROOT_IP, zoneName } from './checks-world.js';
import { forkChild } from './ipc.js';

export interface ChecksBench {
  zones: number;
  domains: number;
  concurrency: number;
  /** Seconds for the whole audit, checks off and on (same world, same run). */
  offSeconds: number;
  onSeconds: number;
  zonesChecked: number;
  questionsPerZone: number;
  packetsPerZone: number;
  /** Extra wall time the checks add per zone, in milliseconds. */
  msPerZone: number;
  /** Questions the root and the TLD server received with checks on (each referral once per name asked). */
  rootQueries: number;
  tldQueries: number;
  /** Direct questions that timed out (first attempts and retries). */
  timeouts: number;
  failed: number;
}

export async function runChecksBench(
  zones: number,
  concurrency: number,
  log: (l: string) => void,
): Promise<ChecksBench> {
  const child = await forkChild<{ resolverPort: number; ports: Record<string, number> }>(
    join(packageRoot(), 'dist', 'scripts', 'bench', 'checks-child.js'),
    [String(zones)],
  );
  const dir = mkdtempSync(join(tmpdir(), 'singlepath-bench-checks-'));
  try {
    const hints = join(dir, 'root.hints');
    writeFileSync(hints, `. 3600000 NS a.root-servers.net.\na.root-servers.net. 3600000 A ${ROOT_IP}\n`);
    const { resolverPort, ports } = child.ready;
    const route = (ip: string) => ({ host: '127.0.0.1', port: ports[ip] ?? 9 });
    const domains = function* () {
      for (let k = 0; k < zones; k++) for (const p of NAMES_PER_ZONE) yield `${p}${zoneName(k)}`;
    };
    const once = async (dnsChecks: boolean) => {
      await child.request('reset');
      const auditor = await createAuditor({
        resolvers: [`127.0.0.1:${resolverPort}`],
        http: false,
        depth: 0,
        concurrency,
        dnsChecks,
        rootHints: hints,
        directRoute: route,
        // The world's server addresses are labels in 100.64.0.0/10 (CGNAT, not public).
        allowPrivate: true,
        timeoutMs: 2000,
      });
      const started = performance.now();
      let failed = 0;
      let stats: AuditStats;
      try {
        for await (const r of auditStream(domains(), auditor, concurrency)) if (r.error) failed++;
        stats = auditor.stats();
      } finally {
        await auditor.close();
      }
      const seconds = (performance.now() - started) / 1000;
      const counts = await child.request('stats');
      log(
        `checks ${dnsChecks ? 'on' : 'off'}: ${zones * NAMES_PER_ZONE.length} domains in ${seconds.toFixed(1)} s`,
      );
      return { seconds, stats, counts, failed };
    };
    const off = await once(false);
    const on = await once(true);
    return {
      zones,
      domains: zones * NAMES_PER_ZONE.length,
      concurrency,
      offSeconds: round(off.seconds, 2),
      onSeconds: round(on.seconds, 2),
      zonesChecked: on.stats.zonesChecked,
      questionsPerZone: round(on.stats.directQuestions / zones, 2),
      packetsPerZone: round(on.stats.directSent / zones, 2),
      msPerZone: round(((on.seconds - off.seconds) * 1000) / zones, 3),
      rootQueries: Number(on.counts.root ?? 0),
      tldQueries: Number(on.counts.tld ?? 0),
      timeouts: on.stats.directTimeouts,
      failed: on.failed + off.failed,
    };
  } finally {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function renderChecks(b: ChecksBench): string {
  return [
    '',
    `DNS checks (${b.zones} zones, ${b.domains} domains, concurrency ${b.concurrency}, DNS-only):`,
    `  audit with checks off ${b.offSeconds} s, on ${b.onSeconds} s: +${b.msPerZone} ms of wall time per zone`,
    `  zones checked ${b.zonesChecked} (each once), ${b.questionsPerZone} questions and ${b.packetsPerZone} packets to name servers per zone`,
    `  root asked ${b.rootQueries} times, TLD server ${b.tldQueries} times (once per name below them); ${b.timeouts} timeouts, ${b.failed} failed`,
    '',
  ].join('\n');
}
