import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type AuditOptions, failedResult } from '../audit.js';
import type { DnsClientStats } from '../collect/dns/client.js';
import { packageRoot } from '../package-root.js';
import { escapeTerminal } from '../report/escape.js';
import type { DomainResult } from '../types.js';

// `audit --jobs N`: the audit spread over N child processes, one core each. The parent reads
// the list (dedupe, shard, resume, bad lines reported once), hands each child a domain at a
// time over stdin, and gets results back as NDJSON lines; everything after that (summary,
// journal, output) is the same loop as a single-process run. Children have their own DNS
// cache, so questions shared by many domains (a zone's NS and MX) are asked once per child.

/** Environment variable carrying the audit options to a child (`singlepath worker`). */
export const WORKER_OPTIONS_ENV = 'SINGLEPATH_WORKER_OPTIONS';

/** A child's last line: its DNS client's counters, for the parent's stats line. */
export interface WorkerStatsLine {
  type: 'stats';
  stats: DnsClientStats;
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

interface Worker {
  child: Child;
  /** Domains handed over and not yet answered. */
  outstanding: Set<string>;
  alive: boolean;
  stats?: DnsClientStats;
}

export interface WorkerPool {
  /** Results in the order they finish, every domain of `domains` exactly once. */
  results: AsyncGenerator<DomainResult>;
  /** Counters of all children (those that reported them). */
  stats(): DnsClientStats;
}

const STATS_KEYS: (keyof DnsClientStats)[] = [
  'queries',
  'sent',
  'retries',
  'timeouts',
  'tcpFallbacks',
  'cacheHits',
  'dropped',
  'throttled',
  'backoffMs',
];

/** Options a child can be given as JSON: callbacks and loaded data stay in the parent. */
function portable(opts: AuditOptions): AuditOptions {
  const { onResult: _r, now: _n, catalogue: _c, asnDb: _a, ...rest } = opts;
  return rest;
}

const failed = (domain: string, message: string): DomainResult =>
  failedResult(domain, { code: 'WORKER_FAILED', message });

/**
 * Starts `jobs` children and audits `domains` with them. A child that dies has its unanswered
 * domains handed to the others (once); with none left they come back as WORKER_FAILED results,
 * so no domain is lost. `stderr` gets the children's messages, each distinct line once.
 */
export function auditInWorkers(
  domains: AsyncIterable<string>,
  opts: AuditOptions,
  jobs: number,
  stderr: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): WorkerPool {
  const concurrency = opts.concurrency ?? 50;
  // Enough handed over to keep both of a child's stages busy, few enough to rebalance.
  const window = 4 * concurrency;
  const bin = join(packageRoot(), 'bin', 'singlepath.js');
  // --qps is the user's rate per resolver for the whole run: each child gets its share.
  const share = opts.qps ? { qps: Math.max(1, Math.floor(opts.qps / jobs)) } : {};
  const childEnv = { ...env, [WORKER_OPTIONS_ENV]: JSON.stringify({ ...portable(opts), ...share }) };
  const seenLines = new Set<string>();

  const queue: DomainResult[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Domains of dead children waiting for a live one. */
  const orphans: string[] = [];
  const retried = new Set<string>();

  const workers: Worker[] = Array.from({ length: jobs }, () => {
    const child = spawn(process.execPath, [bin, 'worker'], {
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A group of their own: a Ctrl-C at the terminal reaches the parent only, which then
      // closes the children's input and lets them finish the domains they hold.
      detached: true,
    }) as Child;
    const w: Worker = { child, outstanding: new Set(), alive: true };
    child.stdin.on('error', () => {});
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      let rec: { type?: string; domain?: string; stats?: DnsClientStats };
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec.type === 'stats' && rec.stats) {
        w.stats = rec.stats;
        return;
      }
      if (rec.type !== 'domain' || typeof rec.domain !== 'string' || !w.outstanding.delete(rec.domain))
        return;
      const { type: _t, ...result } = rec;
      queue.push(result as DomainResult);
      notify();
    });
    createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (seenLines.has(line)) return;
      if (seenLines.size < 1000) seenLines.add(line);
      stderr(`${line}\n`);
    });
    child.on('error', (err) => exited(w, err.message));
    child.on('close', (code, signal) => exited(w, `worker exited with ${signal ?? `code ${code}`}`));
    return w;
  });

  function exited(w: Worker, why: string): void {
    if (!w.alive) return;
    w.alive = false;
    if (w.outstanding.size > 0) {
      stderr(`singlepath: ${escapeTerminal(why)} holding ${w.outstanding.size} domains: handing them on\n`);
      for (const d of w.outstanding) {
        if (retried.has(d) || !workers.some((x) => x.alive)) queue.push(failed(d, why));
        else {
          retried.add(d);
          orphans.push(d);
        }
      }
      w.outstanding.clear();
    }
    notify();
  }

  const idle = (): Worker | undefined => {
    let best: Worker | undefined;
    for (const w of workers)
      if (w.alive && w.outstanding.size < window && (!best || w.outstanding.size < best.outstanding.size))
        best = w;
    return best;
  };
  const send = (w: Worker, domain: string) => {
    w.outstanding.add(domain);
    w.child.stdin.write(`${domain}\n`);
  };
  const waitForNews = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });

  async function* results(): AsyncGenerator<DomainResult> {
    const source = domains[Symbol.asyncIterator]();
    let exhausted = false;
    try {
      for (;;) {
        // Hand out work while some child has room: orphans first, then the list.
        for (let w = idle(); w; w = idle()) {
          const orphan = orphans.shift();
          if (orphan !== undefined) {
            send(w, orphan);
            continue;
          }
          if (exhausted) break;
          const next = await source.next();
          if (next.done) {
            exhausted = true;
            for (const x of workers) x.child.stdin.end();
            break;
          }
          send(w, next.value);
        }
        while (queue.length > 0) yield queue.shift()!;
        const holding = workers.some((w) => w.outstanding.size > 0);
        if (exhausted && !holding && orphans.length === 0) break;
        if (!workers.some((w) => w.alive)) {
          // Nobody left to ask: what is still queued fails rather than waiting forever.
          for (const d of orphans.splice(0)) queue.push(failed(d, 'no worker left'));
          if (queue.length === 0) {
            for await (const d of { [Symbol.asyncIterator]: () => source })
              queue.push(failed(d, 'no worker left'));
            exhausted = true;
          }
          continue;
        }
        await waitForNews();
      }
      // Let each child write its stats line and exit.
      await Promise.all(
        workers.map((w) =>
          w.alive ? new Promise<void>((resolve) => w.child.once('close', () => resolve())) : undefined,
        ),
      );
    } finally {
      // Normally every child has ended by now; after an error or an early return, stop them.
      for (const w of workers) {
        w.child.stdin.end();
        if (w.alive && w.outstanding.size > 0) w.child.kill('SIGTERM');
      }
    }
  }

  return {
    results: results(),
    stats() {
      const total = Object.fromEntries(STATS_KEYS.map((k) => [k, 0])) as unknown as DnsClientStats;
      for (const w of workers) for (const k of STATS_KEYS) total[k] += w.stats?.[k] ?? 0;
      return total;
    },
  };
}
