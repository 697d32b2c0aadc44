// Exact de-duplication of a million names would keep a million strings alive. A set of 64-bit
// hashes (two independent 32-bit FNV-1a) costs 8 bytes a name; a false "duplicate" needs a
// 64-bit collision (~3e-8 for 1M names).

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

/** Parts of the set, chosen by the top 4 bits of the first hash. */
const PARTS = 16;
/** Each part grows by half when it is 80% full. */
const GROWTH = 1.5;

interface Part {
  /** (a, b) pairs; b is forced odd, so an empty slot is b = 0 and no occupancy array is needed. */
  slots: Uint32Array;
  capacity: number;
  count: number;
}

/**
 * A set of 64-bit name hashes: open addressing with linear probing in typed arrays of (a, b)
 * pairs, any capacity (not only powers of two), at most 80% full, grown by half: ~12 bytes a name
 * on average where a power-of-two table at 75% needed ~19 at a million, for the memory of a long
 * run to stay flat. It is cut in 16 parts by the hash, and the parts start at sizes spread over one
 * growth step, so they grow one at a time, each at its own point: growing copies a sixteenth of the
 * set, never the whole of it (one table of a million names grew from 8 to 12 MB at once, holding
 * both until the old one was collected: a 20 MB step in the run's peak memory).
 */
export class DomainSet {
  private readonly parts: Part[] = Array.from({ length: PARTS }, (_, i) => {
    const capacity = Math.ceil(64 * GROWTH ** (i / PARTS));
    return { slots: new Uint32Array(2 * capacity), capacity, count: 0 };
  });
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (for the bounds documentation and its test). */
  get bytes(): number {
    let sum = 0;
    for (const part of this.parts) sum += part.slots.byteLength;
    return sum;
  }

  /** Whether the name was added (a false "yes" needs a 64-bit collision). */
  has(name: string): boolean {
    const a = hash32(name);
    const b = (fnv1a(name, 0x9747b28c) | 1) >>> 0;
    const { slots, capacity } = this.parts[a >>> 28]!;
    for (let i = home(a, capacity); slots[2 * i + 1] !== 0; i = i + 1 === capacity ? 0 : i + 1)
      if (slots[2 * i] === a && slots[2 * i + 1] === b) return true;
    return false;
  }

  /** Adds the name; false when it was already there. */
  add(name: string): boolean {
    const a = hash32(name);
    const b = (fnv1a(name, 0x9747b28c) | 1) >>> 0;
    const part = this.parts[a >>> 28]!;
    if (!insert(part, a, b)) return false;
    this.count++;
    if (++part.count * 5 > part.capacity * 4) grow(part);
    return true;
  }
}

/** The slot a hash starts probing at: its low 28 bits (the top 4 chose the part), scaled. */
function home(a: number, capacity: number): number {
  return Math.floor(((a & 0x0fffffff) / 268435456) * capacity);
}

function insert(part: Part, a: number, b: number): boolean {
  const { slots, capacity } = part;
  let i = home(a, capacity);
  while (slots[2 * i + 1] !== 0) {
    if (slots[2 * i] === a && slots[2 * i + 1] === b) return false;
    i = i + 1 === capacity ? 0 : i + 1;
  }
  slots[2 * i] = a;
  slots[2 * i + 1] = b;
  return true;
}

function grow(part: Part): void {
  const old = part.slots;
  part.capacity = Math.ceil(part.capacity * GROWTH);
  part.slots = new Uint32Array(2 * part.capacity);
  for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) insert(part, old[i]!, old[i + 1]!);
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
