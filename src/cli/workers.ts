import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type AuditOptions, type AuditStats, DEFAULTS, failedResult } from '../audit.js';
import { AUTO_MAX } from '../collect/auto-concurrency.js';
import type { ProbeThreadStats } from '../collect/probe/threads.js';
import { addResolverUse } from '../collect/resolver-use.js';
import { packageRoot } from '../package-root.js';
import { escapeTerminal } from '../report/escape.js';
import type { DomainResult, ResolverUse } from '../types.js';

// `audit --jobs N`: the audit spread over N child processes, one core each. The parent reads
// the list (dedupe, shard, resume, bad lines reported once), hands each child a domain at a
// time over stdin, and gets results back as NDJSON lines; everything after that (summary,
// journal, output) is the same loop as a single-process run. Children have their own DNS
// cache, so questions shared by many domains (a zone's NS and MX) are asked once per child.

/** Environment variable carrying the audit options to a child (`singlepath worker`). */
export const WORKER_OPTIONS_ENV = 'SINGLEPATH_WORKER_OPTIONS';

/** A child's last line: its DNS client's counters and probe threads, for the parent's stats line. */
export interface WorkerStatsLine {
  type: 'stats';
  stats: AuditStats;
  probes?: ProbeThreadStats | null;
  resolvers?: ResolverUse[];
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

interface Worker {
  child: Child;
  /** Domains handed over and not yet answered. */
  outstanding: Set<string>;
  /** The one domain it holds that a dead child held before (a suspect), if any. */
  suspect?: string;
  alive: boolean;
  stats?: AuditStats;
  probes?: ProbeThreadStats;
  resolvers?: ResolverUse[];
}

export interface WorkerPool {
  /** Results in the order they finish, every domain of `domains` exactly once. */
  results: AsyncGenerator<DomainResult>;
  /** Counters of all children (those that reported them). */
  stats(): AuditStats;
  /** Probe threads of all children, summed; null when none used any. */
  probeStats(): ProbeThreadStats | null;
  /** The resolvers the children asked, summed. */
  resolverUse(): ResolverUse[];
}

const STATS_KEYS: (keyof AuditStats)[] = [
  'queries',
  'sent',
  'retries',
  'timeouts',
  'retransmits',
  'tcpFallbacks',
  'cacheHits',
  'dropped',
  'throttled',
  'backoffMs',
  'zonesChecked',
  'directQuestions',
  'directSent',
  'directTimeouts',
];

/** Options a child can be given as JSON: callbacks and loaded data stay in the parent. */
function portable(opts: AuditOptions): AuditOptions {
  const { onResult: _r, now: _n, catalogue: _c, asnDb: _a, ...rest } = opts;
  return rest;
}

const failed = (domain: string, message: string): DomainResult =>
  failedResult(domain, { code: 'WORKER_FAILED', message });

/** Children started in all, first ones included, per child asked for: replacements are bounded. */
const STARTS_PER_JOB = 3;

export interface WorkerPoolOptions {
  /** True once the run is being interrupted: a dying child's domains are then left undone. */
  stopped?: () => boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts `jobs` children and audits `domains` with them. Input is read in the background, so a
 * result never waits for the next line. A child that dies has its unanswered domains handed on,
 * each to a child that holds no other such suspect, and a new child takes its place (at most
 * STARTS_PER_JOB × jobs started in all); a suspect whose second child dies too, and whatever no
 * child is left to take, comes back as WORKER_FAILED, never lost. When the run is interrupted, a dying child's domains are left
 * undone instead (a resumed run audits them). Children get their own process group (a Ctrl-C
 * reaches the parent, which ends their input and lets them finish) and are killed if the
 * parent exits first. `stderr` gets their messages, each distinct line once.
 */
export function auditInWorkers(
  domains: AsyncIterable<string>,
  opts: AuditOptions,
  jobs: number,
  stderr: (text: string) => void,
  options: WorkerPoolOptions = {},
): WorkerPool {
  // With `auto` each child finds its own window, at most AUTO_MAX.
  const concurrency = opts.concurrency === 'auto' ? AUTO_MAX : (opts.concurrency ?? DEFAULTS.concurrency);
  // Enough handed over to keep both of a child's stages busy, few enough to rebalance.
  const window = 4 * concurrency;
  const bin = join(packageRoot(), 'bin', 'singlepath.js');
  // --qps is the user's rate per resolver for the whole run: each child gets its share (the
  // limiter takes fractions: 2 a second over 3 children is 0.67 each).
  const share = opts.qps ? { qps: opts.qps / jobs } : {};
  const childEnv = {
    ...(options.env ?? process.env),
    [WORKER_OPTIONS_ENV]: JSON.stringify({ ...portable(opts), ...share }),
  };
  const stopped = options.stopped ?? (() => false);
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
  const source = domains[Symbol.asyncIterator]();
  /** Input lines read and not yet handed over (at most one, read ahead). */
  const ready: string[] = [];
  let reading = false;
  let inputDone = false;
  let inputError: { err: unknown } | undefined;
  let starts = 0;
  const workers: Worker[] = [];

  const killAll = () => {
    for (const w of workers) if (w.alive) w.child.kill('SIGKILL');
  };
  process.on('exit', killAll);

  function start(): void {
    starts++;
    const child = spawn(process.execPath, [bin, 'worker'], {
      env: childEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    }) as Child;
    const w: Worker = { child, outstanding: new Set(), alive: true };
    workers.push(w);
    child.stdin.on('error', () => {});
    createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      let rec: {
        type?: string;
        domain?: string;
        stats?: AuditStats;
        probes?: ProbeThreadStats | null;
        resolvers?: ResolverUse[];
      };
      try {
        rec = JSON.parse(line);
      } catch {
        return;
      }
      if (rec.type === 'stats' && rec.stats) {
        w.stats = rec.stats;
        if (rec.probes) w.probes = rec.probes;
        if (Array.isArray(rec.resolvers)) w.resolvers = rec.resolvers;
        return;
      }
      if (rec.type !== 'domain' || typeof rec.domain !== 'string' || !w.outstanding.delete(rec.domain))
        return;
      if (w.suspect === rec.domain) w.suspect = undefined;
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
  }

  const live = () => workers.filter((w) => w.alive);

  function exited(w: Worker, why: string): void {
    if (!w.alive) return;
    w.alive = false;
    const held = [...w.outstanding];
    w.outstanding.clear();
    if (held.length > 0 && stopped()) {
      stderr(`singlepath: ${escapeTerminal(why)} holding ${held.length} domains: left for --resume\n`);
    } else if (held.length > 0) {
      // Its suspect (a dead child's domain, held alone as such) has now taken two children down:
      // it fails. The others only shared its fate and go to the next child.
      const again = held.filter((d) => d !== w.suspect);
      stderr(
        `singlepath: ${escapeTerminal(why)} holding ${held.length} domains: ${again.length} handed on` +
          `${held.length > again.length ? `, ${w.suspect} failed (a second child lost with it)` : ''}\n`,
      );
      for (const d of held) {
        if (d === w.suspect) queue.push(failed(d, why));
        else orphans.push(d);
      }
      // A replacement, while there is work left for it and starts to spare.
      if (starts < STARTS_PER_JOB * jobs && (orphans.length > 0 || !inputDone)) start();
    }
    notify();
  }

  /** The live child with the fewest domains and room for more. */
  const idle = (): Worker | undefined => {
    let best: Worker | undefined;
    for (const w of workers)
      if (w.alive && w.outstanding.size < window && (!best || w.outstanding.size < best.outstanding.size))
        best = w;
    return best;
  };

  /** Reads the next line in the background; its arrival wakes the loop like a result does. */
  function readAhead(): void {
    if (reading || inputDone || inputError || ready.length > 0) return;
    reading = true;
    source.next().then(
      (next) => {
        reading = false;
        if (next.done) inputDone = true;
        else ready.push(next.value);
        notify();
      },
      (err: unknown) => {
        reading = false;
        inputError = { err };
        notify();
      },
    );
  }

  const send = (w: Worker, domain: string) => {
    w.outstanding.add(domain);
    w.child.stdin.write(`${domain}\n`);
  };

  /**
   * Hands out a dead child's domains, one at a time to a child holding no other (so that the
   * one that kills children is found alone), then input, while some live child has room.
   */
  function dispatch(): void {
    for (const w of workers) {
      if (orphans.length === 0) break;
      if (!w.alive || w.suspect !== undefined || w.outstanding.size >= window) continue;
      w.suspect = orphans.shift()!;
      send(w, w.suspect);
    }
    for (let w = idle(); w && ready.length > 0; w = idle()) send(w, ready.shift()!);
    readAhead();
  }

  async function* results(): AsyncGenerator<DomainResult> {
    for (let i = 0; i < jobs; i++) start();
    try {
      for (;;) {
        dispatch();
        while (queue.length > 0) {
          yield queue.shift()!;
          dispatch();
        }
        if (inputError) throw inputError.err;
        const holding = workers.some((w) => w.alive && w.outstanding.size > 0);
        const pending = orphans.length > 0 || ready.length > 0 || !inputDone;
        if (!holding && !pending) break;
        if (live().length === 0 && !holding) {
          // Nobody left to ask and no start to spare: what remains fails, never waits forever.
          for (const d of orphans.splice(0)) queue.push(failed(d, 'no worker left'));
          for (const d of ready.splice(0)) queue.push(failed(d, 'no worker left'));
          if (!inputDone && !reading && !inputError) {
            const next = await source.next();
            if (next.done) inputDone = true;
            else queue.push(failed(next.value, 'no worker left'));
          }
          if (queue.length > 0 || inputDone) continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      // Nothing left to do: end the children's input, let each write its stats line and exit.
      const closing = live().map(
        (w) => new Promise<void>((resolve) => w.child.once('close', () => resolve())),
      );
      for (const w of workers) w.child.stdin.end();
      await Promise.all(closing);
    } finally {
      for (const w of workers) {
        w.child.stdin.end();
        if (w.alive && w.outstanding.size > 0) w.child.kill('SIGTERM');
      }
      process.off('exit', killAll);
    }
  }

  return {
    results: results(),
    stats() {
      const total = Object.fromEntries(STATS_KEYS.map((k) => [k, 0])) as unknown as AuditStats;
      for (const w of workers) for (const k of STATS_KEYS) total[k] += w.stats?.[k] ?? 0;
      return total;
    },
    probeStats() {
      const used = workers.filter((w) => w.probes);
      if (used.length === 0) return null;
      const total: ProbeThreadStats = { threads: 0, probes: 0, deaths: 0, failures: 0 };
      for (const w of used)
        for (const k of Object.keys(total) as (keyof ProbeThreadStats)[])
          total[k] += Number(w.probes![k]) || 0;
      return total;
    },
    resolverUse: () => addResolverUse(workers.map((w) => w.resolvers)),
  };
}
