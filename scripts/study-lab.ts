// `node dist/scripts/study-lab.js [--n 100000] [--concurrency 50] [--keep]`: the proof of the
// study view at scale. Generates a lab portfolio whose IMC 2020 table is known by construction
// (scripts/study/world.ts), serves it from the loopback lab in this process, audits it with the
// real CLI (a child process: wall time and peak RSS measured from outside), and compares the
// table in the summary with the generator's, figure for figure. Exit 0 when equal, 1 when not,
// 2 on a harness failure. Nothing leaves 127.0.0.0/8: revocation hosts are resolved in the lab.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { packageRoot } from '../src/package-root.js';
import type { Summary } from '../src/types.js';
import { startLab } from '../test/helpers/lab.js';
import { runCli } from './bench/cli-run.js';
import { expectedStudy, labFixture, planWorld } from './study/world.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
  },
});
const n = Number(values.n);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('usage: node dist/scripts/study-lab.js [--n 100000] [--concurrency 50] [--keep]\n');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(`study-lab: ${line}\n`);

/** The summary: the last line of an NDJSON result (read from the end, the file may be large). */
function lastLine(path: string): string {
  const size = statSync(path).size;
  const len = Math.min(size, 64 * 1024 * 1024);
  const buf = Buffer.alloc(len);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString('utf8').trimEnd();
  return text.slice(text.lastIndexOf('\n') + 1);
}

const root = packageRoot();
const tmp = mkdtempSync(join(tmpdir(), 'singlepath-study-'));
let t = performance.now();
const plan = planWorld(n);
const expected = expectedStudy(plan);
const lab = await startLab(labFixture(plan));
const list = join(tmp, 'domains.txt');
writeFileSync(list, `${plan.map((p) => p.domain).join('\n')}\n`);
log(`${n} domains generated and served in ${Math.round(performance.now() - t)} ms`);
const out = join(tmp, 'result.ndjson');
t = performance.now();
let code = 2;
try {
  const run = await runCli({
    root,
    tmpDir: tmp,
    maxMs: 3_600_000,
    args: [
      'audit',
      list,
      '--format',
      'ndjson',
      '-o',
      out,
      '--dns-checks',
      'off',
      '--timeout',
      '10000',
      '--concurrency',
      String(concurrency),
      '--fail-on-errors',
      '100%',
      ...lab.args(),
    ],
  });
  const summary = JSON.parse(lastLine(out)) as Summary & { type: string };
  if (summary.type !== 'summary') throw new Error('the last NDJSON line is not the summary');
  const study = summary.study;
  const mismatches: string[] = [];
  if (study?.domains !== expected.domains) mismatches.push(`domains ${study?.domains} ≠ ${expected.domains}`);
  for (const want of expected.layers) {
    const got = study?.layers.find((l) => l.layer === want.layer);
    if (!isDeepStrictEqual(got, want))
      mismatches.push(`layer ${want.layer}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
  }
  if (!isDeepStrictEqual(study?.amplification, expected.amplification))
    mismatches.push('amplification differs');
  if (!isDeepStrictEqual(study?.providerDependencies, expected.providerDependencies))
    mismatches.push('provider-to-provider dependencies differ');
  const line = {
    domains: n,
    failed: summary.failed,
    exitCode: run.code,
    wallSec: Math.round(run.elapsedMs / 100) / 10,
    domainsPerSec: Math.round(n / (run.elapsedMs / 1000)),
    peakRssMb: run.peakRssMb,
    cpuSec: run.cpuSec,
    tableEqual: mismatches.length === 0,
  };
  process.stdout.write(`${JSON.stringify(line, null, 2)}\n`);
  for (const m of mismatches) log(`MISMATCH ${m}`);
  if (mismatches.length === 0) {
    const cell = (l: (typeof expected.layers)[number]) =>
      `${String(l.layer).padEnd(6)} third party ${l.thirdParty}  critical ${l.critical}  redundant ${l.redundant}  HHI ${l.hhi}`;
    for (const l of expected.layers) log(cell(l));
  }
  code = mismatches.length === 0 && run.code !== null && run.code < 2 ? 0 : 1;
} catch (err) {
  log(`failed: ${(err as Error).stack ?? err}`);
} finally {
  await lab.close();
  if (values.keep) log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  log(`done in ${Math.round((performance.now() - t) / 1000)} s`);
}
process.exitCode = code;
