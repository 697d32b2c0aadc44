import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { severityAtLeast } from '../analyse/domain.js';
import { summarise } from '../analyse/portfolio.js';
import { topProviders } from '../analyse/study.js';
import { type WhatIfResult, whatIf } from '../analyse/whatif.js';
import { parentsOf } from '../audit.js';
import { loadCatalogue } from '../catalogue/load.js';
import { configJsonSchema } from '../config/json-schema.js';
import { InputError } from '../errors.js';
import { packageVersion } from '../package-root.js';
import {
  type Format,
  renderChunks,
  renderWhatIf,
  WHATIF_FORMATS,
  type WhatIfFormat,
} from '../report/index.js';
import type { ReportDocument } from '../report/spill.js';
import {
  fileLooksLikeSnapshot,
  looksLikeSnapshot,
  parseSnapshot,
  type SnapshotReport,
} from '../snapshot/read.js';
import { LAYERS, type Severity } from '../types.js';
import { type RunFlags, type RunResult, runAudit } from './audit-run.js';
import { type CliIo, EXIT, emit, exitFor, useColor } from './cli-io.js';
import { acceptanceLines, applyConfig } from './config-flags.js';
import { diffCommand } from './diff-command.js';
import { assertWritable, readInput } from './io.js';
import { listPlaces } from './list-lines.js';
import { listSource } from './list-source.js';
import { mergeCommand, readSavedResult } from './merge-command.js';
import { addAuditOptions, formatOption, type OutputFlags, severityOption } from './options.js';
import { resolveOutage } from './provider-ids.js';
import { providersCommand } from './providers.js';
import {
  DEFAULT_ERROR_LIMIT,
  type ErrorLimit,
  overLimit,
  overLimitLine,
  parseErrorLimit,
} from './run-health.js';
import { prepareSchedule, type ScheduleFlags } from './schedule.js';
import { updateDataCommand } from './update-data-command.js';
import { outageChoice, type WhatIfFlags } from './whatif-top.js';
import { workerCommand } from './worker-command.js';

/** Columns the table may use: the terminal's, else COLUMNS, else the renderer's default. */
export function tableWidth(io: CliIo): number | undefined {
  if (io.stdoutIsTty && io.stdoutColumns) return io.stdoutColumns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

/** --domain NAME must name a domain of the report (read once more, by name). */
function checkDomain(report: ReportDocument, name: string | undefined, source: string): void {
  if (name === undefined) return;
  for (const r of report.domains) if (r.domain === name) return;
  throw new InputError(`no domain "${name}" in ${source}`);
}

function worstIn(doc: ReportDocument): Severity | undefined {
  let worst: Severity | undefined;
  for (const d of doc.domains)
    for (const r of d.risks)
      if (!r.accepted && (!worst || severityAtLeast(r.severity, worst))) worst = r.severity;
  return worst;
}

export function addOutputOptions(cmd: Command, formats?: readonly string[]): Command {
  return cmd
    .addOption(formatOption(formats))
    .addOption(
      new Option('-o, --output <file>', 'write to FILE (atomically) instead of stdout').helpGroup('Output:'),
    )
    .addOption(
      new Option('--explain', 'show every layer and the evidence behind each answer').helpGroup('Output:'),
    )
    .addOption(new Option('--domain <name>', "table: only this domain's details").helpGroup('Output:'))
    .addOption(
      severityOption('--fail-on <severity>', 'exit 1 when a finding at or above SEVERITY exists').helpGroup(
        'Output:',
      ),
    );
}

/** Builds the commander program; `setExit` receives the code the process should end with. */
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
      'audit a domain list (FILE, stdin, or the domains as arguments) and report providers and single points of failure',
    )
    .argument(
      '[list...]',
      'domain list FILE (one per line, # comments, URLs and host:port accepted), - or nothing for stdin, or the domains themselves',
    );
  addOutputOptions(addAuditOptions(auditCmd))
    .addOption(
      new Option('--shard <i/n>', 'audit only shard I of N (0 <= I < N, by a hash of the domain)').helpGroup(
        'Limits:',
      ),
    )
    .addOption(new Option('-q, --quiet', 'no statistics line on stderr').helpGroup('Output:'))
    .addOption(
      new Option(
        '--fail-on-errors <n|p%>',
        'exit 2 when more than N domains (or P% of them) failed for network reasons (default 50%)',
      )
        .argParser(parseErrorLimit)
        .helpGroup('Output:'),
    )
    .addOption(
      new Option('--save-dir <dir>', 'save a timestamped JSON snapshot and latest.json in DIR').helpGroup(
        'Schedule:',
      ),
    )
    .addOption(
      new Option(
        '--baseline <snapshot>',
        'compare with an earlier snapshot; the diff goes to stderr',
      ).helpGroup('Schedule:'),
    )
    .addOption(
      severityOption(
        '--fail-on-new <severity>',
        'exit 1 when the diff shows a new finding at or above SEVERITY',
      ).helpGroup('Schedule:'),
    )
    .addOption(
      new Option(
        '--journal <file>',
        'record each finished domain in FILE so an interrupted run can resume',
      ).helpGroup('Schedule:'),
    )
    .addOption(
      new Option(
        '--resume <journal>',
        'finish an interrupted run: audit only the domains missing from JOURNAL',
      ).helpGroup('Schedule:'),
    )
    .action(
      async (
        args: string[],
        flags: RunFlags & OutputFlags & ScheduleFlags & { failOnErrors?: ErrorLimit },
      ) => {
        const list = listSource(args, io.stdinIsTty ?? false);
        const streaming = flags.format === 'ndjson' ? 'ndjson' : false;
        // Before any domain is audited: a target that cannot be written would lose the whole run.
        if (flags.output) assertWritable(flags.output);
        const listFile = typeof list === 'string' && list !== '-' ? list : undefined;
        const schedule = prepareSchedule(
          flags,
          flags,
          io,
          typeof list === 'string' ? (list === '-' ? 'stdin' : list) : list.name,
        );
        // Results are kept for a whole-document report, the baseline diff or the snapshot: on disk
        // past 2,000.
        const keep = !streaming || schedule.keepsResults;
        let run: RunResult;
        let drift: number;
        let untrusted = false;
        try {
          try {
            run = await runAudit(list, flags, io, streaming, schedule.hooks, keep);
          } finally {
            schedule.close();
          }
          try {
            if (run.report && !streaming) {
              const report = run.report;
              const render = {
                color: useColor(io, flags.output),
                explain: flags.explain,
                width: flags.output ? undefined : tableWidth(io),
                domain: flags.domain,
                ...(listFile ? { source: relative(process.cwd(), listFile) || listFile } : {}),
                ...(listFile && flags.format === 'sarif' ? { places: await listPlaces(listFile) } : {}),
                ...(run.seconds !== undefined
                  ? { durationSeconds: Math.round(run.seconds * 1000) / 1000 }
                  : {}),
              };
              emit(() => renderChunks(report, flags.format, render), flags.output, io);
            }
            // Domains a --jobs child failed on make the run incomplete: kept for --resume, not saved.
            const incomplete = run.interrupted !== undefined || run.workerFailed > 0;
            untrusted = !incomplete && overLimit(run.failures, flags.failOnErrors ?? DEFAULT_ERROR_LIMIT);
            if (untrusted)
              io.stderr(
                overLimitLine(run.failures, flags.failOnErrors ?? DEFAULT_ERROR_LIMIT, !!flags.failOnErrors),
              );
            // Whatever --fail-on-errors allows, a run where every domain failed is no baseline.
            const allFailed = run.failures.total > 0 && run.failures.failed === run.failures.total;
            drift = schedule.finish(run.report, incomplete, run.relations, {
              untrusted: untrusted || allFailed,
            });
          } finally {
            run.release?.();
          }
        } finally {
          schedule.release();
        }
        if (flags.accept && !run.interrupted)
          for (const line of acceptanceLines(flags.accept, flags.configFile ?? 'config'))
            io.stderr(`${line}\n`);
        if (run.interrupted)
          return setExit(run.interrupted === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
        if (run.workerFailed > 0) {
          io.stderr(`singlepath: ${run.workerFailed} domains failed in worker processes (WORKER_FAILED)\n`);
          return setExit(EXIT.error);
        }
        if (untrusted) return setExit(EXIT.error);
        setExit(Math.max(exitFor(run.worst, flags.failOn), drift));
      },
    );

  addOutputOptions(
    program
      .command('report')
      .description('re-render a saved result without touching the network')
      .argument(
        '<result>',
        'a JSON document (`audit --format json`, a snapshot) or NDJSON results; - for stdin',
      ),
  )
    .addOption(
      new Option('--list <file>', 'sarif: the domain list the results point at (each at its line)').helpGroup(
        'Output:',
      ),
    )
    .action(async (path: string, flags: OutputFlags & { list?: string }) => {
      if (flags.output) assertWritable(flags.output);
      const { report, release } = await readSavedResult(path, io, () => parentsOf(loadCatalogue()));
      try {
        checkDomain(report, flags.domain, path === '-' ? 'stdin' : path);
        const render = {
          color: useColor(io, flags.output),
          explain: flags.explain,
          width: flags.output ? undefined : tableWidth(io),
          domain: flags.domain,
          ...(flags.list ? { source: relative(process.cwd(), flags.list) || flags.list } : {}),
          ...(flags.list && flags.format === 'sarif' ? { places: await listPlaces(flags.list) } : {}),
        };
        emit(() => renderChunks(report, flags.format as Format, render), flags.output, io);
        setExit(exitFor(worstIn(report), flags.failOn));
      } finally {
        release();
      }
    });

  /** whatif's input: a saved result (a file read a line at a time when large), or a list audited first. */
  async function snapshotOrAudit(input: string, flags: RunFlags): Promise<SnapshotReport> {
    if (input !== '-' && fileLooksLikeSnapshot(input))
      return readSavedResult(input, io, () => parentsOf(loadCatalogue({ extraFiles: flags.catalog })));
    // A list is audited as it is read, its results kept on disk past 2,000 (as for a report).
    const audit = async (source: string | { name: string; text: string }): Promise<SnapshotReport> => {
      const run = await runAudit(source, { ...flags, quiet: true }, io, false);
      return { report: run.report!, release: run.release ?? (() => {}) };
    };
    if (input !== '-') return audit(input);
    const text = await readInput(input);
    return looksLikeSnapshot(text)
      ? { report: parseSnapshot(text, 'stdin'), release: () => {} }
      : audit({ name: 'stdin', text });
  }

  const whatifCmd = program
    .command('whatif')
    .description('which domains go down, degrade or survive if these providers fail')
    .argument('<input>', 'a saved JSON snapshot, or a domain list to audit first')
    .addOption(
      new Option(
        '-p, --provider <id[@region]>',
        'provider that fails (an id in any case, or a product of one: route53; id@region: a regional outage), repeatable',
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(
      new Option('--top <k>', 'the K providers most domains critically depend on at --layer fail together'),
    )
    .addOption(new Option('--layer <layer>', 'the outage hits only this layer').choices([...LAYERS]));
  program
    .command('config-schema')
    .description(
      'print the JSON Schema of singlepath.config.json (the package ships it as singlepath.config.schema.json)',
    )
    .action(() => io.stdout(`${JSON.stringify(configJsonSchema(auditCmd), null, 2)}\n`));

  // The config file fills what the command line left at its defaults, before either action runs.
  for (const cmd of [auditCmd, whatifCmd])
    cmd.hook('preAction', (c) => {
      const { config, accept } = applyConfig(c, process.cwd());
      if (config) c.setOptionValue('configFile', config.file);
      if (accept) c.setOptionValue('accept', accept);
    });
  addAuditOptions(whatifCmd)
    .addOption(formatOption(WHATIF_FORMATS))
    .addOption(new Option('-o, --output <file>', 'write to FILE instead of stdout').helpGroup('Output:'))
    .action(async (input: string, flags: RunFlags & OutputFlags & WhatIfFlags) => {
      const top = outageChoice(flags);
      if (flags.output) assertWritable(flags.output);
      const { report: doc, release } = await snapshotOrAudit(input, flags);
      let result: WhatIfResult;
      try {
        const catalogue = loadCatalogue({ extraFiles: flags.catalog });
        const parents = parentsOf(catalogue);
        const layer = flags.layer;
        if (top !== undefined && layer) {
          const study = doc.summary?.study ?? summarise(doc.domains).study!;
          result = whatIf(doc.domains, topProviders(study, layer, top), { parents }, { layer, top });
        } else {
          const providers = resolveOutage(flags.provider ?? [], catalogue, doc, parents);
          result = whatIf(doc.domains, providers, { parents }, layer ? { layer } : {});
        }
      } finally {
        release();
      }
      emit(
        () => renderWhatIf(result, flags.format as WhatIfFormat, { color: useColor(io, flags.output) }),
        flags.output,
        io,
      );
      setExit(EXIT.ok);
    });

  program
    .command('lab')
    .description(
      'start the bundled loopback lab (samples/lab.json) until Ctrl-C and print the flags that audit against it',
    )
    .addOption(
      new Option('--dns-port <n>', 'DNS port on 127.0.0.1, UDP and TCP (0 = any free)').default('5353'),
    )
    .addOption(new Option('--https-port <n>', 'HTTPS port (0 = any free)').default('8443'))
    .addOption(new Option('--http-port <n>', 'HTTP port (0 = any free)').default('8080'))
    .addOption(
      new Option('--ca-out <file>', "where to write the lab's root certificate").default('lab-root.pem'),
    )
    .action(async (flags: { dnsPort: string; httpsPort: string; httpPort: string; caOut: string }) => {
      // The lab is made of the test helpers (certificates from a development dependency): it
      // runs from a clone, not from an installed package.
      let lab: { labMain(argv: string[]): Promise<void> };
      try {
        lab = await import(new URL('../../scripts/lab.js', import.meta.url).href);
      } catch {
        throw new InputError(
          'the lab needs a development install: in a clone, run npm install, then npm run lab',
        );
      }
      await lab.labMain([
        '--dns-port',
        flags.dnsPort,
        '--https-port',
        flags.httpsPort,
        '--http-port',
        flags.httpPort,
        '--ca-out',
        flags.caOut,
      ]);
    });

  providersCommand(program, io);
  diffCommand(program, io, setExit);
  workerCommand(program, io, setExit);
  mergeCommand(program, io, setExit);
  updateDataCommand(program, io, setExit);
  return program;
}
