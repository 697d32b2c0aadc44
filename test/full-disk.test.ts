import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Issue 21 item 6: a journal or temporary folder that runs out of room (here a file size limit,
// `ulimit -f`: writes past it fail with EFBIG, as on a full disk with ENOSPC) costs resumability
// or memory, never the run. stdout is a pipe, which the limit does not touch.

const N = 40;
const dir = mkdtempSync(join(tmpdir(), 'singlepath-full-'));
let lab: Lab;
beforeAll(async () => {
  lab = await startLab({
    zones: ['full.test'],
    records: Array.from({ length: N }, (_, i) => ({ name: `d${i}.full.test`, type: 'A', data: '192.0.2.7' })),
    sites: {},
  });
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

const LIST = Array.from({ length: N }, (_, i) => `d${i}.full.test`).join('\n');

/** The CLI under `ulimit -f BLOCKS` (512-byte blocks in dash), the list on stdin. */
function limited(blocks: number, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', `ulimit -f ${blocks}; exec "$0" "$@"`, process.execPath, BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', SINGLEPATH_LOOPBACK_ONLY: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(LIST);
  });
}

const lab_ = () => ['--no-http', '--resolver', lab.resolver, '--timeout', '500', '-q'];

describe('no room for the journal or the temporary file', () => {
  it('the journal fills up: one warning, the run goes on, every domain reported, exit 0', async () => {
    const journal = join(dir, 'run.journal');
    const run = await limited(8, ['audit', '-', '--format', 'json', '--journal', journal, ...lab_()]);
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/cannot write journal/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot write journal .*run\.journal: EFBIG; going on without it/);
    expect(JSON.parse(run.stdout).domains).toHaveLength(N);
  });

  it('the temporary file of kept results fills up: one warning, the rest kept in memory, nothing lost', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    const run = await limited(16, ['audit', '-', '--format', 'json', ...lab_()], {
      TMPDIR: tmp,
      SINGLEPATH_SPILL_AFTER: '0',
    });
    expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.match(/cannot write the results kept in a temporary file/g)).toHaveLength(1);
    const names = JSON.parse(run.stdout).domains.map((d: { domain: string }) => d.domain);
    expect(names).toHaveLength(N);
    expect(names).toEqual([...names].sort());
  });
});
