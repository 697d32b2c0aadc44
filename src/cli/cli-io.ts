import { severityAtLeast } from '../analyse/domain.js';
import type { Severity } from '../types.js';
import { writeOutputOrKeep } from './io.js';

// What every command shares: the process's streams and environment as the commands see them,
// the exit codes, and how a report reaches stdout or --output. Its own module so that the
// commands import it, not each other (program.ts builds the program and imports them all).

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** Whether stdin is a terminal (absent: treated as not one, a pipe). */
  stdinIsTty?: boolean;
  /** The terminal's width when stdout is one. */
  stdoutColumns?: number;
}

export const EXIT = { ok: 0, findings: 1, error: 2, interrupted: 130, terminated: 143 } as const;

export function useColor(io: CliIo, output?: string): boolean {
  return io.stdoutIsTty && !output && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
}

/**
 * A report to --output (atomically) or stdout, written piece by piece (see renderChunks); `render`
 * may be called twice (a target that fails at the end gets the report kept elsewhere).
 */
export function emit(render: () => string | Iterable<string>, output: string | undefined, io: CliIo): void {
  if (output) {
    writeOutputOrKeep(output, render, io.env.TMPDIR || undefined);
    return;
  }
  const report = render();
  if (typeof report === 'string') io.stdout(report);
  else for (const piece of report) io.stdout(piece);
}

export function exitFor(worst: Severity | undefined, failOn: Severity | undefined): number {
  return failOn && worst && severityAtLeast(worst, failOn) ? EXIT.findings : EXIT.ok;
}
