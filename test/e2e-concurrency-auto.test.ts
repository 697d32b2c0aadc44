import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, documentOptions } from '../src/audit.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, type LabFixture, startLab } from './helpers/lab.js';

// --concurrency auto against the loopback lab: the same results as a fixed setting, and clear
// errors for values it does not take.
const names = Array.from({ length: 40 }, (_, i) => `d${i}.auto.test`);
const fixture: LabFixture = {
  zones: ['auto.test', 'cloudflare.com'],
  records: [
    { name: 'auto.test', type: 'NS', data: 'ada.ns.cloudflare.com' },
    { name: 'ada.ns.cloudflare.com', type: 'A', data: '173.245.58.61' },
    ...names.map((name, i) => ({ name, type: 'A' as const, data: `104.16.0.${i + 1}` })),
  ],
  sites: {},
};

let lab: Lab;
beforeAll(async () => {
  lab = await startLab(fixture);
});
afterAll(() => lab?.close());

const audit = (concurrency?: string) =>
  runCli(
    [
      'audit',
      '-',
      '--no-http',
      '--format',
      'json',
      ...(concurrency === undefined ? [] : ['--concurrency', concurrency]),
      ...lab.args(),
    ],
    { stdin: names.join('\n') },
  );

describe('--concurrency auto', () => {
  it('audits a list as a fixed concurrency does, and says how its window moved', async () => {
    const [auto, fixed] = [await audit('auto'), await audit('8')];
    expect(auto.code).toBe(0);
    const [a, f] = [JSON.parse(auto.stdout) as AuditDocument, JSON.parse(fixed.stdout) as AuditDocument];
    expect(a.domains.map((d) => d.domain)).toEqual([...names].sort());
    const deps = (doc: AuditDocument) =>
      doc.domains.map((d) => `${d.domain} ${d.error?.code ?? ''} ${d.dependencies.map((x) => x.provider)}`);
    expect(deps(a)).toEqual(deps(f));
    expect(a.domains.every((d) => !d.error)).toBe(true);
    expect(a.options.concurrency).toBe('auto');
    expect(auto.stderr).toMatch(/; concurrency auto: mean \d+, \d+-\d+, \d+ decreases/);
  });

  it('is the CLI default; the library keeps a fixed 50', async () => {
    const run = await audit();
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as AuditDocument).options.concurrency).toBe('auto');
    expect(run.stderr).toMatch(/; concurrency auto: mean \d+/);
    expect(DEFAULTS.concurrency).toBe(50);
    expect(documentOptions({}).concurrency).toBe(50);
  });

  it.each([['0'], ['fast'], ['-3'], ['10001']])(
    '--concurrency %s is a usage error naming the flag',
    async (value) => {
      const run = await audit(value);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--concurrency must be auto or a whole number from 1 to 10000/);
    },
  );
});
