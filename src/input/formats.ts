// Lists that are not one domain per line: a CSV inventory (the domain in a named column of a
// file with a header row) and a DNS zone file (RFC 1035 master format as BIND, Knot, Route 53
// and Cloudflare export it: every owner with an A, AAAA or CNAME record is a domain). Each reads
// one bounded line at a time and says per line what it found or why it skipped it.
// No library here: the one npm zone parser (dns-zonefile) reads the whole file at once and loses
// each record's $ORIGIN when a file changes it part-way, which would put names in the wrong zone.

export type InputFormat = 'list' | 'csv' | 'zone';
export const INPUT_FORMATS: readonly InputFormat[] = ['list', 'csv', 'zone'];

/** What one line gave: candidate names (each then parsed like a list line), or a problem. */
export type LineYield = { names: string[] } | { problem: string };

export interface LineReader {
  push(line: string): LineYield;
  /** Called after the last line: a record left open (a missing ")") is a problem. */
  end(): string | undefined;
}

export function lineReader(format: InputFormat, column?: string): LineReader {
  if (format === 'zone') return new ZoneReader();
  if (format === 'csv') return new CsvReader(column);
  return { push: (line) => ({ names: [line] }), end: () => undefined };
}

/** One CSV record's fields (RFC 4180 quotes; a record is one line here). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

class CsvReader implements LineReader {
  readonly #column: string | undefined;
  #index = -1;

  constructor(column?: string) {
    this.#column = column?.trim().toLowerCase();
  }

  push(line: string): LineYield {
    if (this.#index < 0) {
      const header = csvFields(line.replace(/^\uFEFF/, '')).map((h) => h.trim().toLowerCase());
      const wanted = this.#column ?? 'domain';
      this.#index = header.indexOf(wanted);
      if (this.#index < 0) {
        this.#index = Number.MAX_SAFE_INTEGER;
        return {
          problem: `the header row has no column "${wanted}" (it has: ${header.join(', ').slice(0, 200)})`,
        };
      }
      return { names: [] };
    }
    if (this.#index === Number.MAX_SAFE_INTEGER) return { names: [] };
    if (!line.trim()) return { names: [] };
    const value = csvFields(line)[this.#index];
    return value === undefined ? { problem: `no column ${this.#index + 1} on this row` } : { names: [value] };
  }

  end(): string | undefined {
    return undefined;
  }
}

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);
const TTL = /^\d+[smhdw]?(\d+[smhdw])*$/i;
const TYPE = /^[A-Z][A-Z0-9-]*$|^TYPE\d+$/i;
const WANTED = new Set(['A', 'AAAA', 'CNAME']);

/** RFC 1035 master file reader: $ORIGIN, $TTL, relative names, blank owners, parentheses, comments. */
export class ZoneReader implements LineReader {
  #origin: string | undefined;
  #owner: string | undefined;
  #pending = '';
  #depth = 0;
  #startsBlank = false;

  push(line: string): LineYield {
    const text = stripComment(line);
    if (this.#depth === 0) {
      this.#pending = '';
      this.#startsBlank = /^[ \t]/.test(text);
    }
    for (const c of text) {
      if (c === '(') this.#depth++;
      else if (c === ')') this.#depth = Math.max(0, this.#depth - 1);
    }
    this.#pending += ` ${text.replace(/[()]/g, ' ')}`;
    if (this.#depth > 0) return { names: [] };
    return this.#record(this.#pending.trim(), this.#startsBlank);
  }

  end(): string | undefined {
    return this.#depth > 0 ? 'the file ends inside a "(" record' : undefined;
  }

  #record(text: string, blankOwner: boolean): LineYield {
    if (!text) return { names: [] };
    const tokens = text.split(/\s+/);
    const first = tokens[0]!;
    if (!blankOwner && first.startsWith('$')) {
      const directive = first.toUpperCase();
      if (directive === '$ORIGIN') {
        const name = tokens[1];
        if (!name?.endsWith('.')) return { problem: '$ORIGIN needs an absolute name (ending with ".")' };
        this.#origin = name.slice(0, -1).toLowerCase();
        return { names: [] };
      }
      if (directive === '$TTL') return { names: [] };
      return { problem: `${first} is not followed (only $ORIGIN and $TTL are)` };
    }
    let i = 0;
    let owner = this.#owner;
    if (!blankOwner) {
      const absolute = this.#absolute(first);
      if (absolute === null)
        return { problem: `the name "${first.slice(0, 80)}" is relative and no $ORIGIN was given` };
      owner = absolute;
      i = 1;
    }
    if (owner === undefined) return { problem: 'a record with no owner name before it' };
    this.#owner = owner;
    // TTL and class, in either order, both optional.
    for (let k = 0; k < 2 && i < tokens.length; k++)
      if (TTL.test(tokens[i]!) || CLASSES.has(tokens[i]!.toUpperCase())) i++;
    const type = tokens[i]?.toUpperCase();
    if (!type || !TYPE.test(type)) return { problem: `no record type in "${text.slice(0, 80)}"` };
    if (!WANTED.has(type) || owner.startsWith('*')) return { names: [] };
    return { names: [owner] };
  }

  /** The owner as an absolute name without the trailing dot; null when relative with no origin. */
  #absolute(name: string): string | null {
    if (name === '@') return this.#origin ?? null;
    if (name.endsWith('.')) return name.slice(0, -1).toLowerCase();
    return this.#origin ? `${name.toLowerCase()}.${this.#origin}` : null;
  }
}

/** The line without its comment: `;` outside a quoted string. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}
