import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../src/catalogue/load.js';
import { classify } from '../src/classify/index.js';
import { type AddressInfo, type CertName, LAYERS, type Observation } from '../src/types.js';

// Property-based: classification against the real catalogue takes any headers, issuer strings,
// host names and addresses (all attacker-controlled) and returns well-formed dependencies,
// deterministically, quickly (no pattern backtracks for long on a 2 KiB header value).

let cases = 0;
afterAll(() => console.log(`fuzz-classify: ${cases} cases`));

const catalogue = loadCatalogue();
const specs = [...catalogue.providers.values()];
const headerNames = [...new Set(specs.flatMap((p) => (p.signals.header ?? []).map((h) => h.name)))];
const suffixes = specs.flatMap((p) =>
  [...(p.signals.cname ?? []), ...(p.signals.ns ?? []), ...(p.signals.mx ?? [])].flatMap((s) =>
    s.suffix ? [s.suffix] : [],
  ),
);
const asns = specs.flatMap((p) => (p.signals.asn ?? []).flatMap((a) => a.asns));
const issuerWords = specs.flatMap((p) =>
  (p.signals.issuer ?? []).flatMap((i) => [i.o, i.cn].filter((x): x is string => !!x)).map(unregex),
);

/** A literal-ish string a regex source would match, to land near real rules. */
function unregex(source: string): string {
  return source.replace(/[\\^$()?:|[\]{}*+]/g, '').slice(0, 60);
}

const nasty = fc.constantFrom(
  '',
  ' ',
  'a'.repeat(2048),
  `${'a'.repeat(2047)}!`,
  '-'.repeat(2048),
  `${'ab'.repeat(1000)}x`,
  '\u0000\u001b[31m\u009b\u202e',
  '=cmd|/C calc!A0',
  '💥'.repeat(500),
  'cloudflare',
  'AmazonS3',
  'nginx',
);
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 2, arbitrary: nasty },
  { weight: 2, arbitrary: fc.constantFrom(...issuerWords) },
);
const hostName = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,15}$/), fc.constantFrom(...suffixes)).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom(...suffixes),
  fc.domain(),
  // Any octets a DNS label may carry; never empty or "." (the parser turns those into the root).
  fc.string({ minLength: 1, maxLength: 40 }).filter((h) => h !== '.'),
);
const address: fc.Arbitrary<AddressInfo> = fc
  .tuple(
    fc.oneof(fc.ipV4(), fc.ipV6()),
    fc.option(fc.oneof(fc.constantFrom(...asns), fc.nat())),
    fc.option(text),
  )
  .map(([ip, asn, org]) => {
    const a: AddressInfo = { ip, family: ip.includes(':') ? 6 : 4 };
    if (asn !== null) a.asn = asn;
    if (org !== null) a.asnOrg = org;
    return a;
  });
const certName: fc.Arbitrary<CertName> = fc
  .record({ O: fc.option(text), CN: fc.option(text) })
  .map(({ O, CN }) => ({ ...(O === null ? {} : { O }), ...(CN === null ? {} : { CN }) }));
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom(...headerNames, 'set-cookie', 'server', 'via'), fc.string({ maxLength: 20 })),
  fc.array(text, { minLength: 1, maxLength: 3 }),
  { maxKeys: 12 },
);
const hostSet = fc.array(
  fc.record({
    host: hostName,
    status: fc.constant('NOERROR' as const),
    addresses: fc.array(address, { maxLength: 3 }),
  }),
  { maxLength: 4 },
);

const observation: fc.Arbitrary<Observation> = fc
  .record({
    domain: fc.oneof(fc.domain(), hostName),
    cnames: fc.array(hostName, { maxLength: 4 }),
    addresses: fc.array(address, { maxLength: 4 }),
    ns: hostSet,
    mx: hostSet,
    headers: fc.option(headers),
    issuer: fc.option(certName),
    subject: fc.option(certName),
  })
  .map((s) => {
    const obs: Observation = {
      domain: s.domain,
      dns: {
        status: 'NOERROR',
        cnames: s.cnames,
        finalName: s.cnames.at(-1) ?? s.domain,
        addresses: s.addresses,
        zone: { apex: s.domain, source: 'soa' },
        ns: { status: 'NOERROR', hosts: s.ns },
        mailDomain: s.domain,
        mx: { status: 'NOERROR', hosts: s.mx.map((h, i) => ({ ...h, priority: i })) },
        queries: 0,
      },
    };
    if (s.headers)
      obs.http = {
        status: 'OK',
        scheme: 'https',
        httpStatus: 200,
        headers: s.headers,
        redirects: [],
        durationMs: 1,
      };
    if (s.issuer) {
      obs.tls = { status: 'OK', issuer: s.issuer, san: [], authorized: false, durationMs: 1 };
      if (s.subject) obs.tls.subject = s.subject;
    }
    return obs;
  });

describe('classify against the real catalogue (property)', () => {
  it('any observation: well-formed dependencies, the same every time, in milliseconds', () => {
    let slowest = 0;
    fc.assert(
      fc.property(observation, fc.array(fc.constantFrom(...asns), { maxLength: 2 }), (obs, ownAsns) => {
        cases++;
        const copy = structuredClone(obs);
        const started = performance.now();
        const deps = classify(obs, catalogue, { ownAsns });
        slowest = Math.max(slowest, performance.now() - started);
        expect(obs).toEqual(copy); // pure: the observation is not touched
        for (const d of deps) {
          expect(LAYERS).toContain(d.layer);
          expect(typeof d.provider).toBe('string');
          expect(d.provider.length).toBeGreaterThan(0);
          expect(d.provider.length).toBeLessThanOrEqual(253);
          expect(Array.isArray(d.evidence)).toBe(true);
          for (const e of d.evidence) expect(typeof e.value).toBe('string');
        }
        expect(classify(copy, catalogue, { ownAsns })).toEqual(deps);
      }),
      { numRuns: 2000 },
    );
    expect(slowest).toBeLessThan(1000);
  });

  it('header values and issuers alone, long and adversarial, against every rule', () => {
    fc.assert(
      fc.property(headers, certName, (h, issuer) => {
        cases++;
        const started = performance.now();
        catalogue.matchHeaders(h);
        catalogue.matchIssuer(issuer);
        expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 2000 },
    );
  });
});
