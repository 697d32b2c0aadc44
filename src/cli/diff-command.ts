import { type Command, Option } from 'commander';
import { parentsOf } from '../audit.js';
import { loadCatalogue } from '../catalogue/load.js';
import { InputError } from '../errors.js';
import { DIFF_FORMATS, type DiffFormat, renderDiffChunks } from '../report/diff/index.js';
import { diffDocuments, hasNewFindingAtLeast, type SnapshotDiff } from '../snapshot/diff.js';
import { parseSnapshot, type SnapshotReport } from '../snapshot/read.js';
import type { Severity } from '../types.js';
import type { CliIo } from './cli-io.js';
import { assertWritable, readInput, writeOutput } from './io.js';
import { readSavedResult } from './merge-command.js';
import { formatOption, severityOption } from './options.js';

// `singlepath diff OLD NEW`: drift between two snapshots, offline. Exit 1 when --fail-on-new
// sees a new finding at or above its severity; bad snapshots throw InputError (exit 2 in main).

interface DiffFlags {
  format: DiffFormat;
  output?: string;
  failOnNew?: Severity;
  catalog?: string[];
}

/**
 * A snapshot, stdin, or NDJSON results (their summary computed again, as merge does); from files,
 * past 2,000 results they are kept on disk until the diff is made.
 */
async function load(path: string, parents: Record<string, string>, io: CliIo): Promise<SnapshotReport> {
  if (path === '-') return { report: parseSnapshot(await readInput('-'), 'stdin'), release: () => {} };
  return readSavedResult(path, io, () => parents);
}

export function diffCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('diff')
    .description('what changed between two snapshots: domains, providers, findings, errors, concentration')
    .argument('<old>', 'earlier snapshot (`audit --format json` output, DIR/latest.json, or NDJSON results)')
    .argument('<new>', 'later snapshot (or NDJSON results), or - for stdin')
    .addOption(formatOption(DIFF_FORMATS))
    .addOption(
      new Option('-o, --output <file>', 'write to FILE (atomically) instead of stdout').helpGroup('Output:'),
    )
    .addOption(
      severityOption(
        '--fail-on-new <severity>',
        'exit 1 when a finding at or above SEVERITY is new (or rose to it)',
      ).helpGroup('Output:'),
    )
    .addOption(
      new Option(
        '--catalog <file>',
        'extra provider catalogue (JSON), repeatable: its company relations shape the blast radius',
      ).argParser((v: string, p: string[] = []) => [...p, v]),
    )
    .action(async (oldPath: string, newPath: string, flags: DiffFlags) => {
      if (oldPath === '-' && newPath === '-')
        throw new InputError('only one of OLD and NEW can be - (stdin)');
      if (flags.output) assertWritable(flags.output);
      const relations = { parents: parentsOf(loadCatalogue({ extraFiles: flags.catalog })) };
      const before = await load(oldPath, relations.parents, io);
      let diff: SnapshotDiff;
      try {
        const after = await load(newPath, relations.parents, io);
        try {
          diff = diffDocuments(before.report, after.report, { relations });
        } finally {
          after.release();
        }
      } finally {
        before.release();
      }
      const color = io.stdoutIsTty && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb' && !flags.output;
      const pieces = renderDiffChunks(diff, flags.format, { color });
      if (flags.output) writeOutput(flags.output, pieces);
      else for (const piece of pieces) io.stdout(piece);
      setExit(flags.failOnNew && hasNewFindingAtLeast(diff, flags.failOnNew) ? 1 : 0);
    });
}
