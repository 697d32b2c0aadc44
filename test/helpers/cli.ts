import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'singlepath.js');

/** An empty published-ranges folder, so a developer's `update-data` cache cannot change lab results. */
const NO_RANGES = mkdtempSync(join(tmpdir(), 'singlepath-no-ranges-'));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns the real executable (as a user would) with NO_COLOR and the loopback-only safety net. */
export function runCli(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  return spawnCli(args, opts).done;
}

/** runCli with the child at hand (its pid, to signal it or its own children) while it runs. */
export function spawnCli(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      NO_COLOR: '1',
      SINGLEPATH_LOOPBACK_ONLY: '1',
      SINGLEPATH_DATA_DIR: NO_RANGES,
      ...opts.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const done = new Promise<CliRun>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  child.stdin!.end(opts.stdin ?? '');
  return { child, done };
}
