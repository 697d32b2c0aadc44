// Parent <-> lab child protocol over the fork IPC channel: the child announces itself once
// ('ready' with its ports), then answers numbered requests ('stats', 'reset', 'record') with counters and
// its own CPU time. A child exits as soon as the channel closes, so a parent that dies (even by
// SIGKILL) never leaves a responder behind.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ChildRequest {
  id: number;
  op: 'stats' | 'reset' | 'record' | 'unrecord';
  /** For 'record': the file the child writes every query it receives into. */
  path?: string;
}

export type ChildStats = Record<string, number> & { cpuMs: number };

export function serveRequests(ready: Record<string, unknown>, handle: (req: ChildRequest) => object): void {
  const send = (msg: object) => process.send?.(msg);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (req: ChildRequest) => {
    const cpu = process.cpuUsage();
    send({ id: req.id, ...handle(req), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
  });
  send({ kind: 'ready', ...ready });
}

export interface LabChild<R> {
  ready: R;
  pid: number;
  request(op: ChildRequest['op'], path?: string): Promise<ChildStats>;
  stop(): Promise<void>;
}

/** Every child this process started, so that an interrupt can stop them all. */
const running = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of running) {
    if (child.exitCode === null && child.pid) child.kill('SIGKILL');
  }
  running.clear();
}

export async function forkChild<R>(script: string, args: string[], startMs = 120_000): Promise<LabChild<R>> {
  if (!existsSync(script)) throw new Error(`${script} not found: run \`npm run build\` first`);
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const waiting = new Map<number, (s: ChildStats) => void>();
  let next = 0;
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in ${startMs} ms`)), startMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    child.on('message', (msg: { kind?: string; id?: number }) => {
      if (msg.kind === 'ready') {
        clearTimeout(timer);
        resolve(msg as R);
      } else if (msg.id !== undefined) {
        waiting.get(msg.id)?.(msg as ChildStats);
        waiting.delete(msg.id);
      }
    });
  }).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    ready,
    pid: child.pid!,
    request: (op, path) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, resolve);
        child.send({ id, op, ...(path ? { path } : {}) } satisfies ChildRequest, (err) => err && reject(err));
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
