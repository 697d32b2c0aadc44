import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

// Issue 21 item 5 through the CLI: two names whose old unkeyed 64-bit hash collided (found
// offline; see input-stream.test.ts) are both merged, neither taken for the other's duplicate.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-collision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const X = String.fromCharCode(19971, 891, 97);
const Y = String.fromCharCode(19970, 1651, 54280);
const line = (domain: string) =>
  `${JSON.stringify({ type: 'domain', domain, observations: {}, dependencies: [], risks: [] })}\n`;

describe('a crafted hash collision costs no domain', () => {
  it('merge keeps both names of a colliding pair, and still drops a real duplicate', async () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    writeFileSync(a, line(X));
    writeFileSync(b, line(Y) + line(X));
    const run = await runCli(['merge', a, b, '--format', 'ndjson']);
    expect(run.code, run.stderr).toBe(0);
    const domains = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.type === 'domain')
      .map((r) => r.domain);
    expect(domains).toEqual([X, Y]);
    expect(run.stderr).toContain('appears in an earlier input');
    expect(run.stderr.match(/appears in an earlier input/g)).toHaveLength(1);
  });
});
