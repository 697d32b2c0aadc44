import { Command, Option } from 'commander';
import { severityAtLeast } from '../analyse/domain.js';
import { whatIf } from '../analyse/whatif.js';
import { audit, parentsOf } from '../audit.js';
import { loadCatalogue } from '../catalogue/load.js';
import { InputError } from '../errors.js';
import { type ParsedList, parseDomainList } from '../input/parse.js';
import { packageVersion } from '../package-root.js';
import { type Format, render, renderWhatIf, WHATIF_FORMATS, type WhatIfFormat } from '../report/index.js';
import { looksLikeSnapshot, parseSnapshot, readSnapshot } from '../snapshot/read.js';
import type { AuditDocument, Severity } from '../types.js';
import { readInput, writeFileAtomic } from './io.js';
import {
  type AuditFlags,
  addAuditOptions,
  formatOption,
  type OutputFlags,
  resolveAuditOptions,
  severityOption,
} from './options.js';
import { Progress } from './progress.js';
import { providersCommand } from './providers.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

export const EXIT = { ok: 0, findings: 1, error: 2 } as const;

function useColor(io: CliIo): boolean {
  return io.stdoutIsTty && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
}

function parseList(text: string, source: string, io: CliIo): ParsedList {
  const list = parseDomainList(text);
  for (const p of list.problems)
    io.stderr(`singlepath: ${source}:${p.line}: skipped "${p.text}": ${p.reason}\n`);
  if (!list.domains.length) throw new InputError(`${source}: no domains to audit`);
  return list;
}

function emit(text: string, output: string | undefined, io: CliIo): void {
  if (output) writeFileAtomic(output, text);
  else io.stdout(text);
}

function exitFor(doc: AuditDocument, failOn: Severity | undefined): number {
  if (!failOn) return EXIT.ok;
  const hit = doc.domains.some((d) => d.risks.some((r) => severityAtLeast(r.severity, failOn)));
  return hit ? EXIT.findings : EXIT.ok;
}

async function auditText(text: string, source: string, flags: AuditFlags, io: CliIo): Promise<AuditDocument> {
  const list = parseList(text, source === '-' ? 'stdin' : source, io);
  const progress = new Progress(io.stderrIsTty, list.domains.length, io.stderr);
  const doc = await audit(list.domains, {
    ...resolveAuditOptions(flags, io.env),
    onResult: (r, done) => progress.tick(done, r.domain),
  });
  progress.done();
  return doc;
}

function addOutputOptions(cmd: Command, formats?: readonly string[]): Command {
  return cmd
    .addOption(formatOption(formats))
    .addOption(
      new Option('-o, --output <file>', 'write to FILE (atomically) instead of stdout').helpGroup('Output:'),
    )
    .addOption(new Option('--explain', 'show the evidence behind each answer').helpGroup('Output:'))
    .addOption(
      severityOption('--fail-on <severity>', 'exit 1 when a finding at or above SEVERITY exists').helpGroup(
        'Output:',
      ),
    );
}

/** Builds the commander program; `exitCode` receives the code the process should end with. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('singlepath')
    .description(
      'Which providers does each of your domains depend on, and which single failure takes them down?',
    )
    .version(packageVersion())
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const auditCmd = program
    .command('audit')
    .description(
      'audit a domain list (FILE, or - for stdin) and report providers and single points of failure',
    )
    .argument('<list>', 'domain list: one per line, # comments, URLs and host:port accepted');
  addOutputOptions(addAuditOptions(auditCmd)).action(
    async (list: string, flags: AuditFlags & OutputFlags) => {
      const doc = await auditText(await readInput(list), list, flags, io);
      emit(
        render(doc, flags.format as Format, { color: useColor(io) && !flags.output, explain: flags.explain }),
        flags.output,
        io,
      );
      setExit(exitFor(doc, flags.failOn));
    },
  );

  addOutputOptions(
    program
      .command('report')
      .description('re-render a saved JSON result without touching the network')
      .argument('<snapshot>', 'a JSON document written by `audit --format json`'),
  ).action((path: string, flags: OutputFlags) => {
    const doc = readSnapshot(path);
    emit(
      render(doc, flags.format, { color: useColor(io) && !flags.output, explain: flags.explain }),
      flags.output,
      io,
    );
    setExit(exitFor(doc, flags.failOn));
  });

  const whatifCmd = program
    .command('whatif')
    .description('which domains go down, degrade or survive if these providers fail')
    .argument('<input>', 'a saved JSON snapshot, or a domain list to audit first')
    .addOption(
      new Option('-p, --provider <id>', 'provider that fails, repeatable')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .makeOptionMandatory(),
    );
  addAuditOptions(whatifCmd)
    .addOption(formatOption(WHATIF_FORMATS))
    .addOption(new Option('-o, --output <file>', 'write to FILE instead of stdout').helpGroup('Output:'))
    .action(async (input: string, flags: AuditFlags & OutputFlags & { provider: string[] }) => {
      const text = await readInput(input);
      const doc = looksLikeSnapshot(text)
        ? parseSnapshot(text, input)
        : await auditText(text, input, flags, io);
      const parents = parentsOf(loadCatalogue({ extraFiles: flags.catalog }));
      const result = whatIf(doc.domains, flags.provider, { parents });
      emit(
        renderWhatIf(result, flags.format as WhatIfFormat, { color: useColor(io) && !flags.output }),
        flags.output,
        io,
      );
      setExit(EXIT.ok);
    });

  providersCommand(program, io);
  return program;
}
