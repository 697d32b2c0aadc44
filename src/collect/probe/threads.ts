// Web probes in worker threads. A full audit spends most of its CPU in TLS handshakes (native
// code that runs on the thread owning the socket); with the probes on their own threads, the
// main thread keeps DNS, classification and output, and the machine's other cores do the crypto.
//
// Each thread runs the same prober the main thread would (probe-thread.ts). When a thread dies
// (out of its heap, a native fault) the probes it held are suspects. They go, as one group, to a
// quarantine thread that takes no other probe; a group whose quarantine thread dies is split in
// two and each half tried again, so one poisonous probe among g suspects is found in about
// log2(g) more deaths and fails alone with PROBE_THREAD_FAILED (its domain keeps its DNS facts),
// while the probes that merely shared its thread are answered. A quarantine thread acknowledges
// each probe as it takes it: one it never took is not blamed. A thread that dies before it is
// ready blames nobody; three threads in a row dying before any answer (quarantine deaths that
// blame a probe aside), or the system refusing threads, mean threads cannot work here, and probes
// then run in the main thread for the rest of the run. Threads hold the process open only while
// they have probes in flight.
//
// A probe cannot legitimately take longer than its two phases' bounds (HTTPS, then HTTP). A
// thread holding a probe well past that (its event loop blocked by a bug, or a probe that never
// settles) is stopped by a watchdog and handled as a death: its probes go to quarantine, and the
// one that hangs threads fails alone instead of holding a concurrency slot, and the run, forever.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  createWebProber,
  failedHttp,
  type ProbeOptions,
  type WebProbeResult,
  type WebProber,
} from './index.js';
import type { ProbeRequest, ThreadMessage } from './probe-thread.js';
import { codedError } from './status.js';

const SCRIPT = fileURLToPath(new URL('./probe-thread.js', import.meta.url));
/** A probe thread's young generation: its probes keep nothing, and each MB is RSS per thread. */
const YOUNG_GENERATION_MB = 4;
/** Threads failing to start, in a row, before probing moves to the main thread. */
const MAX_START_FAILURES = 3;
/**
 * Times a probe may go back to the queue untaken (its quarantine thread died before taking it)
 * before it fails. Blamed groups need no cap: each split makes them smaller.
 */
const MAX_UNTAKEN_RESENDS = 10;
/** Slack beyond a probe's own bounds before its thread is taken for stuck (event-loop lag under load). */
const STUCK_GRACE_MS = 2000;

/**
 * How long a thread may hold one probe before the watchdog stops it: three probe timeouts (a
 * probe's HTTPS and HTTP phases have one each) plus STUCK_GRACE_MS.
 */
export function stuckAfterMs(timeoutMs: number): number {
  return 3 * timeoutMs + STUCK_GRACE_MS;
}

/** False when running from TypeScript sources (tests), where the thread script is not built. */
export function probeThreadsAvailable(): boolean {
  return existsSync(SCRIPT);
}

export interface ProbeThreadStats {
  /** Threads started, replacements and quarantine threads included. */
  threads: number;
  /** Probes answered by a thread (the others ran in the main thread). */
  probes: number;
  /** Threads that died while the run went on. */
  deaths: number;
  /** Probes answered PROBE_THREAD_FAILED (alone on a quarantine thread that died). */
  failures: number;
}

export interface ThreadedProber {
  probe: WebProber;
  stats(): ProbeThreadStats;
  close(): Promise<void>;
}

interface Job {
  domain: string;
  address: string | null;
  /** Times a quarantine thread died without having taken it. */
  untaken: number;
  /** When it was handed to its current thread (performance.now()). */
  postedAt: number;
  resolve: (r: WebProbeResult) => void;
}

interface Thread {
  worker: Worker;
  quarantine: boolean;
  pending: Map<number, Job>;
  /** Ids the thread said it took (quarantine threads only). */
  taken: Set<number>;
  /** The thread said it was ready: from then on a death is blamed on the probes it took. */
  ready: boolean;
  /** It answered at least one probe. */
  answered: boolean;
  dead: boolean;
  /** The error it failed with, if any ('exit' follows), or why the watchdog stopped it. */
  error?: string;
  /** The watchdog stopped it. */
  stopped?: boolean;
}

function threadFailed(message: string): WebProbeResult {
  return { http: failedHttp('https', codedError('PROBE_THREAD_FAILED', message), 0) };
}

/**
 * Probes on `count` worker threads (started on first use). Options are validated here, by
 * building the main thread's own prober, before any thread starts: a bad --ca-file throws
 * ConfigError from this call, as with createWebProber.
 */
export function createThreadedProber(options: ProbeOptions, count: number): ThreadedProber {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`probe threads: ${count}`);
  const local = createWebProber(options);
  const regular: (Thread | undefined)[] = new Array(count).fill(undefined);
  let quarantine: Thread | undefined;
  const stats: ProbeThreadStats = { threads: 0, probes: 0, deaths: 0, failures: 0 };
  /** Suspect groups waiting for the quarantine thread, and the one it is running. */
  const groups: Job[][] = [];
  let running = false;
  let startFailures = 0;
  /** Set once threads proved unable to work here; never cleared. */
  let localMode = false;
  let nextId = 0;
  let closed = false;
  const stuckMs = stuckAfterMs(options.timeoutMs);
  let watchdog: NodeJS.Timeout | undefined;

  const useLocal = (): boolean => {
    if (!localMode && startFailures >= MAX_START_FAILURES) localMode = true;
    return localMode;
  };
  const runLocal = (job: Job): void => {
    void local(job.domain, job.address).then(job.resolve);
  };
  const fail = (job: Job, why: string): void => {
    stats.failures++;
    job.resolve(threadFailed(`the probe thread ${why} while probing ${job.domain}`));
  };

  const start = (isQuarantine: boolean): Thread | undefined => {
    let worker: Worker;
    try {
      worker = new Worker(SCRIPT, {
        workerData: { options },
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
    } catch {
      // The system refused a thread (EAGAIN under a process or thread limit).
      startFailures++;
      return undefined;
    }
    stats.threads++;
    watchdog ??= setInterval(watch, Math.min(1000, Math.ceil(stuckMs / 4))).unref();
    const thread: Thread = {
      worker,
      quarantine: isQuarantine,
      pending: new Map(),
      taken: new Set(),
      ready: false,
      answered: false,
      dead: false,
    };
    worker.on('message', (msg: ThreadMessage) => {
      if (thread.dead) return;
      if ('ready' in msg) {
        thread.ready = true;
        return;
      }
      if ('taken' in msg) {
        thread.taken.add(msg.taken);
        return;
      }
      const job = thread.pending.get(msg.id);
      if (!job) return;
      thread.pending.delete(msg.id);
      thread.taken.delete(msg.id);
      // A thread that answers works: only then do earlier start failures stop counting.
      startFailures = 0;
      thread.answered = true;
      stats.probes++;
      job.resolve(msg.result);
      if (thread.pending.size === 0) {
        worker.unref();
        if (thread.quarantine) {
          running = false;
          nextGroup();
        }
      }
    });
    // 'exit' always follows, after the messages the thread posted: a death is handled there.
    worker.on('error', (err) => {
      thread.error ??= `failed (${String((err as Error)?.message ?? err).slice(0, 200)})`;
    });
    worker.on('exit', (code) => died(thread, thread.error ?? `exited (code ${code})`));
    worker.unref();
    return thread;
  };

  function died(thread: Thread, why: string): void {
    if (thread.dead) return;
    thread.dead = true;
    const slot = regular.indexOf(thread);
    if (slot >= 0) regular[slot] = undefined;
    if (quarantine === thread) quarantine = undefined;
    const held = [...thread.pending];
    thread.pending.clear();
    if (closed) {
      for (const [, job] of held) job.resolve(threadFailed('probe threads closed'));
      return;
    }
    stats.deaths++;
    // Dying before any answer says threads may not work here at all, unless a quarantine thread
    // died holding probes it took (only a ready thread takes any), or the watchdog stopped a
    // ready thread: then the blame is on its probes (the bisection below), and counting it would
    // send a poisonous probe to the main thread, where no watchdog can stop it.
    if (!thread.answered && thread.taken.size === 0 && !(thread.stopped && thread.ready)) startFailures++;
    if (!thread.quarantine) {
      const jobs = held.map(([, job]) => job);
      // Before it was ready nothing reached the probe code: the probes go out again as new.
      if (!thread.ready) for (const job of jobs) send(job);
      else if (jobs.length > 0) groups.push(jobs);
    } else {
      running = false;
      const blamed: Job[] = [];
      const spared: Job[] = [];
      for (const [id, job] of held) (thread.taken.has(id) ? blamed : spared).push(job);
      const requeue: Job[] = [];
      for (const job of spared) {
        if (++job.untaken > MAX_UNTAKEN_RESENDS) fail(job, 'kept dying before it took the probe');
        else requeue.push(job);
      }
      if (requeue.length > 0) groups.unshift(requeue);
      if (blamed.length === 1) fail(blamed[0]!, why);
      else if (blamed.length > 1) {
        const half = Math.ceil(blamed.length / 2);
        groups.unshift(blamed.slice(0, half), blamed.slice(half));
      }
    }
    nextGroup();
  }

  /**
   * Stops each thread whose oldest probe has been held past `stuckMs`; 'exit' then handles it as a
   * death (terminate() ends JavaScript that loops, and a thread waiting on nothing alike).
   */
  function watch(): void {
    const now = performance.now();
    for (const thread of [...regular, quarantine]) {
      if (!thread || thread.dead || thread.error !== undefined) continue;
      // Insertion order: the first pending probe is the oldest.
      const oldest = thread.pending.values().next().value as Job | undefined;
      if (!oldest || now - oldest.postedAt < stuckMs) continue;
      thread.error = `stopped answering (a probe held over ${Math.round(stuckMs / 1000)} s)`;
      thread.stopped = true;
      // No new probe for it while it ends ('exit' comes later).
      const slot = regular.indexOf(thread);
      if (slot >= 0) regular[slot] = undefined;
      void thread.worker.terminate();
    }
  }

  /** Sends the next suspect group to the quarantine thread, when it has none. */
  function nextGroup(): void {
    if (closed || running) return;
    if (useLocal()) {
      // In the main thread no other probe can be taken down with a suspect.
      for (const job of groups.splice(0).flat()) runLocal(job);
      return;
    }
    const group = groups.shift();
    if (!group) return;
    while (!quarantine && !useLocal()) quarantine = start(true);
    const q = quarantine;
    if (!q) {
      groups.unshift(group);
      nextGroup();
      return;
    }
    running = true;
    for (const job of group) post(q, job, true);
  }

  /** Hands a probe to a thread, which then holds the process open until it answers. */
  function post(thread: Thread, job: Job, confirm: boolean): void {
    if (thread.pending.size === 0) thread.worker.ref();
    const id = nextId++;
    job.postedAt = performance.now();
    thread.pending.set(id, job);
    const req: ProbeRequest = { id, domain: job.domain, address: job.address, confirm };
    thread.worker.postMessage(req);
  }

  /** The live regular thread with the fewest probes in flight, starting threads as needed. */
  function pick(): Thread | undefined {
    let best: Thread | undefined;
    for (let slot = 0; slot < count && !useLocal(); slot++) {
      let t = regular[slot];
      if (!t) {
        t = start(false);
        regular[slot] = t;
      }
      if (t && (!best || t.pending.size < best.pending.size)) best = t;
    }
    return best;
  }

  function send(job: Job): void {
    let thread = pick();
    while (!thread && !useLocal()) thread = pick();
    if (thread) post(thread, job, false);
    else runLocal(job);
  }

  const probe: WebProber = (domain, address) => {
    if (closed) return Promise.resolve(threadFailed('probe threads closed'));
    return new Promise<WebProbeResult>((resolve) =>
      send({ domain, address, untaken: 0, postedAt: 0, resolve }),
    );
  };

  return {
    probe,
    stats: () => ({ ...stats }),
    close: async () => {
      closed = true;
      clearInterval(watchdog);
      for (const job of groups.splice(0).flat()) job.resolve(threadFailed('probe threads closed'));
      const live = [...regular, quarantine].filter((t): t is Thread => t !== undefined);
      regular.fill(undefined);
      quarantine = undefined;
      await Promise.all(live.map((t) => t.worker.terminate()));
    },
  };
}
