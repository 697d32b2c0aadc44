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

/** The lines of a file (split at '\n', UTF-8), read synchronously a MiB at a time. */
export function* readLinesSync(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    let carry: Buffer[] = [];
    let carried = 0;
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
      }
      if (start < n) {
        carried += n - start;
        if (carried > MAX_LINE_BYTES)
          throw new InputError(`${path}: a line longer than ${MAX_LINE_BYTES} bytes`);
        // A copy: the read buffer is reused.
        carry.push(Buffer.from(view.subarray(start)));
      }
    }
    if (carried > 0) yield Buffer.concat(carry).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const MEMBER = /^ {2}("(?:[^"\\]|\\.)*"): (.*?),?$/;
const ITEM = /^ {4}\S/;
const ITEM_END = /^ {4}[}\]],?$/;
const MEMBER_END = /^ {2}[}\]],?$/;

type State = 'start' | 'members' | 'array' | 'item' | 'value' | 'done';

/**
 * A JSON object in the two-space layout, fed a line at a time: `push` each line, then `finish`.
 * Malformed pieces and a broken layout throw InputError naming `source` and the line.
 */
export class LaidOutJson {
  readonly #source: string;
  readonly #doc: Record<string, unknown> = {};
  #state: State = 'start';
  #key = '';
  #array: unknown[] = [];
  /** Lines of the item or member value being collected. */
  #lines: string[] = [];
  #startLine = 0;
  #line = 0;

  constructor(source: string) {
    this.#source = source;
  }

  push(line: string): void {
    this.#line++;
    switch (this.#state) {
      case 'start':
        if (line.trim() === '') return;
        if (line !== '{') this.#fail('expected "{" alone on the first line');
        this.#state = 'members';
        return;
      case 'members':
        this.#member(line);
        return;
      case 'array':
        if (MEMBER_END.test(line)) {
          this.#doc[this.#key] = this.#array;
          this.#array = [];
          this.#state = 'members';
        } else if (!ITEM.test(line)) this.#fail('expected an item of the array, indented by 4');
        else if (/[{[]$/.test(line)) this.#collect(line, 'item');
        else this.#array.push(this.#parse(line.replace(/,$/, ''), this.#line));
        return;
      case 'item':
        this.#lines.push(line);
        if (ITEM_END.test(line)) {
          this.#array.push(this.#parse(this.#lines.join('\n').replace(/,$/, ''), this.#startLine));
          this.#state = 'array';
        }
        return;
      case 'value':
        this.#lines.push(line);
        if (MEMBER_END.test(line)) {
          this.#doc[this.#key] = this.#parse(this.#lines.join('\n').replace(/,$/, ''), this.#startLine);
          this.#state = 'members';
        }
        return;
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
      this.#state = 'done';
      return;
    }
    const m = MEMBER.exec(line);
    if (!m) this.#fail('expected a member "name": value, indented by 2');
    this.#key = this.#parse(m[1]!, this.#line) as string;
    const value = m[2]!;
    if (value === '[') this.#state = 'array';
    else if (value === '{') this.#collect('{', 'value');
    else this.#doc[this.#key] = this.#parse(value, this.#line);
  }

  #collect(first: string, state: 'item' | 'value'): void {
    this.#lines = [first];
    this.#startLine = this.#line;
    this.#state = state;
  }

  #parse(text: string, line: number): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new InputError(`${this.#source}:${line}: not JSON (${(err as Error).message})`);
    }
  }

  #fail(what: string): never {
    throw new InputError(
      `${this.#source}:${this.#line}: ${what} (a document this large is read a line at a time, ` +
        'so it must be laid out as singlepath writes JSON: two-space indent, one member per line)',
    );
  }
}
