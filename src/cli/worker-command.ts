import type { Command } from 'commander';
import { type AuditOptions, auditStream, createAuditor } from '../audit.js';
import { InputError } from '../errors.js';
import { boundedLines } from '../input/stream.js';
import { renderNdjsonLine } from '../report/ndjson.js';
import type { CliIo } from './cli-io.js';
import { WORKER_OPTIONS_ENV, type WorkerStatsLine } from './workers.js';

// `singlepath worker` (hidden): the child side of `audit --jobs N`. Domains arrive on stdin, one a
// line, already read, checked and de-duplicated by the parent; results leave on stdout as NDJSON
// domain lines, written a batch per event-loop turn, then one stats line. Options come as JSON in
// the environment, exactly as the parent resolved them.

export function workerCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('worker', { hidden: true })
    .description('internal: audits the domains read on stdin for `audit --jobs`')
    .action(async () => {
      const raw = io.env[WORKER_OPTIONS_ENV];
      if (!raw) throw new InputError('worker: run by `audit --jobs N`, not by hand');
      const opts = JSON.parse(raw) as AuditOptions;
      const auditor = await createAuditor(opts);
      async function* domains(): AsyncGenerator<string> {
        for await (const line of boundedLines(process.stdin)) if (line) yield line;
      }
      let batch: string[] = [];
      let scheduled = false;
      const flush = () => {
        scheduled = false;
        if (batch.length === 0) return;
        io.stdout(batch.join(''));
        batch = [];
      };
      try {
        for await (const r of auditStream(domains(), auditor, opts.concurrency)) {
          batch.push(renderNdjsonLine(r));
          if (!scheduled) {
            scheduled = true;
            setImmediate(flush);
          }
        }
      } finally {
        flush();
        await auditor.close();
      }
      const stats: WorkerStatsLine = {
        type: 'stats',
        stats: auditor.stats(),
        probes: auditor.probeStats(),
        resolvers: auditor.resolverUse(),
      };
      io.stdout(`${JSON.stringify(stats)}\n`);
      setExit(0);
    });
}
