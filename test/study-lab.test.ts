import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedStudy, labFixture, planWorld } from '../scripts/study/world.js';
import type { AuditDocument } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { type Lab, startLab } from './helpers/lab.js';

// Proof of the study view: a generated portfolio whose table is known by construction (the
// generator decides every provider, stapling and indirect path), audited for real through the
// lab; the table in the summary must equal the generator's figure for figure.

const N = 300;
const plan = planWorld(N);
let lab: Lab;
let doc: AuditDocument;

beforeAll(async () => {
  lab = await startLab(labFixture(plan));
  const run = await runCli(
    ['audit', '-', '--format', 'json', '--dns-checks', 'off', '--timeout', '5000', ...lab.args()],
    { stdin: plan.map((p) => p.domain).join('\n') },
  );
  expect(run.code, run.stderr).toBeLessThan(2);
  doc = JSON.parse(run.stdout) as AuditDocument;
}, 120_000);
afterAll(() => lab?.close());

describe(`the study table of a ${N}-domain lab equals the generator's`, () => {
  it('covers what makes the table interesting', () => {
    const edges = new Set(plan.map((p) => p.edge));
    expect(edges).toContain('shopify'); // two CDNs in series: the union is not the sum
    expect(plan.some((p) => p.zone.stapled)).toBe(true);
    expect(plan.some((p) => p.zone.ca === 'letsencrypt')).toBe(true); // CRL-only
    expect(plan.some((p) => p.zone.dns === 'cloudflare+ns1')).toBe(true); // redundant DNS
  });

  it('every domain audited without error', () => {
    expect(doc.domains).toHaveLength(N);
    expect(doc.domains.filter((d) => d.error).map((d) => `${d.domain} ${d.error?.code}`)).toEqual([]);
  });

  const expected = expectedStudy(plan);
  it.each(expected.layers.map((l) => [l.layer, l] as const))('layer %s', (layer, want) => {
    expect(doc.summary.study?.layers.find((l) => l.layer === layer)).toEqual(want);
  });

  it('amplification', () => {
    expect(doc.summary.study?.amplification).toEqual(expected.amplification);
  });

  it('provider-to-provider dependencies', () => {
    expect(doc.summary.study?.providerDependencies).toEqual(expected.providerDependencies);
  });

  it('the whole table', () => {
    expect(doc.summary.study).toEqual(expected);
  });
});
