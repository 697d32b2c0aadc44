import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Catalogue } from '../src/catalogue/catalogue.js';
import { builtinCatalogueDir } from '../src/catalogue/load.js';
import { validateCatalogueFile } from '../src/catalogue/validate.js';
import { ConfigError } from '../src/errors.js';

// Property-based: whatever JSON a user catalogue holds, loading it gives a catalogue or a
// ConfigError, never another exception.

let cases = 0;
let accepted = 0;
afterAll(() => console.log(`fuzz-catalogue: ${cases} cases (${accepted} valid catalogues built)`));

/** validateCatalogueFile then the Catalogue constructor, as loadCatalogue does. */
function load(data: unknown): 'ok' | 'config-error' {
  cases++;
  try {
    const file = validateCatalogueFile(data, 'fuzz.json');
    new Catalogue(file.providers, 'fuzz.json');
    accepted++;
    return 'ok';
  } catch (err) {
    if (err instanceof ConfigError) return 'config-error';
    throw err;
  }
}

const builtin = readdirSync(builtinCatalogueDir())
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(builtinCatalogueDir(), f), 'utf8')) as { providers: unknown[] });

const id = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/), fc.string({ maxLength: 12 }));
const regex = fc.oneof(
  fc.constantFrom(
    '^nginx$',
    '(unclosed',
    '[a-',
    '(?<region>[a-z]+)',
    '\\',
    '*',
    '(?<a>x)(?<a>y)',
    'a{2,1}',
    '',
  ),
  fc.string({ maxLength: 20 }),
);
const host = fc.oneof(
  fc.domain(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('cdn.example', 'Upper.Case', '.'),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const field = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: anyJson });
const layer = fc.constantFrom('dns', 'cdn', 'cloud', 'ca', 'email', 'edge', '');

const signal = fc.record(
  {
    suffix: field(host),
    pattern: field(regex),
    region: field(regex),
    service: field(fc.string({ maxLength: 10 })),
    layer: field(layer),
    asns: field(
      fc.array(fc.oneof(fc.integer({ min: -1, max: 5_000_000_000 }), fc.constant(13335)), { maxLength: 3 }),
    ),
    cidrs: field(
      fc.array(fc.oneof(fc.constantFrom('10.0.0.0/8', '2001:db8::/129', '1.2.3.4/33', 'x/8'), fc.string()), {
        maxLength: 3,
      }),
    ),
    name: field(
      fc.oneof(fc.constantFrom('cf-ray', 'server', 'Bad Header', '__cf_bm*'), fc.string({ maxLength: 10 })),
    ),
    weak: field(fc.boolean()),
    o: field(regex),
    cn: field(regex),
    extra: anyJson,
  },
  { requiredKeys: [] },
);
const provider = fc.record(
  {
    id: field(id),
    name: field(fc.string({ maxLength: 12 })),
    parent: field(id),
    domains: field(fc.array(host, { maxLength: 3 })),
    runsOn: field(
      fc.array(fc.record({ provider: field(id), layer: field(layer), from: field(layer) }), { maxLength: 2 }),
    ),
    signals: field(
      fc.dictionary(
        fc.constantFrom('cname', 'ns', 'mx', 'asn', 'cidr', 'header', 'cookie', 'issuer', 'bogus'),
        field(fc.array(signal, { maxLength: 3 })),
        { maxKeys: 4 },
      ),
    ),
  },
  { requiredKeys: ['id', 'name', 'signals'] },
);

describe('catalogue loading (property)', () => {
  it('any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        expect(['ok', 'config-error']).toContain(load(data));
      }),
      { numRuns: 1500 },
    );
  });

  it('catalogue-shaped files with random and wrong fields', () => {
    fc.assert(
      fc.property(
        fc.record(
          { providers: fc.array(provider, { maxLength: 4 }), $comment: fc.option(fc.string()) },
          { requiredKeys: ['providers'] },
        ),
        (data) => {
          expect(['ok', 'config-error']).toContain(load(data));
        },
      ),
      { numRuns: 2500 },
    );
  });

  it('the built-in files with one value replaced or removed', () => {
    const file = fc.constantFrom(...builtin.keys());
    fc.assert(
      fc.property(file, fc.nat(), fc.nat(), fc.option(anyJson), (which, p, k, value) => {
        const data = structuredClone(builtin[which]!) as { providers: Record<string, unknown>[] };
        const target = data.providers[p % data.providers.length]!;
        const signals = target.signals as Record<string, Record<string, unknown>[]>;
        const kinds = Object.keys(signals);
        const kind = kinds[k % Math.max(1, kinds.length)];
        const holder: Record<string, unknown> = kind && signals[kind]?.[0] ? signals[kind][0] : target;
        const key = Object.keys(holder)[k % Object.keys(holder).length]!;
        if (value === null) delete holder[key];
        else holder[key] = value;
        expect(['ok', 'config-error']).toContain(load(data));
      }),
      { numRuns: 1000 },
    );
  });

  it('the built-in catalogue itself loads (the mutations start from something valid)', () => {
    const all = builtin.flatMap((f) => f.providers);
    expect(load({ providers: all })).toBe('ok');
  });
});
