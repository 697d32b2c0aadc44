import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Relations } from '../analyse/layer-loss.js';
import { documentOptions } from '../audit.js';
import { InputError } from '../errors.js';
import { assertWritable } from '../fs/atomic.js';
import { DomainSet } from '../input/dedupe.js';
import { renderDiff } from '../report/diff/index.js';
import type { ReportDocument } from '../report/spill.js';
import { diffDocuments, hasNewFindingAtLeast } from '../snapshot/diff.js';
import { Journal, scanJournal } from '../snapshot/journal.js';
import { withLastGood } from '../snapshot/last-good.js';
import { readBaseline } from '../snapshot/read.js';
import { saveSnapshot } from '../snapshot/save.js';
import type { Severity } from '../types.js';
import type { RunHooks } from './audit-run.js';
import type { CliIo } from './cli-io.js';
import { resolveAuditOptions } from './options.js';

// What a scheduled run adds around the audit: a journal that survives a kill, a baseline to
// compare with, and a folder of timestamped snapshots with latest.json.

export interface ScheduleFlags {
  saveDir?: string;
  baseline?: string;
  failOnNew?: Severity;
  journal?: string;
  resume?: string;
}

export interface Schedule {
  hooks: RunHooks;
  /** The run's results are needed at the end (for the diff or the snapshot), whatever the format. */
  keepsResults: boolean;
  /** Lets the baseline's results go (kept on disk when many); call it once the run is over. */
  release(): void;
  /**
   * After a complete run: diff against the baseline, save, drop the journal; returns the exit
   * code part. `doc` may keep its results on disk.
   */
  finish(
    doc: ReportDocument | undefined,
    interrupted: boolean,
    relations?: Relations,
    health?: { untrusted: boolean },
  ): number;
  close(): void;
}

export function prepareSchedule(
  flags: ScheduleFlags,
  auditFlags: Parameters<typeof resolveAuditOptions>[0],
  io: CliIo,
  list?: string,
): Schedule {
  if (flags.journal && flags.resume) throw new InputError('give --journal or --resume, not both');
  if (flags.failOnNew && !flags.baseline)
    throw new InputError('--fail-on-new needs --baseline (what is "new" is relative to it)');
  // Read the baseline before any network traffic: a bad one stops the run at once.
  // Its results past 2,000 are kept on disk until the diff at the end.
  const baseline = flags.baseline ? readBaseline(flags.baseline, io.env, io.stderr) : null;
  if (flags.baseline && !baseline)
    io.stderr(`singlepath: no baseline at ${flags.baseline} yet (first run): nothing to compare\n`);

  // Whatever fails from here on (a journal in the way, a folder that cannot be made) lets the
  // baseline's results go.
  try {
    return rest();
  } catch (err) {
    baseline?.release();
    throw err;
  }

  function rest(): Schedule {
    const hooks: RunHooks = {};
    const autoJournal =
      !flags.journal && !flags.resume && flags.saveDir
        ? join(flags.saveDir, 'in-progress.journal')
        : undefined;
    let journalPath = flags.resume ?? flags.journal ?? autoJournal;
    if (autoJournal && existsSync(autoJournal)) {
      io.stderr(`singlepath: an interrupted run left ${autoJournal}: resuming it\n`);
      flags.resume = autoJournal;
    } else if (flags.journal && existsSync(flags.journal)) {
      throw new InputError(
        `journal ${flags.journal} already exists: use --resume ${flags.journal} to finish that run`,
      );
    }
    if (flags.resume) {
      const previous = scanJournal(flags.resume);
      if (previous.torn)
        io.stderr(
          `singlepath: ${flags.resume}: the last line was cut by the interruption; that domain is audited again\n`,
        );
      if (previous.skipped.length)
        io.stderr(`singlepath: ${flags.resume}: unreadable lines ${previous.skipped.join(', ')} skipped\n`);
      io.stderr(`singlepath: resuming: ${previous.done.size} domains already done\n`);
      const now = documentOptions(resolveAuditOptions(auditFlags, io.env));
      const before = previous.header.options;
      const changed = Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k]));
      if (changed.length)
        io.stderr(
          `singlepath: warning: resuming with different options (${changed.join(', ')}): the results mix both runs\n`,
        );
      // Only the journal's domains still in the list are carried: an edited list must not bring
      // back the names taken out of it (issue 21).
      const listed = new DomainSet();
      hooks.skip = (d) => {
        if (!previous.done.has(d)) return false;
        listed.add(d);
        return true;
      };
      const resumed = flags.resume;
      hooks.carried = {
        count: previous.done.size,
        *results(listRead) {
          let dropped = 0;
          for (const r of previous.results()) {
            if (!listRead || listed.has(r.domain)) yield r;
            else dropped++;
          }
          if (dropped)
            io.stderr(
              `singlepath: ${resumed}: ${dropped} domain${dropped === 1 ? '' : 's'} of the journal ` +
                'no longer in the list: left out\n',
            );
        },
      };
      const journalled = previous.header.list;
      if (journalled !== undefined && list !== undefined && journalled !== list)
        io.stderr(
          `singlepath: note: ${resumed} was journalled for the list ${JSON.stringify(journalled)}, resumed with ${JSON.stringify(list)}\n`,
        );
      journalPath = flags.resume;
    }
    let journal: Journal | undefined;
    if (flags.saveDir) {
      try {
        mkdirSync(flags.saveDir, { recursive: true });
      } catch (err) {
        throw new InputError(
          `cannot create --save-dir ${flags.saveDir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      // A snapshot that cannot be saved is found out now, not after the audit.
      assertWritable(join(flags.saveDir, 'latest.json'));
    }
    // A journal that cannot be written (a full disk, a quota) costs resumability, never the run:
    // said once, then the run goes on without it.
    let journalLost = false;
    const guard = (f: () => void) => {
      if (journalLost) return;
      try {
        f();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (!code) throw err;
        journalLost = true;
        io.stderr(
          `singlepath: warning: cannot write journal ${journalPath}: ${code}; going on without it ` +
            '(an interruption from here on cannot be resumed)\n',
        );
        try {
          journal?.close();
        } catch {
          // its descriptor is released whatever fsync said
        }
      }
    };
    if (journalPath) {
      const opts = resolveAuditOptions(auditFlags, io.env);
      journal = Journal.open(journalPath, {
        options: documentOptions(opts),
        startedAt: new Date().toISOString(),
        ...(list === undefined ? {} : { list }),
      });
      hooks.onResult = (r) => guard(() => journal!.append(r));
    }
    return {
      hooks,
      keepsResults: Boolean(flags.baseline || flags.saveDir),
      close: () => guard(() => journal?.close()),
      finish(doc, interrupted, relations, health) {
        guard(() => journal?.close());
        return finishRun(doc, interrupted, relations, health?.untrusted ?? false);
      },
      release: () => baseline?.release(),
    };

    function finishRun(
      doc: ReportDocument | undefined,
      interrupted: boolean,
      relations: Relations | undefined,
      untrusted: boolean,
    ): number {
      if (interrupted) {
        if (journalPath && !journalLost)
          io.stderr(
            `singlepath: finished results are in ${journalPath}; run again with --resume ${journalPath}\n`,
          );
        return 0;
      }
      let code = 0;
      if (baseline && doc) {
        // Both sides are read once, in name order (from disk when they are many).
        const diff = diffDocuments(baseline.report, doc, { relations });
        const color = io.stderrIsTty && !('NO_COLOR' in io.env);
        io.stderr(renderDiff(diff, 'table', { color }));
        if (flags.failOnNew && hasNewFindingAtLeast(diff, flags.failOnNew)) code = 1;
      }
      if (flags.saveDir && doc) {
        // Domains failing tonight keep the last good facts the baseline holds of them.
        const carried = baseline ? withLastGood(doc, baseline.report) : doc;
        // A run the network failed is kept for the record but is not what the next run compares with.
        const saved = saveSnapshot(carried, flags.saveDir, new Date(doc.generatedAt), { latest: !untrusted });
        if (saved.latestUpdated) io.stderr(`singlepath: saved ${saved.path} and ${saved.latest}\n`);
        else
          io.stderr(
            `singlepath: saved ${saved.path}; not saved as latest (too many domains failed for network reasons): ` +
              `${saved.latest} still holds the last trusted run\n`,
          );
      }
      // The run is complete (and saved): its journal has served its purpose, and the next
      // scheduled run with the same --journal must not be refused.
      if (journalPath) rmSync(journalPath, { force: true });
      return code;
    }
  }
}
