import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';

// The README is the user's first contract: every flag it shows must be a flag of the command it
// is shown with, and the catalogue counts it and docs/catalogue.md give must be the data's.

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const COMMANDS = ['audit', 'report', 'whatif', 'lab', 'providers', 'diff', 'merge', 'update-data'];
const FLAG = /(?<![\w-])--[a-z][a-z0-9-]*/g;

async function helpFlags(command: string): Promise<Set<string>> {
  const run = await runCli([command, '--help']);
  expect(run.code, `${command} --help`).toBe(0);
  return new Set(run.stdout.match(FLAG) ?? []);
}

describe('README flags', () => {
  it('every flag on a `singlepath CMD` line is one of that command', async () => {
    const flags = new Map<string, Set<string>>();
    for (const c of COMMANDS) flags.set(c, await helpFlags(c));
    const all = new Set([...flags.values()].flatMap((s) => [...s]));
    const wrong: string[] = [];
    readme.split('\n').forEach((line, i) => {
      // `npm run bench -- --lossy` and friends are the repository's scripts, not the CLI's.
      if (/npm run|node dist\/scripts/.test(line)) return;
      const shown = line.match(FLAG) ?? [];
      const command = /singlepath ([a-z-]+)/.exec(line)?.[1];
      const own = command ? flags.get(command) : undefined;
      for (const flag of shown) {
        if (own ? !own.has(flag) : !all.has(flag))
          wrong.push(`README.md:${i + 1}: ${flag}${command ? ` (${command})` : ''}`);
      }
    });
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe('catalogue counts', () => {
  const providers = readdirSync(join(ROOT, 'data', 'catalogue'))
    .filter((f) => f.endsWith('.json'))
    .flatMap(
      (f) =>
        (
          JSON.parse(readFileSync(join(ROOT, 'data', 'catalogue', f), 'utf8')) as {
            providers: { signals: Record<string, unknown[]> }[];
          }
        ).providers,
    );
  const signals = (kind: string) => providers.reduce((n, p) => n + (p.signals[kind]?.length ?? 0), 0);
  const doc = readFileSync(join(ROOT, 'docs', 'catalogue.md'), 'utf8').replace(/\s+/g, ' ');

  it('README and docs/catalogue.md give the number of providers', () => {
    const said = (text: string, pattern: RegExp) => Number(pattern.exec(text.replace(/\s+/g, ' '))?.[1]);
    expect(said(readme, /validated when loaded: (\d+) providers/), 'README.md').toBe(providers.length);
    expect(said(doc, /catalogue holds (\d+) providers/), 'docs/catalogue.md').toBe(providers.length);
  });

  it.each([
    ['cname', 'CNAME suffixes'],
    ['ns', 'NS'],
    ['mx', 'MX patterns'],
    ['spf', 'SPF include'],
    ['dmarc', 'DMARC report domains'],
    ['header', 'header'],
    ['cookie', 'cookie rules'],
    ['issuer', 'issuer rules'],
  ])('docs/catalogue.md gives the number of %s signals', (kind, words) => {
    const said = new RegExp(`(\\d+) ${words}`).exec(doc)?.[1];
    expect(Number(said), `docs/catalogue.md: "… ${words}"`).toBe(signals(kind));
  });
});
