import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { diffCommand } from '../src/cli/diff-command.js';
import type { CliIo } from '../src/cli/program.js';
import { InputError, isUserError } from '../src/errors.js';

// `singlepath diff` run in-process through commander, with the exit-code mapping of main.ts:
// setExit's code, 2 for user errors (InputError, usage).

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const OLD = fixture('snapshot-v1.json');
const NEW = fixture('snapshot-v1-next.json');
const tmp = mkdtempSync(join(tmpdir(), 'singlepath-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  error?: unknown;
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}, tty = false): Promise<Run> {
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: (t) => {
      out.stdout += t;
    },
    stderr: (t) => {
      out.stderr += t;
    },
    env,
    stdoutIsTty: tty,
    stderrIsTty: false,
  };
  let code = 0;
  const program = new Command('singlepath')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  diffCommand(program, io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(['diff', ...args], { from: 'user' });
    return { code, ...out };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, ...out, error };
    if (isUserError(error)) return { code: 2, ...out, error };
    throw error;
  }
}

describe('singlepath diff', () => {
  it('prints the table diff and exits 0 without --fail-on-new', async () => {
    const r = await run([OLD, NEW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('New findings: 16 (critical 2, high 9, medium 5)');
    expect(r.stdout).not.toContain('\u001b');
  });

  it('--fail-on-new exits 1 when a new finding reaches the severity', async () => {
    expect((await run([OLD, NEW, '--fail-on-new', 'critical'])).code).toBe(1);
    expect((await run([OLD, NEW, '--fail-on-new', 'low'])).code).toBe(1);
  });

  it('--fail-on-new exits 0 when nothing new reaches it', async () => {
    expect((await run([OLD, OLD, '--fail-on-new', 'low'])).code).toBe(0);
    // Going back in time only resolves findings (and lowers severities).
    const back = await run([NEW, OLD, '--fail-on-new', 'critical']);
    expect(back.code).toBe(0);
  });

  it('--format markdown and json, --output written atomically', async () => {
    const md = await run([OLD, NEW, '--format', 'markdown']);
    expect(md.stdout.startsWith('## singlepath drift\n')).toBe(true);
    const file = join(tmp, 'diff.json');
    const r = await run([OLD, NEW, '--format', 'json', '--output', file, '--fail-on-new', 'high']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(readFileSync(file, 'utf8')).domains).toEqual({
      added: ['www.example'],
      removed: ['mail.example'],
    });
  });

  it('colours only on a TTY without NO_COLOR', async () => {
    expect((await run([OLD, NEW], {}, true)).stdout).toContain('\u001b[');
    expect((await run([OLD, NEW], { NO_COLOR: '1' }, true)).stdout).not.toContain('\u001b');
  });

  it('bad input is an InputError (exit 2)', async () => {
    const notJson = join(tmp, 'list.txt');
    writeFileSync(notJson, 'example.com\n');
    const future = join(tmp, 'v2.json');
    writeFileSync(future, JSON.stringify({ schema: 2, domains: [], summary: {} }));
    for (const args of [
      [join(tmp, 'missing.json'), NEW],
      [notJson, NEW],
      [OLD, future],
      ['-', '-'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.error).toBeInstanceOf(InputError);
    }
  });

  it('usage errors exit 2', async () => {
    expect((await run([OLD])).code).toBe(2);
    expect((await run([OLD, NEW, '--fail-on-new', 'info'])).code).toBe(2);
    expect((await run([OLD, NEW, '--format', 'html'])).code).toBe(2);
  });
});
