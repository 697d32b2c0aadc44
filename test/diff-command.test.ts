import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { summarise } from '../src/analyse/portfolio.js';
import type { CliIo } from '../src/cli/cli-io.js';
import { diffCommand } from '../src/cli/diff-command.js';
import { InputError, isUserError } from '../src/errors.js';
import type { AuditDocument } from '../src/types.js';

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
    expect(r.stdout).toContain('New findings: 13 (critical 1, high 7, medium 5)');
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
    expect(JSON.parse(readFileSync(file, 'utf8')).domains).toMatchObject({
      added: ['www.example'],
      removed: ['mail.example'],
      failing: [{ domain: 'blog.example', code: 'TIMEOUT' }],
      recovered: [{ domain: 'broken.example', code: 'TIMEOUT' }],
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

  it('diffs snapshots whose blast-radius lists are cut as if they were whole', async () => {
    const golden = JSON.parse(
      readFileSync(fileURLToPath(new URL('../samples/golden-snapshot.json', import.meta.url)), 'utf8'),
    ) as AuditDocument;
    const relations = { parents: { linode: 'akamai', ns1: 'ibm' } };
    // A new domain on Linode alone: akamai (its parent) gains it only through the relations.
    const blog = golden.domains.find((d) => d.domain === 'blog.example')!;
    const linodeOnly = blog.dependencies.filter((d) => d.provider === 'linode');
    const later = [...golden.domains, { ...blog, domain: 'zz.example', dependencies: linodeOnly, risks: [] }];
    const write = (name: string, domains: AuditDocument['domains'], names: number) => {
      const out = join(tmp, name);
      const summary = summarise(domains, relations, { radiusNames: names });
      writeFileSync(out, JSON.stringify({ ...golden, domains, summary }));
      return out;
    };
    const whole = await run([
      write('old.json', golden.domains, 100),
      write('new.json', later, 100),
      '--format',
      'json',
    ]);
    const fromCut = await run([
      write('old-cut.json', golden.domains, 0),
      write('new-cut.json', later, 0),
      '--format',
      'json',
    ]);
    expect(fromCut.code, fromCut.stderr).toBe(0);
    const radius = JSON.parse(whole.stdout).portfolio.blastRadius;
    expect(radius.length).toBeGreaterThan(0);
    expect(radius.flatMap((r: { down: { added: string[] } }) => r.down.added)).toContain('zz.example');
    // akamai is only linode's parent here: without the catalogue's relations it would not move.
    const akamai = radius.find((r: { provider: string }) => r.provider === 'akamai');
    expect(akamai?.down.added).toEqual(['zz.example']);
    expect(JSON.parse(fromCut.stdout).portfolio).toEqual(JSON.parse(whole.stdout).portfolio);
    const badCatalog = await run([OLD, NEW, '--catalog', join(tmp, 'no-such-catalog.json')]);
    expect(badCatalog.code).toBe(2);
    expect(String(badCatalog.error)).toContain('no-such-catalog.json');
  });

  it('usage errors exit 2', async () => {
    expect((await run([OLD])).code).toBe(2);
    expect((await run([OLD, NEW, '--fail-on-new', 'info'])).code).toBe(2);
    expect((await run([OLD, NEW, '--format', 'html'])).code).toBe(2);
  });
});
