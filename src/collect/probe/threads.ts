// Web probes in worker threads. A full audit spends most of its CPU in TLS handshakes (native
// code that runs on the thread owning the socket); with the probes on their own threads, the
// main thread keeps DNS, classification and output, and the machine's other cores do the crypto.
//
// Each thread runs the same prober the main thread would (probe-thread.ts). When a thread dies
// (out of its heap limit, a native fault) its probes in flight are suspects: each is sent again,
// one suspect at a time, on a new thread; a probe in flight at two deaths is answered
// PROBE_THREAD_FAILED (its domain keeps its DNS facts), so one poisonous domain cannot take the
// run down or fail the probes that happened to share its thread. A thread that dies before it is
// ready (before it could look at any probe) charges nobody; three such in a row mean threads
// cannot work here, and probes then run in the main thread. Threads hold the process open only
// while they have probes in flight.
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

/** False when running from TypeScript sources (tests), where the thread script is not built. */
export function probeThreadsAvailable(): boolean {
  return existsSync(SCRIPT);
}

export interface ProbeThreadStats {
  /** Threads started, replacements included. */
  threads: number;
  /** Probes answered by a thread (the others ran in the main thread). */
  probes: number;
  /** Threads that died while the run went on. */
  deaths: number;
  /** Probes answered PROBE_THREAD_FAILED (in flight at two thread deaths). */
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
  /** Thread deaths this probe was in flight at. */
  strikes: number;
  resolve: (r: WebProbeResult) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Job>;
  /** The thread said it was ready: from then on a death is blamed on the probes in flight. */
  ready: boolean;
  dead: boolean;
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
  const local = createWebProber(options);
  const threads: (Thread | undefined)[] = new Array(count).fill(undefined);
  const stats: ProbeThreadStats = { threads: 0, probes: 0, deaths: 0, failures: 0 };
  /** Probes lost to a dead thread, waiting to be sent again one at a time. */
  const suspects: Job[] = [];
  let suspectInFlight = false;
  let startFailures = 0;
  let nextId = 0;
  let closed = false;

  const useLocal = (): boolean => startFailures >= MAX_START_FAILURES;

  const runLocal = (job: Job): void => {
    void local(job.domain, job.address).then(job.resolve);
  };

  const died = (thread: Thread, why: string): void => {
    if (thread.dead) return;
    thread.dead = true;
    const slot = threads.indexOf(thread);
    if (slot >= 0) threads[slot] = undefined;
    if (closed) {
      for (const job of thread.pending.values()) job.resolve(threadFailed('probe threads closed'));
      return;
    }
    stats.deaths++;
    const jobs = [...thread.pending.values()];
    thread.pending.clear();
    if (!thread.ready) {
      // Nothing was handed to the probe code yet: the probes go out again as they were.
      startFailures++;
      for (const job of jobs) {
        if (job.strikes > 0) suspects.unshift(job);
        else send(job);
      }
      if (jobs.some((j) => j.strikes > 0)) suspectInFlight = false;
      dispatchSuspect();
      return;
    }
    for (const job of jobs) {
      if (job.strikes > 0) suspectInFlight = false;
      job.strikes++;
      if (job.strikes >= 2) {
        stats.failures++;
        job.resolve(threadFailed(`the probe thread ${why} twice while probing ${job.domain}`));
      } else suspects.push(job);
    }
    dispatchSuspect();
  };

  const start = (slot: number): Thread => {
    stats.threads++;
    const worker = new Worker(SCRIPT, {
      workerData: { options },
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const thread: Thread = { worker, pending: new Map(), ready: false, dead: false };
    worker.on('message', (msg: ThreadMessage) => {
      if ('ready' in msg) {
        thread.ready = true;
        startFailures = 0;
        return;
      }
      const job = thread.pending.get(msg.id);
      if (!job) return;
      thread.pending.delete(msg.id);
      stats.probes++;
      if (thread.pending.size === 0) worker.unref();
      if (job.strikes > 0) {
        suspectInFlight = false;
        dispatchSuspect();
      }
      job.resolve(msg.result);
    });
    worker.on('error', (err) => died(thread, `failed (${String(err?.message ?? err).slice(0, 200)})`));
    worker.on('exit', (code) => died(thread, `exited (code ${code})`));
    worker.unref();
    threads[slot] = thread;
    return thread;
  };

  /** The live thread with the fewest probes in flight, starting or replacing threads as needed. */
  const pick = (): Thread => {
    let best: Thread | undefined;
    for (let slot = 0; slot < count; slot++) {
      const t = threads[slot] ?? start(slot);
      if (!best || t.pending.size < best.pending.size) best = t;
    }
    return best!;
  };

  const send = (job: Job): void => {
    if (useLocal()) {
      runLocal(job);
      return;
    }
    const thread = pick();
    if (thread.pending.size === 0) thread.worker.ref();
    const id = nextId++;
    thread.pending.set(id, job);
    const req: ProbeRequest = { id, domain: job.domain, address: job.address };
    thread.worker.postMessage(req);
  };

  function dispatchSuspect(): void {
    if (closed) return;
    // In the main thread there is no other probe a suspect could take down with it.
    if (useLocal()) {
      for (const job of suspects.splice(0)) runLocal(job);
      return;
    }
    if (suspectInFlight) return;
    const job = suspects.shift();
    if (!job) return;
    suspectInFlight = true;
    send(job);
  }

  const probe: WebProber = (domain, address) => {
    if (closed) return Promise.resolve(threadFailed('probe threads closed'));
    return new Promise<WebProbeResult>((resolve) => send({ domain, address, strikes: 0, resolve }));
  };

  return {
    probe,
    stats: () => ({ ...stats }),
    close: async () => {
      closed = true;
      for (const job of suspects.splice(0)) job.resolve(threadFailed('probe threads closed'));
      const live = threads.filter((t): t is Thread => t !== undefined);
      threads.fill(undefined);
      await Promise.all(live.map((t) => t.worker.terminate()));
    },
  };
}
