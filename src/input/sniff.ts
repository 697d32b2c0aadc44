import { InputError } from '../errors.js';

// A domain list is text. A compressed or binary file given by mistake would otherwise be read as
// thousands of "skipped" junk lines: refuse it in one line, saying what it looks like.

const SIGNATURES: [string, number[], string][] = [
  ['gzip', [0x1f, 0x8b], 'gunzip -c FILE | singlepath audit'],
  ['bzip2', [0x42, 0x5a, 0x68], 'bunzip2 -c FILE | singlepath audit'],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz -dc FILE | singlepath audit'],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd], 'zstd -dc FILE | singlepath audit'],
  ['zip', [0x50, 0x4b, 0x03, 0x04], 'unzip -p FILE | singlepath audit'],
];

/** Why these first bytes are not a text list, or undefined when they may be one. */
export function notText(head: Uint8Array): string | undefined {
  for (const [kind, magic, hint] of SIGNATURES)
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b))
      return `is ${kind}-compressed, not a text list (decompress it first: ${hint})`;
  // NUL never occurs in text (UTF-8 or ASCII); a UTF-16 text has one in every other byte, an
  // executable or image many. A stray junk line among good ones has a few: its line is reported
  // and the others audited, so only a head that is more than 1% NUL is refused whole.
  const limit = Math.min(head.length, 4096);
  let nul = 0;
  for (let i = 0; i < limit; i++) if (head[i] === 0) nul++;
  if (nul > 0 && nul * 100 > limit) return 'is a binary file, not a text list (one domain per line, UTF-8)';
  return undefined;
}

/** The stream as it is, after a look at its first chunk: an InputError if it is not text. */
export async function* textOnly(
  stream: AsyncIterable<Buffer | string>,
  name: string,
): AsyncGenerator<Buffer | string> {
  let first = true;
  for await (const chunk of stream) {
    if (first && typeof chunk !== 'string') {
      const why = notText(chunk);
      if (why) throw new InputError(`${name} ${why}`);
    }
    first = false;
    yield chunk;
  }
}
