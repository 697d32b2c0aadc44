import { randomBytes } from 'node:crypto';

// A duplicate check over a million names. The table holds a keyed 32-bit hash and where the name's
// bytes are in an arena of small pages: a hash match is confirmed by comparing the names, so a
// collision costs a comparison, never a domain (an unkeyed 64-bit hash alone was predictable: a
// crafted pair made the second name vanish, issue 21). The key is random per set, so the slots a
// name probes cannot be aimed at from the list either.

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** 32-bit FNV-1a of a name: also the shard hash, so a name's shard never depends on the machine. */
export function hash32(text: string): number {
  return fnv1a(text, 0x811c9dc5);
}

/** Parts of the set, chosen by the top 4 bits of the hash. */
const PARTS = 16;
/** Each part grows by half when it is 80% full. */
const GROWTH = 1.5;
/** Arena pages: small, so the arena too grows in steps of a few percent. */
const PAGE = 32 * 1024;
/** Names stored in the arena: up to 2 KiB of bytes (a domain has at most 253); longer ones in a Set. */
const MAX_STORED = 2048;

interface Part {
  /** (hash, name reference) pairs; a reference is never 0, so an empty slot is 0. */
  slots: Uint32Array;
  capacity: number;
  count: number;
}

/**
 * The names' bytes, each behind a 2-byte length, in pages of 32 KiB: a name never spans two
 * pages. An ASCII name (every name of a parsed list) is stored a byte a character; any other as
 * UTF-16 (exact for every string, lone surrogates included, where UTF-8 would merge them), with
 * the top bit of its length set. A reference is 1 + page × PAGE + offset.
 */
class NameArena {
  private readonly pages: Buffer[] = [];
  private used = PAGE;
  private readonly scratch = Buffer.allocUnsafe(MAX_STORED);

  get bytes(): number {
    return this.pages.length * PAGE;
  }

  /** The name's stored form in the scratch buffer (valid until the next call), or null when too long. */
  encode(name: string): Buffer | null {
    if (2 * name.length + 2 > MAX_STORED) return null;
    const ascii = Buffer.byteLength(name, 'utf8') === name.length;
    const n = this.scratch.write(name, 2, ascii ? 'latin1' : 'utf16le');
    this.scratch.writeUInt16LE(ascii ? n : n | 0x8000, 0);
    return this.scratch.subarray(0, n + 2);
  }

  add(stored: Buffer): number {
    if (this.used + stored.length > PAGE) {
      this.pages.push(Buffer.allocUnsafe(PAGE));
      this.used = 0;
    }
    const page = this.pages.length - 1;
    stored.copy(this.pages[page]!, this.used);
    const ref = 1 + page * PAGE + this.used;
    this.used += stored.length;
    return ref;
  }

  equals(ref: number, stored: Buffer): boolean {
    const at = ref - 1;
    const buf = this.pages[Math.floor(at / PAGE)]!;
    const off = at % PAGE;
    return buf.compare(stored, 0, stored.length, off, off + stored.length) === 0;
  }
}

/**
 * An exact set of names: open addressing with linear probing in typed arrays of (hash, reference)
 * pairs, any capacity (not only powers of two), at most 80% full, grown by half: ~12 bytes a name
 * for the table and the name's bytes plus 2 in the arena. It is cut in 16 parts by the hash, and
 * the parts start at sizes spread over one growth step, so they grow one at a time, each at its
 * own point: growing copies a sixteenth of the table, never the whole of it (one table of a
 * million names grown at once held both copies until the old one was collected: a 20 MB step in
 * the run's peak memory).
 */
export class DomainSet {
  private readonly parts: Part[] = Array.from({ length: PARTS }, (_, i) => {
    const capacity = Math.ceil(64 * GROWTH ** (i / PARTS));
    return { slots: new Uint32Array(2 * capacity), capacity, count: 0 };
  });
  private readonly arena = new NameArena();
  /** Names too long to be domains (a hand-made journal): rare, held as they are. */
  private readonly long = new Set<string>();
  private readonly seed = randomBytes(4).readUInt32LE(0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table and the names (for the bounds documentation and its test). */
  get bytes(): number {
    let sum = this.arena.bytes;
    for (const part of this.parts) sum += part.slots.byteLength;
    return sum;
  }

  /** Whether the name was added. */
  has(name: string): boolean {
    const bytes = this.arena.encode(name);
    if (!bytes) return this.long.has(name);
    const a = fnv1a(name, this.seed);
    const { slots, capacity } = this.parts[a >>> 28]!;
    for (let i = home(a, capacity); slots[2 * i + 1] !== 0; i = i + 1 === capacity ? 0 : i + 1)
      if (slots[2 * i] === a && this.arena.equals(slots[2 * i + 1]!, bytes)) return true;
    return false;
  }

  /** Adds the name; false when it was already there. */
  add(name: string): boolean {
    const bytes = this.arena.encode(name);
    if (!bytes) {
      if (this.long.has(name)) return false;
      this.long.add(name);
      this.count++;
      return true;
    }
    const a = fnv1a(name, this.seed);
    const part = this.parts[a >>> 28]!;
    const { slots, capacity } = part;
    let i = home(a, capacity);
    for (; slots[2 * i + 1] !== 0; i = i + 1 === capacity ? 0 : i + 1)
      if (slots[2 * i] === a && this.arena.equals(slots[2 * i + 1]!, bytes)) return false;
    slots[2 * i] = a;
    slots[2 * i + 1] = this.arena.add(bytes);
    this.count++;
    if (++part.count * 5 > part.capacity * 4) grow(part);
    return true;
  }
}

/** The slot a hash starts probing at: its low 28 bits (the top 4 chose the part), scaled. */
function home(a: number, capacity: number): number {
  return Math.floor(((a & 0x0fffffff) / 268435456) * capacity);
}

function grow(part: Part): void {
  const old = part.slots;
  part.capacity = Math.ceil(part.capacity * GROWTH);
  const slots = new Uint32Array(2 * part.capacity);
  for (let j = 0; j < old.length; j += 2) {
    if (old[j + 1] === 0) continue;
    let i = home(old[j]!, part.capacity);
    while (slots[2 * i + 1] !== 0) i = i + 1 === part.capacity ? 0 : i + 1;
    slots[2 * i] = old[j]!;
    slots[2 * i + 1] = old[j + 1]!;
  }
  part.slots = slots;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count)
    throw new Error(`--shard must be I/N with 0 <= I < N (got "${spec}")`);
  return { index, count };
}

export function inShard(domain: string, shard: Shard): boolean {
  return hash32(domain) % shard.count === shard.index;
}
