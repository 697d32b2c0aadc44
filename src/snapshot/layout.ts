import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';

// Snapshots too large to be one string (V8 stops at 512 MiB; a JSON snapshot of ~70k domains)
// are read a line at a time, relying on the layout every JSON document of ours has: what
// JSON.stringify(value, null, 2) writes (report/json.ts). Each top-level member is parsed on its
// own and each item of a top-level array (`domains`) too, so no string grows with the list. A
// document laid out otherwise is refused with the line where the layout broke.

/** A line longer than this is not from our layout (whose lines are a few hundred bytes). */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;
const LAYOUT =
  'a document this large is read a line at a time, so it must be laid out as singlepath writes ' +
  'JSON: two-space indent, one member per line';

/** The document is not laid out as our writer lays it out (its JSON may still be valid). */
export class LayoutError extends InputError {}

/** The lines of a file (split at '\n', UTF-8), read synchronously a MiB at a time. */
export function* readLinesSync(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let carry: Buffer[] = [];
    let carried = 0;
    let line = 1;
    for (;;) {
      const n = readSync(fd, buf, 0, READ_BYTES, null);
      if (n === 0) break;
      const view = buf.subarray(0, n);
      let start = 0;
      for (let nl = view.indexOf(10); nl !== -1; nl = view.indexOf(10, start)) {
        const part = view.subarray(start, nl);
        yield (carried > 0 ? Buffer.concat([...carry, part]) : part).toString('utf8');
        carry = [];
        carried = 0;
        start = nl + 1;
        line++;
      }
      if (start < n) {
        carried += n - start;
        if (carried > MAX_LINE_BYTES)
          throw new LayoutError(`${path}:${line}: a line longer than ${MAX_LINE_BYTES} bytes (${LAYOUT})`);
        // A copy: the read buffer is reused.
        carry.push(Buffer.from(view.subarray(start)));
      }
    }
    if (carried > 0) yield Buffer.concat(carry).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const MEMBER = /^ {2}("(?:[^"\\]|\\.)*"): (.*)$/;
const ITEM = /^ {4}\S/;

type State = 'start' | 'members' | 'array' | 'item' | 'value' | 'done';

/**
 * A JSON object in the two-space layout, fed a line at a time: `push` each line, then `finish`.
 * The JSON is checked as JSON.parse would (commas and brackets included); a broken layout throws
 * LayoutError, anything else InputError, each naming `source` and the line.
 */
export class LaidOutJson {
  readonly #source: string;
  readonly #doc: Record<string, unknown> = {};
  #state: State = 'start';
  #key = '';
  #array: unknown[] = [];
  /** Lines of the item or member value being collected, and the line that closes it. */
  #lines: string[] = [];
  #closer = '';
  #startLine = 0;
  #line = 0;
  /** Whether the member or item before ended with a comma (undefined: there was none). */
  #comma: boolean | undefined;

  readonly #onItem?: (member: string, item: unknown) => boolean;

  /**
   * `onItem`, when given, sees each item of a top-level array as it is read; the items it takes
   * (returning true) are not kept in the array, so a reader can count or pass on a million.
   */
  constructor(source: string, onItem?: (member: string, item: unknown) => boolean) {
    this.#source = source;
    this.#onItem = onItem;
  }

  push(raw: string): void {
    this.#line++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    switch (this.#state) {
      case 'start':
        if (line.trim() === '') return;
        if (line !== '{') this.#fail('expected "{" alone on the first line');
        this.#state = 'members';
        this.#comma = undefined;
        return;
      case 'members':
        this.#member(line);
        return;
      case 'array':
        if (line === '  ]' || line === '  ],') {
          this.#close(line);
          this.#set(this.#key, this.#array);
          this.#array = [];
          this.#state = 'members';
        } else if (!ITEM.test(line)) this.#fail('expected an item of the array, indented by 4');
        else {
          this.#next();
          const text = this.#trail(line);
          if (text === '    {' || text === '    [')
            this.#collect(text, 'item', text.endsWith('{') ? '    }' : '    ]');
          else this.#item(this.#parse(text, this.#line));
        }
        return;
      case 'item':
      case 'value': {
        // Lines inside keep their commas; the closing line's belongs to the item or member.
        if (line !== this.#closer && line !== `${this.#closer},`) {
          this.#lines.push(line);
          return;
        }
        this.#lines.push(this.#trail(line));
        const value = this.#parse(this.#lines.join('\n'), this.#startLine);
        if (this.#state === 'item') {
          this.#item(value);
          this.#state = 'array';
        } else {
          this.#set(this.#key, value);
          this.#state = 'members';
        }
        return;
      }
      case 'done':
        if (line.trim() !== '') this.#fail('text after the end of the document');
    }
  }

  finish(): Record<string, unknown> {
    if (this.#state !== 'done') this.#fail('the document ends early');
    return this.#doc;
  }

  #member(line: string): void {
    if (line === '}') {
      this.#close(line);
      this.#state = 'done';
      return;
    }
    const m = MEMBER.exec(line);
    if (!m) this.#fail('expected a member "name": value, indented by 2');
    this.#next();
    this.#key = this.#parse(m[1]!, this.#line) as string;
    const value = this.#trail(m[2]!);
    if (value === '[') {
      this.#state = 'array';
      this.#comma = undefined;
    } else if (value === '{') this.#collect('{', 'value', '  }');
    else this.#set(this.#key, this.#parse(value, this.#line));
  }

  #item(value: unknown): void {
    if (!this.#onItem?.(this.#key, value)) this.#array.push(value);
  }

  /** The line without its trailing comma, noted for the next member or item (or closer). */
  #trail(text: string): string {
    this.#comma = text.endsWith(',');
    return this.#comma ? text.slice(0, -1) : text;
  }

  /** A member or item starts: the one before must have ended with a comma. */
  #next(): void {
    if (this.#comma === false) this.#invalid("expected ',' at the end of the line before");
  }

  /** A bracket closes: the member or item before must not end with a comma. */
  #close(line: string): void {
    if (this.#comma === true) this.#invalid(`a ',' before the closing ${line.trim()[0]}`);
    this.#comma = line.endsWith(',');
  }

  #collect(first: string, state: 'item' | 'value', closer: string): void {
    this.#lines = [first.trim()];
    this.#closer = closer;
    this.#startLine = this.#line;
    this.#state = state;
  }

  /** A member of the document (defined, so that "__proto__" is a key like any other). */
  #set(key: string, value: unknown): void {
    Object.defineProperty(this.#doc, key, { value, enumerable: true, writable: true, configurable: true });
  }

  #parse(text: string, line: number): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      this.#invalid(`not JSON (${(err as Error).message})`, line);
    }
  }

  #invalid(what: string, line = this.#line): never {
    throw new InputError(`${this.#source}:${line}: ${what}`);
  }

  #fail(what: string): never {
    throw new LayoutError(`${this.#source}:${this.#line}: ${what} (${LAYOUT})`);
  }
}
