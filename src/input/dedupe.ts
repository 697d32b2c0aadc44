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

export class DomainSet {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private used = new Uint8Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the name; false when it was already there. */
  add(name: string): boolean {
    const a = hash32(name);
    const b = (fnv1a(name, 0x9747b28c) | 1) >>> 0;
    if (!this.insert(a, b)) return false;
    this.count++;
    if (this.count * 4 > this.used.length * 3) this.grow();
    return true;
  }

  private insert(a: number, b: number): boolean {
    const mask = this.used.length - 1;
    let i = (a ^ b) & mask;
    while (this.used[i]) {
      if (this.hi[i] === a && this.lo[i] === b) return false;
      i = (i + 1) & mask;
    }
    this.used[i] = 1;
    this.hi[i] = a;
    this.lo[i] = b;
    return true;
  }

  private grow(): void {
    const { hi, lo, used } = this;
    this.hi = new Uint32Array(used.length * 2);
    this.lo = new Uint32Array(used.length * 2);
    this.used = new Uint8Array(used.length * 2);
    for (let i = 0; i < used.length; i++) if (used[i]) this.insert(hi[i]!, lo[i]!);
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
