import { type Command, Option } from 'commander';
import { buildDocument, parentsOf } from '../audit.js';
import { loadCatalogue } from '../catalogue/load.js';
import { InputError } from '../errors.js';
import { FORMATS, type Format, render } from '../report/index.js';
import { looksLikeSnapshot, parseSnapshot } from '../snapshot/read.js';
import type { DomainResult } from '../types.js';
import { readInput } from './io.js';
import { type CliIo, EXIT, emit, useColor } from './program.js';

/** Domain results of one shard's output: a JSON document or NDJSON lines (summary lines ignored). */
export function readResults(
  text: string,
  source: string,
): { results: DomainResult[]; options?: Record<string, unknown> } {
  if (looksLikeSnapshot(text) && !/^\s*\{[^\n]*"type"\s*:/.test(text)) {
    const doc = parseSnapshot(text, source);
    return { results: doc.domains, options: doc.options };
  }
  const results: DomainResult[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let rec: { type?: string } & Partial<DomainResult>;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new InputError(`${source}:${i + 1}: not a JSON line`);
    }
    if (rec.type === 'summary') return;
    if (rec.type !== 'domain' || typeof rec.domain !== 'string')
      throw new InputError(`${source}:${i + 1}: not a singlepath domain record`);
    const { type: _type, ...result } = rec;
    results.push(result as DomainResult);
  });
  return { results };
}

export function mergeCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the results of shards (NDJSON or JSON) into one report, as one run would give')
    .argument('<files...>', 'outputs of `audit --shard I/N` runs')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('json'))
    .addOption(new Option('-o, --output <file>', 'write to FILE (atomically) instead of stdout'))
    .addOption(
      new Option('--catalog <file>', 'extra provider catalogue (JSON), repeatable').argParser(
        (v: string, p: string[] = []) => [...p, v],
      ),
    )
    .action(async (files: string[], flags: { format: Format; output?: string; catalog?: string[] }) => {
      const byDomain = new Map<string, DomainResult>();
      let options: Record<string, unknown> | undefined;
      for (const file of files) {
        const read = readResults(await readInput(file), file);
        options ??= read.options;
        for (const r of read.results) {
          if (byDomain.has(r.domain))
            io.stderr(`singlepath: ${file}: ${r.domain} appears in two inputs; the later one is kept\n`);
          byDomain.set(r.domain, r);
        }
      }
      const parents = parentsOf(loadCatalogue({ extraFiles: flags.catalog }));
      const doc = buildDocument([...byDomain.values()], {}, parents);
      if (options) doc.options = options;
      emit(render(doc, flags.format, { color: useColor(io, flags.output) }), flags.output, io);
      setExit(EXIT.ok);
    });
}
