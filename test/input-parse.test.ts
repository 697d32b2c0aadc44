import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, parseDomainLine, parseDomainList } from '../src/input/parse.js';

describe('parseDomainLine', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  Example.COM.  ', 'example.com'],
    ['www.example.com # main site', 'www.example.com'],
    ['https://shop.example.com/cart?x=1', 'shop.example.com'],
    ['http://user:pw@Example.org:8080/', 'example.org'],
    ['api.example.com:443', 'api.example.com'],
    ['example.com/path', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['\uFEFFbom.example.com', 'bom.example.com'],
    ['a-b.c-d.example.co.uk', 'a-b.c-d.example.co.uk'],
  ])('%j -> %s', (line, domain) => {
    expect(parseDomainLine(line)).toEqual({ domain });
  });

  it.each(['', '   ', '# a comment', '   # indented comment'])('skips %j', (line) => {
    expect(parseDomainLine(line)).toEqual({ skip: true });
  });

  it.each([
    ['not a domain', 'contains whitespace'],
    ['localhost', 'not a fully qualified domain name'],
    ['192.0.2.1', 'an IP address, not a domain name'],
    ['[2001:db8::1]:443', 'an IP address, not a domain name'],
    ['-bad.example.com', 'not a valid host name'],
    ['bad_.example.com', 'not a valid host name'],
    ['*.example.com', 'a wildcard, not a host name'],
    [`${'a'.repeat(64)}.example.com`, 'not a valid host name'],
    ['example.123', 'not a valid host name'],
    ['http://[bad', 'not a valid URL'],
  ])('rejects %j (%s)', (line, reason) => {
    const r = parseDomainLine(line);
    expect(r).toHaveProperty('problem.reason', reason);
  });

  it('rejects over-long lines without echoing them whole', () => {
    const r = parseDomainLine('x'.repeat(MAX_LINE_LENGTH + 1));
    expect(r).toHaveProperty('problem.reason', `line longer than ${MAX_LINE_LENGTH} characters`);
    expect((r as { problem: { text: string } }).problem.text.length).toBeLessThanOrEqual(80);
  });

  it('strips control characters from the echoed text', () => {
    const r = parseDomainLine('bad\u001b[31mred\u0007 name');
    expect((r as { problem: { text: string } }).problem.text).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('parseDomainList', () => {
  it('keeps first-seen order, merges duplicates and reports bad lines with numbers', () => {
    const list = parseDomainList(
      [
        '# header',
        'b.example.com',
        'A.example.com',
        '',
        'b.example.com.',
        'bad line',
        'https://a.example.com/',
      ].join('\n'),
    );
    expect(list.domains).toEqual(['b.example.com', 'a.example.com']);
    expect(list.duplicates).toBe(2);
    expect(list.problems).toEqual([{ line: 6, text: 'bad line', reason: 'contains whitespace' }]);
  });

  it('accepts CRLF line ends', () => {
    expect(parseDomainList('a.example.com\r\nb.example.com\r\n').domains).toEqual([
      'a.example.com',
      'b.example.com',
    ]);
  });

  it('never throws and yields only valid, lower-case, ASCII host names (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 30 }), (lines) => {
        const list = parseDomainList(lines.join('\n'));
        for (const d of list.domains) {
          expect(d).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
          expect(d.length).toBeLessThanOrEqual(253);
        }
        for (const p of list.problems) expect(p.line).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});
