import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDocument } from '../src/types.js';
import { ROOT, runCli } from './helpers/cli.js';
import { type Lab, readFixture, startLab } from './helpers/lab.js';

// singlepath.config.json as a team keeps it: defaults below flags, accepted risks with a reason,
// an owner and an expiry, strict validation naming the file and the path of each defect.

let lab: Lab;
const dir = mkdtempSync(join(tmpdir(), 'singlepath-config-'));
const LIST = 'www.adventure-works.org\n';

beforeAll(async () => {
  lab = await startLab(readFixture(join(ROOT, 'samples', 'lab.json')));
});
afterAll(() => lab?.close());

function config(name: string, body: unknown): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'singlepath.config.json');
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return file;
}

const audit = (args: string[], opts: { cwd?: string } = {}) =>
  runCli(['audit', '-', ...lab.args(), ...args], { stdin: LIST, ...opts });

// www.adventure-works.org: medium single-provider dns self, medium single-provider ca letsencrypt,
// low ns-same-network (self-hosted name servers in one /24).
const FUTURE = '2099-12-31';

describe('config file', () => {
  it('is found from the working directory upward and fills defaults; flags win', async () => {
    config('found', { audit: { format: 'json', 'no-http': true } });
    const below = join(dir, 'found', 'a', 'b');
    mkdirSync(below, { recursive: true });
    const run = await audit([], { cwd: below });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.options.http).toBe(false);
    const flag = await audit(['--format', 'csv'], { cwd: below });
    expect(flag.stdout.startsWith('"domain","layer"')).toBe(true);
    const none = await audit(['--no-config'], { cwd: below });
    expect(none.stdout).not.toMatch(/^\{/);
  });

  it('--config FILE: repeatable flags, numbers through their parsers, top-level ownAsns', async () => {
    const file = config('explicit', {
      audit: { format: 'json', timeout: 2500, 'dns-checks': 'off' },
      ownAsns: ['AS64500', 64501],
    });
    const run = await audit(['--config', file]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as AuditDocument;
    expect(doc.options).toMatchObject({ timeoutMs: 2500, ownAsns: [64500, 64501] });
    expect(doc.options.dnsChecks).toBeUndefined();
  });

  it('accepted findings stay in the report, marked, and do not count for --fail-on', async () => {
    const rejected = await audit(['--format', 'json', '--fail-on', 'medium', '--no-config']);
    expect(rejected.code).toBe(1);
    const file = config('accept', {
      accept: [
        {
          kind: 'single-provider',
          domain: '*.adventure-works.org',
          reason: 'self-hosted DNS and one CA are accepted until the 2027 migration',
          owner: 'sre@adventure-works.org',
          expires: FUTURE,
        },
      ],
    });
    const run = await audit(['--config', file, '--format', 'json', '--fail-on', 'medium']);
    expect(run.code, run.stderr).toBe(0);
    const risks = (JSON.parse(run.stdout) as AuditDocument).domains[0]!.risks;
    const accepted = risks.filter((f) => f.accepted);
    expect(accepted.map((f) => f.provider).sort()).toEqual(['letsencrypt', 'self']);
    expect(accepted[0]!.accepted).toEqual({
      reason: 'self-hosted DNS and one CA are accepted until the 2027 migration',
      owner: 'sre@adventure-works.org',
      expires: FUTURE,
    });
    expect(risks.some((f) => f.kind === 'ns-same-network' && !f.accepted)).toBe(true);
    const table = await audit(['--config', file, '--explain']);
    expect(table.stdout).toMatch(/medium single-provider letsencrypt \(ca\) \[accepted\]/);
  });

  it('an expired rule accepts nothing and says so; an unused one is reported', async () => {
    const file = config('stale', {
      accept: [
        { kind: 'single-provider', layer: 'ca', reason: 'old', owner: 'sec', expires: '2020-01-01' },
        { provider: 'akamai', reason: 'never seen here', owner: 'sec', expires: FUTURE },
      ],
    });
    const run = await audit(['--config', file, '--format', 'json', '--fail-on', 'medium']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /accept\[0\] single-provider ca \(owner sec, expires 2020-01-01\) has expired: 1 finding it matched count again/,
    );
    expect(run.stderr).toMatch(
      /accept\[1\] akamai \(owner sec, expires 2099-12-31\) matched no finding in this run; remove it/,
    );
  });

  it.each([
    ['unknown top-level key', { audits: {} }, /singlepath\.config\.json: audits: unknown key/],
    ['unknown flag', { audit: { 'dns-check': 'off' } }, /audit\.dns-check: unknown flag --dns-check/],
    [
      'a number that is not one',
      { audit: { timeout: 'soon' } },
      /audit\.timeout: --timeout must be a whole number/,
    ],
    [
      'a choice not among the choices',
      { audit: { format: 'pdf' } },
      /audit\.format: "pdf" is not one of table, json/,
    ],
    ['a boolean flag given a string', { audit: { quiet: 'yes' } }, /audit\.quiet: expected true or false/],
    [
      'a rule without owner',
      { accept: [{ kind: 'single-provider', reason: 'r', expires: FUTURE }] },
      /accept\[0\]\.owner: required/,
    ],
    [
      'a rule with a bad date',
      { accept: [{ kind: 'x', reason: 'r', owner: 'o', expires: '31/12/2099' }] },
      /accept\[0\]\.expires: expected a date as YYYY-MM-DD/,
    ],
    [
      'a rule that accepts everything',
      { accept: [{ reason: 'r', owner: 'o', expires: FUTURE }] },
      /accept\[0\]: a rule needs at least one of/,
    ],
    [
      'a rule with an unknown layer',
      { accept: [{ layer: 'edge', reason: 'r', owner: 'o', expires: FUTURE }] },
      /accept\[0\]\.layer: expected one of dns/,
    ],
    [
      'the same flag twice',
      { audit: { 'own-asn': [1] }, ownAsns: [2] },
      /audit\.own-asn: set both here and as ownAsns/,
    ],
    ['not JSON', '{ "audit": ', /singlepath\.config\.json: not valid JSON/],
  ])('a bad config (%s) is an error naming the file and the path, exit 2', async (name, body, message) => {
    const file = config(`bad-${name.replace(/\W+/g, '-')}`, body);
    const run = await audit(['--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the JSON Schema shipped in the package is the one the CLI prints', async () => {
    const run = await runCli(['config-schema']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(ROOT, 'singlepath.config.schema.json'), 'utf8'));
    const schema = JSON.parse(run.stdout);
    expect(Object.keys(schema.properties.audit.properties)).toEqual(
      expect.arrayContaining(['dns-checks', 'resolver', 'timeout', 'format', 'fail-on', 'http']),
    );
    expect(schema.properties.audit.properties.config).toBeUndefined();
  });
});
