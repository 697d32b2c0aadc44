// `npm run bench`: measures singlepath against a loopback lab and its own bare-client ceilings.
//   node dist/scripts/bench.js [--n 100000] [--zones 1000] [--concurrency N] [--window 256]
//                              [--skip-full] [--skip-cli] [--jobs N] [--probe-threads N] [--formats json,table] [--json]
//                              [--cpu-prof DIR] [--keep]
//                              [--cli-node-flags="--max-old-space-size=128"]
//                              [--checks-zones 10000] [--checks-only]
//                              [--lossy [--lossy-n 100000] [--lossy-settings 50,100,200,400,auto]
//                               [--rate-limit 2000] [--rate-action drop|refuse] [--loss 0.01] [--seed 19]]
// Exit 0 when every figure was measured (missed targets included), 2 on a harness failure.
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../src/audit.js';
import { renderChecks, runChecksBench } from './bench/checks.js';
import { killAllCliRuns } from './bench/cli-run.js';
import { killAllChildren } from './bench/ipc.js';
import { lossyFlags, runLossyFlags } from './bench/lossy-flags.js';
import { removeTmpDirs, runBench } from './bench/run.js';
import { renderTable } from './bench/table.js';

const USAGE =
  'usage: node dist/scripts/bench.js [--n 100000] [--zones 1000] [--concurrency N] [--window 256]\n' +
  '       [--skip-full] [--skip-cli] [--jobs N] [--probe-threads N] [--formats json,table] [--json] [--cpu-prof DIR]\n' +
  '       [--keep] [--cli-node-flags="--flag ..."] [--checks-zones 10000] [--checks-only]\n';

function parse() {
  try {
    return parseArgs({
      options: {
        n: { type: 'string', default: '100000' },
        zones: { type: 'string', default: '1000' },
        concurrency: { type: 'string', default: String(DEFAULTS.concurrency) },
        window: { type: 'string', default: '256' },
        'skip-full': { type: 'boolean', default: false },
        'skip-cli': { type: 'boolean', default: false },
        jobs: { type: 'string', default: '1' },
        'probe-threads': { type: 'string' },
        formats: { type: 'string' },
        json: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        'cli-node-flags': { type: 'string' },
        keep: { type: 'boolean', default: false },
        'checks-zones': { type: 'string', default: '10000' },
        'checks-only': { type: 'boolean', default: false },
        ...lossyFlags,
      },
    });
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values } = parse();

function int(name: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`bench: --${name} must be an integer from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
}

/** --formats: whole-document formats to time beside the streamed NDJSON (json, table). */
function formats(value: string | undefined): ('json' | 'table')[] {
  const list = (value ?? '').split(',').filter(Boolean);
  for (const f of list)
    if (f !== 'json' && f !== 'table') {
      process.stderr.write(`bench: --formats takes json and/or table, not ${JSON.stringify(f)}\n`);
      process.exit(2);
    }
  return list as ('json' | 'table')[];
}

// An interrupt must not leave a responder, a web server or a CLI run behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllCliRuns();
    killAllChildren();
    removeTmpDirs();
    process.stderr.write(`\nbench: ${signal}, children stopped\n`);
    process.exit(130);
  });
}
process.once('exit', () => {
  killAllCliRuns();
  killAllChildren();
});

// --lossy: only the slow, lossy network's comparison (scripts/bench/lossy.ts).
if (values.lossy) process.exit(await runLossyFlags(values, values.json));
const n = int('n', values.n, 1, 10_000_000);
const cpuProfDir = values['cpu-prof'];
if (cpuProfDir) rmSync(cpuProfDir, { recursive: true, force: true });
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const checksZones = int('checks-zones', values['checks-zones'], 0, 1_000_000);
const concurrency = int('concurrency', values.concurrency, 1, 10_000);
const result = values['checks-only']
  ? null
  : await runBench({
      n,
      zones: Math.min(n, int('zones', values.zones, 1, 10_000_000)),
      concurrency,
      window: int('window', values.window, 1, 30_000),
      skipFull: values['skip-full'],
      skipCli: values['skip-cli'],
      jobs: int('jobs', values.jobs, 1, 256),
      probeThreads:
        values['probe-threads'] === undefined
          ? undefined
          : int('probe-threads', values['probe-threads'], 0, 64),
      formats: formats(values.formats),
      cpuProfDir,
      cliNodeFlags: values['cli-node-flags']?.split(/\s+/).filter(Boolean),
      keep: values.keep,
      log,
    });
// The DNS checks' cost: their own world (a hierarchy of authoritative servers), in this process.
const checks = checksZones > 0 ? await runChecksBench(checksZones, concurrency, log) : null;
if (values.json) process.stdout.write(`${JSON.stringify({ ...(result ?? {}), checks }, null, 2)}\n`);
else process.stdout.write(`${result ? renderTable(result) : ''}${checks ? renderChecks(checks) : ''}`);
process.exitCode = result?.failures.length || checks?.failed ? 2 : 0;
