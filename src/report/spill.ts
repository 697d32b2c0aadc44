import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError, plainCode } from '../errors.js';
import type { AuditDocument, DomainResult } from '../types.js';

// A whole-document report of a long list (json, table, csv, markdown, html) needs every result at
// the end, sorted by name. Held as objects they cost ~5 KB each (a million would not fit Node's
// heap); here each goes to a temporary file as one JSON line the moment it is finished, and only
// its name and place in the file stay in memory, in typed arrays and pages of bytes (the name's
// UTF-8 and 24 bytes, 4 more once sorted: ~48 for a 20-character name, where strings and arrays
// of numbers took ~75). The report then reads them back in name order, one at a time, as often as
// its renderer needs.

/**
 * The list of results a report renders: an array (in any order), or results kept on disk, which
 * always come in name order (SpilledResults, and mapResults over one).
 */
export interface ResultList extends Iterable<DomainResult> {
  readonly length: number;
  /** The names in the list's order, without reading the results (lists kept on disk). */
  names?(): string[];
}

/** Marks a ResultList that is not an array (the JSON writer writes it as one). */
export const RESULT_LIST = Symbol.for('singlepath.result-list');

const WRITE_BATCH_CHARS = 1024 * 1024;

export class SpilledResults implements ResultList {
  readonly [RESULT_LIST] = true;
  readonly #dir: string;
  readonly #path: string;
  #fd: number | null;
  readonly #names = new NameStore();
  /** Where each result's line starts in the file, and its length in bytes. */
  readonly #offsets = new Column(Float64Array);
  readonly #lengths = new Column(Uint32Array);
  #size = 0;
  #pending: string[] = [];
  #pendingChars = 0;
  #order: Uint32Array | null = null;
  /** Lines kept in memory once the file could not be written (a full disk): `-(i + 1)` offsets. */
  #memory: string[] | null = null;
  #pendingIndex: number[] = [];
  readonly #warn: ((message: string) => void) | undefined;
  /** The file was removed from its folder at once (POSIX): only the open descriptor holds it. */
  #unlinked = false;
  #exitHook = () => this.close();

  /**
   * Opens the temporary file (in `dir`, by default the system's temporary folder). With `warn`, a
   * write that fails later (a full disk) is said once and the results from there on stay in
   * memory; without it, that is an InputError naming the folder.
   */
  constructor(dir = tmpdir(), warn?: (message: string) => void) {
    this.#warn = warn;
    this.#dir = mkdtempSync(join(dir, 'singlepath-results-'));
    this.#path = join(this.#dir, 'results.ndjson');
    try {
      this.#fd = openSync(this.#path, 'wx+', 0o600);
    } catch (err) {
      rmSync(this.#dir, { recursive: true, force: true });
      throw err;
    }
    // Removed from the folder while open, the file goes with the process however it ends (a
    // signal, a crash). Where an open file cannot be removed (Windows), at exit at least.
    try {
      rmSync(this.#dir, { recursive: true });
      this.#unlinked = true;
    } catch {
      process.once('exit', this.#exitHook);
    }
  }

  get length(): number {
    return this.#names.length;
  }

  names(): string[] {
    return Array.from(this.#sorted(), (i) => this.#names.get(i));
  }

  add(result: DomainResult): void {
    if (this.#order) throw new Error('SpilledResults: add() after the list was read');
    const line = `${JSON.stringify(result)}\n`;
    this.#names.push(String(result.domain));
    if (this.#memory) {
      this.#memory.push(line);
      this.#offsets.push(-this.#memory.length);
      this.#lengths.push(0);
      return;
    }
    const bytes = Buffer.byteLength(line);
    this.#pendingIndex.push(this.#offsets.length);
    this.#offsets.push(this.#size);
    this.#lengths.push(bytes);
    this.#size += bytes;
    this.#pending.push(line);
    this.#pendingChars += line.length;
    if (this.#pendingChars >= WRITE_BATCH_CHARS) this.#flush();
  }

  /** The results in name order (as buildDocument sorts them), each read and parsed as it comes. */
  *[Symbol.iterator](): Iterator<DomainResult> {
    const fd = this.#open();
    const order = this.#sorted();
    let buf = Buffer.allocUnsafe(64 * 1024);
    for (const i of order) {
      const offset = this.#offsets.get(i);
      if (offset < 0) {
        yield JSON.parse(this.#memory![-offset - 1]!) as DomainResult;
        continue;
      }
      const length = this.#lengths.get(i);
      if (length > buf.length) buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, buf, got, length - got, this.#offsets.get(i) + got);
        if (n === 0) throw new Error(`${this.#path}: ends before result ${i + 1}`);
        got += n;
      }
      yield JSON.parse(buf.toString('utf8', 0, length)) as DomainResult;
    }
  }

  /** Removes the temporary file; the list is empty afterwards. */
  close(): void {
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
    if (this.#unlinked) return;
    process.off('exit', this.#exitHook);
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #open(): number {
    if (this.#fd === null) throw new Error('SpilledResults: read after close()');
    this.#flush();
    return this.#fd;
  }

  #sorted(): Uint32Array {
    if (!this.#order) {
      const names = this.#names;
      const order = new Uint32Array(names.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => names.compare(a, b) || a - b);
      this.#order = order;
    }
    return this.#order;
  }

  #flush(): void {
    if (this.#fd === null || this.#pending.length === 0) return;
    const data = Buffer.from(this.#pending.join(''));
    const lines = this.#pending;
    const indexes = this.#pendingIndex;
    this.#pending = [];
    this.#pendingIndex = [];
    this.#pendingChars = 0;
    try {
      for (let at = 0; at < data.length; ) at += writeSync(this.#fd, data, at);
    } catch (err) {
      // Also when the last results are written as the report starts reading (a full disk).
      const code = (err as NodeJS.ErrnoException).code;
      const where = dirname(this.#dir);
      const problem = `cannot write the results kept in a temporary file in ${where}: ${code}`;
      if (!code) throw err;
      if (!this.#warn) throw new InputError(problem);
      // What reached the file stays readable there; this batch and every later result are kept
      // in memory: a full temporary folder costs memory, never a result.
      this.#warn(
        `singlepath: warning: ${problem}; holding the results from here on in memory (~5 KB each)\n`,
      );
      this.#memory = [];
      for (let k = 0; k < lines.length; k++) {
        this.#memory.push(lines[k]!);
        this.#offsets.set(indexes[k]!, -this.#memory.length);
      }
    }
  }
}

/** Entries a Column holds in each of its typed arrays. */
const COLUMN_CHUNK = 65_536;

type Numbers = Float64Array | Uint32Array;

/** A growing array of numbers in typed arrays of a fixed size: no copy as it grows, no slack past one chunk. */
class Column {
  readonly #chunks: Numbers[] = [];
  readonly #make: new (
    length: number,
  ) => Numbers;
  #length = 0;

  constructor(make: new (length: number) => Numbers) {
    this.#make = make;
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    const at = this.#length % COLUMN_CHUNK;
    if (at === 0) this.#chunks.push(new this.#make(COLUMN_CHUNK));
    this.#chunks[this.#chunks.length - 1]![at] = value;
    this.#length++;
  }

  get(i: number): number {
    return this.#chunks[Math.floor(i / COLUMN_CHUNK)]![i % COLUMN_CHUNK]!;
  }

  set(i: number, value: number): void {
    this.#chunks[Math.floor(i / COLUMN_CHUNK)]![i % COLUMN_CHUNK] = value;
  }
}

/** Bytes in each page of a NameStore; a longer name gets a page of its own size. */
const NAME_PAGE = 1 << 20;

/**
 * Names as UTF-8 in pages of bytes, each found by its page, start and length. Compared as the
 * strings themselves compare (UTF-16 code units), without decoding them: byte order is the same
 * for ASCII, the names there are to compare; past it, the two names are decoded and compared.
 */
class NameStore {
  readonly #pages: Buffer[] = [];
  readonly #page = new Column(Uint32Array);
  readonly #start = new Column(Uint32Array);
  readonly #bytes = new Column(Uint32Array);
  #used = NAME_PAGE;
  /** Names UTF-8 cannot carry as they are (a lone surrogate): kept as strings, by index. */
  readonly #odd = new Map<number, string>();

  get length(): number {
    return this.#start.length;
  }

  push(name: string): void {
    const size = Buffer.byteLength(name);
    // Pure ASCII has as many bytes as characters; anything else is checked to come back whole.
    if (size !== name.length && Buffer.from(name).toString() !== name) this.#odd.set(this.length, name);
    if (this.#used + size > (this.#pages.at(-1)?.length ?? 0)) {
      this.#pages.push(Buffer.allocUnsafe(Math.max(NAME_PAGE, size)));
      this.#used = 0;
    }
    this.#pages.at(-1)!.write(name, this.#used);
    this.#page.push(this.#pages.length - 1);
    this.#start.push(this.#used);
    this.#bytes.push(size);
    this.#used += size;
  }

  get(i: number): string {
    const odd = this.#odd.get(i);
    if (odd !== undefined) return odd;
    const start = this.#start.get(i);
    return this.#pages[this.#page.get(i)]!.toString('utf8', start, start + this.#bytes.get(i));
  }

  /** < 0, 0 or > 0 as name i sorts before, with or after name j (as `<` on the strings). */
  compare(i: number, j: number): number {
    if (this.#odd.size > 0 && (this.#odd.has(i) || this.#odd.has(j)))
      return compareStrings(this.get(i), this.get(j));
    const a = this.#pages[this.#page.get(i)]!;
    const b = this.#pages[this.#page.get(j)]!;
    const x = this.#start.get(i);
    const y = this.#start.get(j);
    const m = this.#bytes.get(i);
    const n = this.#bytes.get(j);
    for (let k = 0; k < m && k < n; k++) {
      const p = a[x + k]!;
      const q = b[y + k]!;
      if (p === q) continue;
      if (p < 0x80 && q < 0x80) return p - q;
      return compareStrings(this.get(i), this.get(j));
    }
    return m - n;
  }
}

function compareStrings(s: string, t: string): number {
  return s < t ? -1 : s > t ? 1 : 0;
}

/** `list` with `fn` applied to each result as it is read (a list kept on disk stays there). */
export function mapResults(list: ResultList, fn: (r: DomainResult) => DomainResult): ResultList {
  return {
    [RESULT_LIST]: true,
    length: list.length,
    *[Symbol.iterator]() {
      for (const r of list) yield fn(r);
    },
  } as ResultList;
}

/** What a report renders: a document whose domains may be kept on disk. */
export type ReportDocument = Omit<AuditDocument, 'domains'> & { domains: ResultList };

/** Results held in memory before the rest go to a temporary file. */
export const SPILL_AFTER = 2_000;

/**
 * The results of a report as they come: in memory up to `threshold` (SINGLEPATH_SPILL_AFTER in
 * `env`, else SPILL_AFTER), then all of them in a temporary file under TMPDIR. A temporary folder
 * that cannot be used is an InputError naming it, unless `warn` is given: then it is said once and
 * the results stay in memory (a read-only TMPDIR costs memory, not the run); each keeper says it
 * once. A write that fails later (a full disk) is an InputError naming the folder.
 */
export class ResultKeeper {
  readonly #env: NodeJS.ProcessEnv;
  readonly #warn: ((message: string) => void) | undefined;
  #threshold: number;
  readonly #held: DomainResult[] = [];
  #spilled: SpilledResults | null = null;

  constructor(env: NodeJS.ProcessEnv, warn?: (message: string) => void) {
    this.#env = env;
    this.#warn = warn;
    const given = env.SINGLEPATH_SPILL_AFTER;
    this.#threshold = given !== undefined && /^\d{1,9}$/.test(given) ? Number(given) : SPILL_AFTER;
  }

  /** The results held in memory (all of them unless they went to disk). */
  get held(): DomainResult[] {
    return this.#held;
  }

  /** The results on disk, once past the threshold. */
  get spilled(): SpilledResults | null {
    return this.#spilled;
  }

  get length(): number {
    return this.#spilled?.length ?? this.#held.length;
  }

  add(result: DomainResult): void {
    if (!this.#spilled && this.#held.length >= this.#threshold) {
      this.#spilled = this.#open();
      if (this.#spilled) for (const r of this.#held.splice(0)) this.#spilled.add(r);
      else this.#threshold = Number.POSITIVE_INFINITY;
    }
    if (this.#spilled) this.#spilled.add(result);
    else this.#held.push(result);
  }

  close(): void {
    this.#spilled?.close();
  }

  #open(): SpilledResults | null {
    const dir = this.#env.TMPDIR || tmpdir();
    try {
      return new SpilledResults(dir, this.#warn);
    } catch (err) {
      const problem = `cannot keep results in a temporary folder (${dir}): ${plainCode((err as NodeJS.ErrnoException).code)}`;
      if (!this.#warn) throw new InputError(problem);
      this.#warn(
        `singlepath: warning: ${problem}; holding them in memory (~5 KB each; set TMPDIR to a writable folder)\n`,
      );
      return null;
    }
  }
}
