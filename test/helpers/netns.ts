// A Linux network namespace for a test: only `lo`, no veth, no route out, with the addresses a
// test asks for on that `lo`. Processes in it are started with `ip netns exec` (which execs, so a
// child's PID is the daemon's own) and ended by PID; so a server on 198.41.0.4 exists only
// inside, and nothing the host sends can reach it or anything beyond 127.0.0.0/8.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter, join } from 'node:path';

export interface RunResult {
  /** Exit code; null when the process was killed (a signal or the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  /** Replaces the environment when given (pass `{ ...process.env, X: '1' }` to add). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** SIGKILL after this long (default 30 s). */
  timeoutMs?: number;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Lines of the child's stdout and stderr go here (default: ignored). */
  output?: (chunk: string) => void;
}

export interface Netns {
  name: string;
  /** Starts `bin args` inside the namespace; destroy() ends it if it is still running. */
  exec(bin: string, args: string[], opts?: ExecOptions): ChildProcess;
  /** Runs `bin args` inside the namespace to completion. */
  run(bin: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** PIDs of every process now in the namespace (children and theirs), from `ip netns pids`. */
  pids(): number[];
  /** Ends every process in the namespace by PID (TERM, then KILL), then deletes it. Idempotent. */
  destroy(): Promise<void>;
}

/** Absolute path of a binary on PATH or in the sbin folders (root's PATH is not everyone's). */
export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

const NAME = /^sp-[a-z0-9]+-(\d+)-[0-9a-f]+$/;

function ipBinary(): string | null {
  return findBinary('ip');
}

function ip(args: string[]): { ok: boolean; out: string } {
  const bin = ipBinary();
  if (!bin) return { ok: false, out: 'no `ip` binary (iproute2)' };
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 10_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim();
  return { ok: r.status === 0, out };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie nobody reaps (PID 1 in some containers) is gone for our purposes.
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  return alive(pid);
}

function nsPids(name: string): number[] {
  const r = ip(['netns', 'pids', name]);
  if (!r.ok) return [];
  return r.out
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

function killAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Synchronous last resort (process 'exit', stale namespaces): KILL what is inside, delete it. */
function destroySync(name: string): void {
  killAll(nsPids(name), 'SIGKILL');
  ip(['netns', 'del', name]);
}

/** Namespaces of ours left by a test process that died without cleaning up (its PID is in the name). */
function reapStale(): void {
  const list = ip(['netns', 'list']);
  if (!list.ok) return;
  for (const line of list.out.split('\n')) {
    const name = line.split(/\s/)[0] ?? '';
    const owner = NAME.exec(name)?.[1];
    if (owner && Number(owner) !== process.pid && !alive(Number(owner))) destroySync(name);
  }
}

/** null when namespaces can be made here; otherwise what is missing, for a skip or CI failure. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (`ip netns add` as uid 0)';
  if (!ipBinary()) return 'no `ip` binary (install iproute2)';
  const probe = `sp-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const add = ip(['netns', 'add', probe]);
  if (!add.ok) return `\`ip netns add\` fails: ${add.out}`;
  const up = ip(['-n', probe, 'link', 'set', 'lo', 'up']);
  const del = ip(['netns', 'del', probe]);
  if (!up.ok) return `cannot bring up lo in a namespace: ${up.out}`;
  if (!del.ok) return `\`ip netns del\` fails: ${del.out}`;
  return null;
}

function stopPid(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * `ip netns add sp-PREFIX-PID-RANDOM`, lo up, and each address on lo (/32, or /128 nodad so
 * IPv6 needs no duplicate address detection before a server can bind it).
 */
export async function createNetns(prefix: string, addresses: string[]): Promise<Netns> {
  const why = netnsUnavailable();
  if (why) throw new Error(why);
  reapStale();
  const tag = prefix.toLowerCase().replace(/[^a-z0-9]/g, '') || 'test';
  const name = `sp-${tag.slice(0, 8)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const bin = ipBinary()!;
  const must = (args: string[]) => {
    const r = ip(args);
    if (!r.ok) throw new Error(`ip ${args.join(' ')}: ${r.out}`);
  };
  must(['netns', 'add', name]);
  const children = new Set<ChildProcess>();
  const onExit = () => {
    for (const c of children) if (c.pid !== undefined) killAll([c.pid], 'SIGKILL');
    destroySync(name);
  };
  process.on('exit', onExit);
  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      await Promise.all([...children].map((c) => stopPid(c, 2000)));
      // Anything else in there (a daemon's own forks) is ours too: same treatment, by PID.
      for (let i = 0; i < 20; i++) {
        const left = nsPids(name).filter(alive);
        if (left.length === 0) break;
        killAll(left, i < 10 ? 'SIGTERM' : 'SIGKILL');
        await new Promise((r) => setTimeout(r, 100));
      }
      const del = ip(['netns', 'del', name]);
      process.off('exit', onExit);
      if (
        !del.ok &&
        ip(['netns', 'list'])
          .out.split('\n')
          .some((l) => l.split(/\s/)[0] === name)
      )
        throw new Error(`ip netns del ${name}: ${del.out}`);
    })();
    return destroyed;
  };
  try {
    must(['-n', name, 'link', 'set', 'lo', 'up']);
    for (const a of new Set(addresses)) {
      must(
        isIPv6(a)
          ? ['-n', name, 'addr', 'add', `${a}/128`, 'dev', 'lo', 'nodad']
          : ['-n', name, 'addr', 'add', `${a}/32`, 'dev', 'lo'],
      );
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  const exec = (cmd: string, args: string[], opts: ExecOptions = {}): ChildProcess => {
    if (destroyed) throw new Error(`namespace ${name} is destroyed`);
    const child = spawn(bin, ['netns', 'exec', name, cmd, ...args], {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    const out = opts.output;
    child.stdout!.on('data', (d) => out?.(String(d)));
    child.stderr!.on('data', (d) => out?.(String(d)));
    child.on('error', (err) => out?.(`spawn ${cmd}: ${err.message}\n`));
    return child;
  };

  const run = (cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, ['netns', 'exec', name, cmd, ...args], {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => {
        stdout += d;
      });
      child.stderr!.on('data', (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', (err) => {
        clearTimeout(timer);
        children.delete(child);
        reject(err);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        children.delete(child);
        resolve({ code, stdout, stderr });
      });
      child.stdin!.on('error', () => {});
      child.stdin!.end(opts.stdin ?? '');
    });

  return { name, exec, run, pids: () => nsPids(name), destroy };
}

/** Names of the namespaces that exist now (for a test asserting that one is gone). */
export function listNetns(): string[] {
  const r = ip(['netns', 'list']);
  return r.ok
    ? r.out
        .split('\n')
        .map((l) => l.split(/\s/)[0] ?? '')
        .filter(Boolean)
    : [];
}
