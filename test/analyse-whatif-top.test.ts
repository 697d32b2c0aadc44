import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarise } from '../src/analyse/portfolio.js';
import { topProviders } from '../src/analyse/study.js';
import { whatIf } from '../src/analyse/whatif.js';
import type { AuditDocument, DomainResult, IndirectDependency } from '../src/types.js';
import { runCli } from './helpers/cli.js';
import { result } from './helpers/results.js';

// whatif --top K --layer L: the K providers most domains critically depend on at a layer fail
// together, at that layer only (cloudflare's DNS, not its CDN).

const via = (cdn: string, provider: string, zone: string): IndirectDependency => ({
  layer: 'dns',
  provider,
  indirect: true,
  through: { layer: 'cdn', provider: cdn },
  zone,
  depth: 1,
  path: [`cdn: ${cdn}`, `dns of ${zone}`],
  evidence: [],
});

const results: DomainResult[] = [
  result('a.test', [
    ['dns', 'cloudflare'],
    ['cdn', 'fastly'],
  ]),
  result('b.test', [['dns', 'cloudflare']]),
  result('c.test', [
    ['dns', 'aws'],
    ['cdn', 'cloudflare'],
  ]),
  result('d.test', [['dns', 'godaddy']]),
  {
    ...result('e.test', [
      ['dns', 'self'],
      ['cdn', 'akamai'],
    ]),
    indirect: [via('akamai', 'aws', 'akamaiedge.net')],
  },
];

describe('topProviders', () => {
  it('ranks by critically dependent domains at the layer', () => {
    const study = summarise(results).study!;
    expect(topProviders(study, 'dns', 2)).toEqual(['cloudflare', 'aws']);
    expect(topProviders(study, 'dns', 10)).toEqual(['cloudflare', 'aws', 'godaddy']);
  });
});

describe('whatIf scoped to a layer', () => {
  it('fails the providers at that layer only, their indirect DNS role included', () => {
    const r = whatIf(results, ['cloudflare', 'aws'], undefined, { layer: 'dns' });
    expect(r.layer).toBe('dns');
    expect(r.down.map((d) => `${d.domain}:${d.layers.join('+')}`)).toEqual([
      'a.test:dns',
      'b.test:dns',
      'c.test:dns',
    ]);
    expect(r.downIndirect?.map((d) => d.domain)).toEqual(['e.test']);
    expect(r.unaffected).toEqual(['d.test']);
  });

  it('at the cdn layer, cloudflare’s DNS stays up', () => {
    const r = whatIf(results, ['cloudflare'], undefined, { layer: 'cdn' });
    expect(r.down.map((d) => `${d.domain}:${d.layers.join('+')}`)).toEqual(['c.test:cdn']);
  });

  it('agrees with the study: down at the layer = the top-k union when no domain is redundant across them', () => {
    const study = summarise(results).study!;
    const dns = study.layers.find((l) => l.layer === 'dns')!;
    for (const k of [1, 2, 3]) {
      const r = whatIf(results, topProviders(study, 'dns', k), undefined, { layer: 'dns' });
      expect(r.down.length).toBe(dns.concentration[k - 1]!.critical);
    }
  });
});

describe('singlepath whatif --top K --layer L', () => {
  const golden = new URL('../samples/golden-snapshot.json', import.meta.url).pathname;

  it('names the providers it chose and fails them at the layer', async () => {
    const run = await runCli(['whatif', '--top', '2', '--layer', 'cloud', golden, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const doc = JSON.parse(readFileSync(golden, 'utf8')) as AuditDocument;
    const cloud = doc.summary.study!.layers.find((l) => l.layer === 'cloud')!;
    expect(out.providers).toEqual(['aws', 'google']);
    expect(out.layer).toBe('cloud');
    expect(out.down.length).toBe(cloud.concentration[1]!.critical);
    const md = await runCli(['whatif', '--top', '2', '--layer', 'cloud', golden, '--format', 'markdown']);
    expect(md.stdout.split('\n')[0]).toBe('# What if the top 2 cloud providers (aws + google) fail?');
  });

  it('refuses --top without --layer, and neither --provider nor --top (exit 2)', async () => {
    expect((await runCli(['whatif', '--top', '2', golden])).code).toBe(2);
    expect((await runCli(['whatif', golden])).code).toBe(2);
    expect((await runCli(['whatif', '--top', '0', '--layer', 'dns', golden])).code).toBe(2);
    expect((await runCli(['whatif', '--top', '2', '--layer', 'web', golden])).code).toBe(2);
  });
});
