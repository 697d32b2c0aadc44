import { describe, expect, it } from 'vitest';
import { listSource } from '../src/cli/list-source.js';
import { InputError } from '../src/errors.js';

// What `audit` reads: a list file, stdin, or the domains given as arguments.

describe('listSource', () => {
  it('nothing given: stdin when it is a pipe, a usage error on a terminal', () => {
    expect(listSource([], false)).toBe('-');
    expect(() => listSource([], true)).toThrow(InputError);
    expect(() => listSource([], true)).toThrow(/pipe a list on stdin/);
  });

  it('one path-like argument is a list file, - is stdin', () => {
    expect(listSource(['-'], true)).toBe('-');
    expect(listSource(['/nonexistent/domains.txt'], true)).toBe('/nonexistent/domains.txt');
    expect(listSource(['domains.txt'], true)).toBe('domains.txt');
    expect(listSource(['package.json'], true)).toBe('package.json');
  });

  it('host names and URLs are the domains themselves', () => {
    expect(listSource(['example.com'], true)).toEqual({ name: 'arguments', text: 'example.com\n' });
    expect(listSource(['example.com', 'https://www.example.org/cart'], true)).toEqual({
      name: 'arguments',
      text: 'example.com\nhttps://www.example.org/cart\n',
    });
  });

  it('a file among names is refused, naming it', () => {
    expect(() => listSource(['example.com', 'more.txt'], true)).toThrow(/"more\.txt" is not a domain name/);
  });
});
