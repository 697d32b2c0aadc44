import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue, MAX_CATALOGUE_BYTES } from '../src/catalogue/load.js';
import { ConfigError } from '../src/errors.js';

// A user catalogue (--catalog FILE) is config: every mistake is a ConfigError that names the file
// and the JSON path, and a valid one can add providers or replace built-in ones by id.

const dir = mkdtempSync(join(tmpdir(), 'singlepath-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function userFile(content: unknown): string {
  const path = join(dir, `user-${++n}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A user provider; deliberately loose so tests can write what the schema forbids. */
function provider(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'acme-edge', name: 'Acme Edge', signals: {}, ...extra };
}

function loadError(file: string): ConfigError {
  try {
    loadCatalogue({ extraFiles: [file] });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected ${file} to be refused`);
}

describe('a broken user catalogue', () => {
  const cases: [string, unknown, string][] = [
    [
      'a bad regular expression',
      { providers: [provider({ signals: { header: [{ name: 'server', pattern: '(', layer: 'cdn' }] } })] },
      'providers[0].signals.header[0].pattern: invalid regular expression',
    ],
    [
      // Found by the catalogue fuzz test: an empty pattern read as absent and crashed the loader.
      'an empty host pattern',
      { providers: [provider({ signals: { cname: [{ pattern: '', layer: 'cdn' }] } })] },
      'providers[0].signals.cname[0].pattern: expected a regular expression string of 1 to 500 characters',
    ],
    [
      'a bad region regular expression',
      {
        providers: [
          provider({ signals: { cname: [{ suffix: 'acme.example', layer: 'cdn', region: '[' }] } }),
        ],
      },
      'providers[0].signals.cname[0].region: invalid regular expression',
    ],
    [
      'an unknown provider field',
      { providers: [provider({ colour: 'red' })] },
      'providers[0].colour: unknown field',
    ],
    [
      'an unknown signal field',
      { providers: [provider({ signals: { ns: [{ suffix: 'ns.acme.example', weight: 2 }] } })] },
      'providers[0].signals.ns[0].weight: unknown field',
    ],
    [
      'an unknown signal kind',
      { providers: [provider({ signals: { txt: [{ pattern: 'v=spf1' }] } })] },
      'providers[0].signals.txt: unknown signal kind',
    ],
    [
      'a layer an address signal cannot have',
      { providers: [provider({ signals: { asn: [{ asns: [64500], layer: 'ca' }] } })] },
      'providers[0].signals.asn[0].layer: expected "cdn", "cloud", "dns" or "email"',
    ],
    [
      'a bad CIDR block',
      {
        providers: [
          provider({ signals: { cidr: [{ cidrs: ['10.0.0.0/8', '300.1.2.0/24'], layer: 'cdn' }] } }),
        ],
      },
      'providers[0].signals.cidr[0].cidrs[1]: not a CIDR block',
    ],
    [
      'a host signal with both suffix and pattern',
      { providers: [provider({ signals: { mx: [{ suffix: 'mx.acme.example', pattern: 'acme$' }] } })] },
      'providers[0].signals.mx[0]: needs exactly one of "suffix" or "pattern"',
    ],
    [
      'an id that is not a slug',
      { providers: [provider({ id: 'Acme Edge' })] },
      'providers[0].id: expected a lower-case slug',
    ],
    ['an unknown top-level field', { providers: [], version: 2 }, 'version: unknown field'],
    ['a file that is not a catalogue', [1, 2, 3], 'top level: expected {"providers": [...]}'],
  ];

  it.each(cases)('%s names the file and the path', (_what, content, message) => {
    const file = userFile(content);
    const err = loadError(file);
    expect(err.message).toContain(file);
    expect(err.message).toContain(message);
  });

  it('refuses a suffix a built-in provider already claims', () => {
    const file = userFile({
      providers: [provider({ signals: { cname: [{ suffix: 'cloudfront.net', layer: 'cdn' }] } })],
    });
    const err = loadError(file);
    expect(err.message).toContain(file);
    // Rules compile in id order, so the clash is reported from whichever side comes second.
    expect(err.message).toMatch(
      /acme-edge\.signals\.cname\[0\]: suffix "cloudfront\.net" is already claimed by aws|aws\.signals\.cname\[0\]: suffix "cloudfront\.net" is already claimed by acme-edge/,
    );
  });

  it('refuses a suffix overlapping a built-in one', () => {
    const file = userFile({
      providers: [provider({ signals: { cname: [{ suffix: 'edge.cloudfront.net', layer: 'cdn' }] } })],
    });
    expect(loadError(file).message).toMatch(/suffix "edge\.cloudfront\.net" overlaps aws\.signals\.cname/);
  });

  it('refuses an ASN, a CIDR or a header rule of a built-in provider', () => {
    const file = userFile({
      providers: [
        provider({
          signals: {
            asn: [{ asns: [13335], layer: 'cdn' }],
            cidr: [{ cidrs: ['104.16.0.0/24'], layer: 'cdn' }],
            header: [{ name: 'cf-ray', layer: 'cdn' }],
          },
        }),
      ],
    });
    const message = loadError(file).message;
    expect(message).toContain(file);
    expect(message).toContain('cloudflare.signals.asn: AS13335 is already claimed by acme-edge');
    expect(message).toContain('acme-edge.signals.cidr: 104.16.0.0/24 overlaps 104.16.0.0/13 of cloudflare');
    expect(message).toContain('cloudflare.signals.header: "cf-ray" is already claimed by acme-edge');
  });

  it('refuses a relation to an unknown provider', () => {
    const file = userFile({
      providers: [
        provider({ parent: 'nobody', runsOn: [{ provider: 'nowhere', layer: 'cloud', from: 'cdn' }] }),
      ],
    });
    const message = loadError(file).message;
    expect(message).toContain(file);
    expect(message).toContain('acme-edge.parent: unknown provider "nobody"');
    expect(message).toContain('acme-edge.runsOn: unknown provider "nowhere"');
  });

  it('refuses a file over the size limit without parsing it', () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, `{"providers": []${' '.repeat(MAX_CATALOGUE_BYTES)}}`);
    const err = loadError(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain(`over the ${MAX_CATALOGUE_BYTES}-byte limit`);
  });

  it('refuses a file that is not JSON or cannot be read', () => {
    const notJson = userFile('{"providers": [');
    expect(loadError(notJson).message).toContain(`catalogue ${notJson} is not valid JSON`);
    const missing = join(dir, 'missing.json');
    expect(loadError(missing).message).toContain(`cannot read catalogue ${missing}: ENOENT`);
  });
});

describe('a valid user catalogue', () => {
  it('adds an in-house CDN and replaces a built-in provider by id', () => {
    const file = userFile({
      $comment: 'in-house edge and a trimmed Fastly',
      providers: [
        {
          id: 'acme-edge',
          name: 'Acme Edge',
          runsOn: [{ provider: 'aws', layer: 'cloud', from: 'cdn' }],
          domains: ['acme-edge.example'],
          signals: {
            cname: [{ suffix: 'edge.acme-edge.example', layer: 'cdn', region: '^(?<region>[a-z]{3})\\.' }],
            ns: [{ suffix: 'ns.acme-edge.example' }],
            asn: [{ asns: [64500], layer: 'cdn' }],
            header: [{ name: 'x-acme-edge', layer: 'cdn' }],
          },
        },
        {
          id: 'fastly',
          name: 'Fastly (as we see it)',
          signals: { cname: [{ suffix: 'fastly.net', layer: 'cdn', service: 'delivery' }] },
        },
      ],
    });
    const builtin = loadCatalogue();
    const catalogue = loadCatalogue({ extraFiles: [file] });

    expect(catalogue.size).toBe(builtin.size + 1);
    expect(catalogue.matchHost('cname', 'ams.edge.acme-edge.example')).toMatchObject({
      provider: 'acme-edge',
      layer: 'cdn',
      region: 'ams',
    });
    expect(catalogue.matchHost('ns', 'ns1.ns.acme-edge.example')).toMatchObject({ provider: 'acme-edge' });
    expect(catalogue.matchAddress('192.0.2.10', 64500)).toMatchObject({
      provider: 'acme-edge',
      signal: 'asn',
    });
    expect(catalogue.matchHeaders({ 'x-acme-edge': ['pop=ams'] })).toMatchObject([{ provider: 'acme-edge' }]);
    expect(catalogue.runsOn('acme-edge')).toEqual([{ provider: 'aws', layer: 'cloud', from: 'cdn' }]);
    expect(catalogue.ownerOf('acme-edge.example')).toBe('acme-edge');

    // The replaced provider keeps only what the user file says.
    expect(catalogue.providers.get('fastly')?.name).toBe('Fastly (as we see it)');
    expect(catalogue.matchHost('cname', 'x.global.ssl.fastly.net')).toMatchObject({
      provider: 'fastly',
      service: 'delivery',
    });
    expect(builtin.matchAddress('192.0.2.10', 54113)).toMatchObject({ provider: 'fastly' });
    expect(catalogue.matchAddress('192.0.2.10', 54113)).toBeNull();
    expect(catalogue.matchHeaders({ 'x-served-by': ['cache-fra-123-FRA'] })).toEqual([]);
    // Relations of other built-ins to the replaced id still resolve.
    expect(catalogue.runsOn('github')).toContainEqual(expect.objectContaining({ provider: 'fastly' }));
  });
});
