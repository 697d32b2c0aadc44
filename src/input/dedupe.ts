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

/**
 * A set of 64-bit name hashes in one typed array of (a, b) pairs, open addressing with linear
 * probing. `b` is forced odd, so an empty slot is b = 0 and no occupancy array is needed. Any
 * capacity (not only powers of two), at most 80% full, grown by half: ~12 bytes a name on
 * average where a power-of-two table at 75% needed ~19 at a million, for the memory of a long
 * run to stay flat.
 */
export class DomainSet {
  private slots = new Uint32Array(2 * 1024);
  private capacity = 1024;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table (for the bounds documentation and its test). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Whether the name was added (a false "yes" needs a 64-bit collision). */
  has(name: string): boolean {
    const a = hash32(name);
    const b = (fnv1a(name, 0x9747b28c) | 1) >>> 0;
    const slots = this.slots;
    const capacity = this.capacity;
    for (
      let i = Math.floor((a / 4294967296) * capacity);
      slots[2 * i + 1] !== 0;
      i = i + 1 === capacity ? 0 : i + 1
    )
      if (slots[2 * i] === a && slots[2 * i + 1] === b) return true;
    return false;
  }

  /** Adds the name; false when it was already there. */
  add(name: string): boolean {
    const a = hash32(name);
    const b = (fnv1a(name, 0x9747b28c) | 1) >>> 0;
    if (!this.insert(a, b)) return false;
    this.count++;
    if (this.count * 5 > this.capacity * 4) this.grow();
    return true;
  }

  private insert(a: number, b: number): boolean {
    const slots = this.slots;
    const capacity = this.capacity;
    // a is a uniform 32-bit hash: scaling it to [0, capacity) spreads names over any capacity.
    let i = Math.floor((a / 4294967296) * capacity);
    while (slots[2 * i + 1] !== 0) {
      if (slots[2 * i] === a && slots[2 * i + 1] === b) return false;
      i = i + 1 === capacity ? 0 : i + 1;
    }
    slots[2 * i] = a;
    slots[2 * i + 1] = b;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.capacity = Math.ceil(this.capacity * 1.5);
    this.slots = new Uint32Array(2 * this.capacity);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
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
