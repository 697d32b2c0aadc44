// Runs the real CLI (bin/singlepath.js) as a user would, and measures it from the outside: wall
// time, peak RSS (GNU time's %M when /usr/bin/time exists, else VmHWM polled from /proc), CPU
// time, and the stderr it printed (the final stats line).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface CliRunOptions {
  root: string;
  args: string[];
  tmpDir: string;
  /** Kill the run (process group) after this long: the bench must end by itself. */
  maxMs: number;
  /** Passed to node: e.g. ['--cpu-prof', '--cpu-prof-dir', DIR]. */
  nodeFlags?: string[];
  /** Count the main thread's heap allocation (scripts/bench/alloc-probe.ts) into this file. */
  allocFile?: string;
  /** More environment for the run. */
  env?: Record<string, string>;
}

export interface AllocStats {
  allocatedBytes: number;
  gcs: number;
  gcMs: number;
}

export interface CliRunResult {
  code: number | null;
  signal: string | null;
  killed: boolean;
  elapsedMs: number;
  peakRssMb: number | null;
  cpuSec: number | null;
  /** VmRSS (MB) at each tenth of the run, to see whether memory grows with the input. */
  rssTimeline: number[];
  /** Heap allocation of the main thread, when asked for and the run ended normally. */
  alloc: AllocStats | null;
  /** Last 64 KiB of stderr. */
  stderr: string;
}

const TIME = '/usr/bin/time';

/** Groups whose leader this process started; an interrupt kills them all. */
const groups = new Set<number>();

export function killAllCliRuns(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
}

function readKb(path: string, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The node process: the child itself, or the child of /usr/bin/time. */
function nodePid(pid: number, wrapped: boolean): number | null {
  if (!wrapped) return pid;
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return kids[0] ? Number(kids[0]) : null;
  } catch {
    return null;
  }
}

export async function runCli(opts: CliRunOptions): Promise<CliRunResult> {
  const wrapped = existsSync(TIME);
  const timeFile = join(opts.tmpDir, `time-${Date.now()}.txt`);
  const node = [
    process.execPath,
    ...(opts.nodeFlags ?? []),
    ...(opts.allocFile
      ? ['--import', pathToFileURL(join(opts.root, 'dist', 'scripts', 'bench', 'alloc-probe.js')).href]
      : []),
    join(opts.root, 'bin', 'singlepath.js'),
    ...opts.args,
  ];
  const argv = wrapped ? [TIME, '-f', '%M %U %S', '-o', timeFile, ...node] : node;
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.root,
    // Own process group, so that a kill reaches node under /usr/bin/time too.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      NO_COLOR: '1',
      SINGLEPATH_LOOPBACK_ONLY: '1',
      ...(opts.allocFile ? { SINGLEPATH_BENCH_ALLOC: opts.allocFile } : {}),
      ...opts.env,
    },
  });
  const pgid = child.pid!;
  groups.add(pgid);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-65536);
  });
  let hwmKb: number | null = null;
  const samples: [ms: number, kb: number][] = [];
  const poll = setInterval(() => {
    const pid = nodePid(pgid, wrapped);
    const kb = pid ? readKb(`/proc/${pid}/status`, 'VmHWM') : null;
    if (kb !== null) hwmKb = Math.max(hwmKb ?? 0, kb);
    const rss = pid ? readKb(`/proc/${pid}/status`, 'VmRSS') : null;
    if (rss !== null) samples.push([performance.now() - started, rss]);
  }, 200);
  let killed = false;
  const watchdog = setTimeout(() => {
    killed = true;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, opts.maxMs);
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  const elapsedMs = performance.now() - started;
  clearTimeout(watchdog);
  clearInterval(poll);
  groups.delete(pgid);
  let peakKb = hwmKb as number | null;
  let cpuSec: number | null = null;
  if (wrapped && existsSync(timeFile)) {
    // GNU time may prefix a "Command exited with non-zero status" line.
    const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
    if (m) {
      peakKb = Number(m[1]);
      cpuSec = Number(m[2]) + Number(m[3]);
    }
  }
  return {
    code,
    signal,
    killed,
    elapsedMs,
    peakRssMb: peakKb === null ? null : peakKb / 1024,
    cpuSec,
    rssTimeline: timeline(samples, elapsedMs),
    alloc: readAlloc(opts.allocFile),
    stderr,
  };
}

/** The sample nearest each tenth of the run, in MB. */
function timeline(samples: [number, number][], elapsedMs: number): number[] {
  if (!samples.length) return [];
  const out: number[] = [];
  for (let k = 1; k <= 10; k++) {
    const at = (elapsedMs * k) / 10;
    let best = samples[0]!;
    for (const s of samples) if (Math.abs(s[0] - at) < Math.abs(best[0] - at)) best = s;
    out.push(Math.round(best[1] / 1024));
  }
  return out;
}

function readAlloc(file: string | undefined): AllocStats | null {
  if (!file || !existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AllocStats;
  } catch {
    return null;
  }
}
