// Reports come out in pieces so that no single string grows with the number of domains (V8
// cannot hold a string over 512 MiB, ~70k domains of JSON). Small pieces are joined into runs of
// about 64 KiB first: fewer writes, the same bytes.

const RUN_CHARS = 65536;

export function* batched(pieces: Iterable<string>, runChars = RUN_CHARS): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    parts.push(piece);
    size += piece.length;
    if (size >= runChars) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/** `lines.join(separator) + end`, in pieces. */
export function* joined(lines: Iterable<string>, separator = '\n', end = '\n'): Generator<string> {
  let first = true;
  for (const line of lines) {
    if (!first) yield separator;
    first = false;
    yield line;
  }
  yield end;
}
