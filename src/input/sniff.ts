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

/**
 * Why these first bytes are not a text list, or undefined when they may be one. Only the start
 * is judged: a compressor's signature, or a first line that is not text (a NUL or another control
 * byte, or bytes that are not UTF-8). Junk further down is left to the line parser, which reports
 * each bad line and audits the others.
 */
export function notText(head: Uint8Array): string | undefined {
  for (const [kind, magic, hint] of SIGNATURES)
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b))
      return `is ${kind}-compressed, not a text list (decompress it first: ${hint})`;
  const newline = head.indexOf(0x0a);
  const first = head.subarray(0, Math.min(newline < 0 ? head.length : newline, 4096));
  const control = first.some((b) => (b < 0x20 && b !== 0x09 && b !== 0x0d) || b === 0x7f);
  if (control || !validUtf8(first, newline < 0 && first.length === head.length))
    return 'is a binary file, not a text list (one domain per line, UTF-8)';
  return undefined;
}

/** Whether `bytes` are UTF-8; a sequence cut by the end of the chunk is allowed when `open`. */
function validUtf8(bytes: Uint8Array, open: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: open });
    return true;
  } catch {
    return false;
  }
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
