import { type Command, InvalidArgumentError, Option } from 'commander';
import { defaultRangesDir } from '../update/published.js';
import { SOURCES, sourceNamed, UPDATE_DEFAULTS } from '../update/sources.js';
import type { SourceResult } from '../update/update.js';
import type { CliIo } from './cli-io.js';

// `singlepath update-data`: refresh the cached copies of providers' published address lists.

interface UpdateFlags {
  dataDir?: string;
  source?: Record<string, string>;
  only?: string[];
  timeout: number;
  maxBytes: number;
  listSources?: boolean;
}

function knownName(name: string): string {
  if (!sourceNamed(name))
    throw new InvalidArgumentError(
      `unknown source "${name}" (known: ${SOURCES.map((s) => s.name).join(', ')})`,
    );
  return name;
}

function sourceUrl(value: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected NAME=URL');
  const url = value.slice(eq + 1);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw new InvalidArgumentError(`not an http(s) URL: ${url}`);
  return { ...prev, [knownName(value.slice(0, eq))]: url };
}

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1)
      throw new InvalidArgumentError(`${name} must be a whole number above 0`);
    return n;
  };
}

function line(r: SourceResult): string {
  const name = r.source.padEnd(16);
  if (r.status === 'updated') {
    const c = r.counts!;
    const was = r.previous === undefined ? '' : `, was ${r.previous}`;
    return `${name} updated  ${c.cidrs} ranges (${c.ipv4} IPv4, ${c.ipv6} IPv6${was})\n`;
  }
  return `${name} ${r.status.padEnd(8)} ${r.code}\n`;
}

function problem(r: SourceResult): string {
  const kept = r.keptPrevious ? 'kept the previous file' : 'no previous file';
  return `singlepath: update-data: ${r.source} ${r.status} (${r.code}: ${r.detail}) from ${r.url}; ${kept}\n`;
}

export function updateDataCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('update-data')
    .description("fetch providers' published address lists (AWS, Google, Cloudflare, Fastly, Oracle, GitHub)")
    .addOption(
      new Option('--data-dir <dir>', 'cache folder (default: $SINGLEPATH_CACHE_DIR/ranges or .cache/ranges)'),
    )
    .addOption(
      new Option('--source <name=url>', 'fetch source NAME from URL instead (mirror), repeatable').argParser(
        sourceUrl,
      ),
    )
    .addOption(
      new Option('--only <name>', 'update only this source, repeatable').argParser(
        (v: string, p: string[] = []) => [...p, knownName(v)],
      ),
    )
    .addOption(
      new Option('--timeout <ms>', 'deadline per source')
        .argParser(positive('--timeout'))
        .default(UPDATE_DEFAULTS.timeoutMs),
    )
    .addOption(
      new Option('--max-bytes <n>', 'largest response accepted per source')
        .argParser(positive('--max-bytes'))
        .default(UPDATE_DEFAULTS.maxBytes),
    )
    .addOption(new Option('--list-sources', 'print the sources and their default URLs, fetch nothing'))
    .action(async (flags: UpdateFlags) => {
      if (flags.listSources) {
        for (const s of SOURCES) io.stdout(`${s.name.padEnd(16)} ${s.url}\n  ${s.description}\n`);
        return setExit(0);
      }
      const dir = flags.dataDir ?? defaultRangesDir(io.env);
      // Loaded here: the HTTP client (undici, ~17 MB of RSS) is needed by this command alone.
      const { updateData } = await import('../update/update.js');
      const report = await updateData({
        dir,
        urls: flags.source,
        only: flags.only,
        timeoutMs: flags.timeout,
        maxBytes: flags.maxBytes,
        loopbackOnly: io.env.SINGLEPATH_LOOPBACK_ONLY === '1',
      });
      for (const r of report.results) {
        io.stdout(line(r));
        if (r.status !== 'updated') io.stderr(problem(r));
      }
      const updated = report.results.filter((r) => r.status === 'updated').length;
      io.stdout(`${updated} of ${report.results.length} lists updated in ${dir}\n`);
      setExit(report.ok ? 0 : 2);
    });
}
