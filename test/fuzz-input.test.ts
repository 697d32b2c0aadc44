import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ListAccumulator, parseDomainLine, parseDomainList } from '../src/input/parse.js';

// Property-based: the domain-list parser takes any text and yields valid host names or
// line-numbered problems; it never throws and never echoes a control character.

let cases = 0;
afterAll(() => console.log(`fuzz-input: ${cases} cases`));

const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/),
  fc.constantFrom('xn--bcher-kva', 'bücher', 'ÉCOLE', 'münchen', 'пример', '例え', 'a_b', '-bad', 'bad-', ''),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const name = fc.array(label, { minLength: 1, maxLength: 5 }).map((ls) => ls.join('.'));
const decorated = fc
  .tuple(
    fc.constantFrom('', ' ', '\t', '\uFEFF', 'https://', 'http://user:pw@', 'ftp://', '*.', '[', '//'),
    name,
    fc.constantFrom(
      '',
      '.',
      ':443',
      ':99999',
      '/path?q=1',
      ']',
      ' # comment',
      '#x',
      ' extra',
      '\r',
      '\u0000',
    ),
  )
  .map(([a, b, c]) => a + b + c);
const line = fc.oneof(
  { weight: 4, arbitrary: decorated },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.ipV4() },
  { weight: 1, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.domain() },
  { weight: 1, arbitrary: fc.webUrl() },
);

describe('parseDomainLine (property)', () => {
  it('any line: a valid host name that parses back to itself, a skip, or a problem with a clean preview', () => {
    fc.assert(
      fc.property(line, (text) => {
        cases++;
        const r = parseDomainLine(text);
        if ('domain' in r) {
          expect(r.domain).toMatch(HOST);
          expect(r.domain).not.toMatch(/^\d+(\.\d+){3}$/);
          expect(parseDomainLine(r.domain)).toEqual(r);
        } else if ('problem' in r) {
          expect(r.problem.text.length).toBeLessThanOrEqual(80);
          expect(r.problem.text).not.toMatch(CONTROL);
          expect(r.problem.reason).toBeTruthy();
        } else {
          expect(r).toEqual({ skip: true });
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('fast-check domains and web URLs are accepted as their lower-case host', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.domain(),
          fc.webUrl().map((u) => new URL(u).hostname),
        ),
        (host) => {
          cases++;
          const r = parseDomainLine(host);
          // fc.domain() may end in a numeric-looking TLD or exceed 253: those are problems, not crashes.
          if ('domain' in r) expect(r.domain).toBe(host.toLowerCase().replace(/\.$/, ''));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseDomainList and ListAccumulator (property)', () => {
  it('every line is accounted for: a new domain, a duplicate, a problem or a skip', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), (lines, eol) => {
        cases++;
        const text = lines.map((l) => l.replace(/[\r\n]/g, '')).join(eol);
        const list = parseDomainList(text);
        const total = text.split(/\r?\n/).length;
        const skipped = text.split(/\r?\n/).filter((l) => 'skip' in parseDomainLine(l)).length;
        expect(list.domains.length + list.duplicates + list.problems.length + skipped).toBe(total);
        expect(new Set(list.domains).size).toBe(list.domains.length);
        for (const p of list.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(total);
        }
        // Streaming the same lines one by one gives the same result.
        const acc = new ListAccumulator();
        for (const [i, l] of text.split(/\r?\n/).entries()) acc.add(l, i + 1);
        expect(acc.result()).toEqual(list);
      }),
      { numRuns: 800 },
    );
  });
});
