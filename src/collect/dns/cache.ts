import type { DnsAnswer, DnsRecord } from '../../types.js';

interface Node {
  /** The record type, plus subnet or pinned resolver when the question carried them. */
  space: string;
  name: string;
  /** Frozen, transport 'cache', durationMs 0; its records carry the TTLs as received. */
  answer: DnsAnswer;
  storedAt: number;
  expiresAt: number;
  /** The answer with TTLs aged by `agedSec` whole seconds (memoised: one copy per second at most). */
  aged: DnsAnswer | undefined;
  agedSec: number;
  /** In the protected segment: hinted as shared, or hit at least once. */
  main: boolean;
  /** Hit since it last reached the eviction end of the protected segment (CLOCK's second chance). */
  ref: boolean;
  prev: Node | null;
  next: Node | null;
}

/** Doubly linked recency list: O(1) touch and eviction, no scanning of a Map's deleted slots. */
class Lru {
  head: Node | null = null;
  tail: Node | null = null;
  size = 0;

  push(n: Node): void {
    n.prev = null;
    n.next = this.head;
    if (this.head) this.head.prev = n;
    else this.tail = n;
    this.head = n;
    this.size++;
  }

  remove(n: Node): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = null;
    this.size--;
  }
}

/**
 * Copies are written as literals, not spreads: a spread copy can get a map of its own per object
 * (once its site has seen a few shapes), each one garbage in old space and a megamorphic read.
 */
function copyRecord(r: DnsRecord, ttl = r.ttl): DnsRecord {
  return r.priority === undefined
    ? { name: r.name, type: r.type, ttl, data: r.data }
    : { name: r.name, type: r.type, ttl, data: r.data, priority: r.priority };
}

function copyOf(answer: DnsAnswer, answers: DnsRecord[], authority: DnsRecord[]): DnsAnswer {
  const out: DnsAnswer = {
    name: answer.name,
    type: answer.type,
    status: answer.status,
    answers,
    authority,
    resolver: answer.resolver,
    transport: answer.transport,
    durationMs: answer.durationMs,
  };
  if (answer.ecs)
    out.ecs = answer.ecs.scope === undefined ? { subnet: answer.ecs.subnet } : { ...answer.ecs };
  return out;
}

/** One frozen empty list for every stored answer without records (most authority sections). */
const NO_RECORDS: DnsRecord[] = Object.freeze([]) as unknown as DnsRecord[];

const frozenCopy = (records: readonly DnsRecord[]): DnsRecord[] =>
  records.length === 0
    ? NO_RECORDS
    : Object.isFrozen(records)
      ? (records as DnsRecord[])
      : (Object.freeze(records.map((r) => Object.freeze(copyRecord(r)))) as DnsRecord[]);

/** Freezes an answer's record lists in place (the answer object itself stays writable). */
export function freezeRecords(answer: DnsAnswer): void {
  for (const r of answer.answers) Object.freeze(r);
  for (const r of answer.authority) Object.freeze(r);
  Object.freeze(answer.answers);
  Object.freeze(answer.authority);
}

/**
 * A frozen copy of an answer as the cache hands it out (transport 'cache', durationMs 0), shared
 * by every hit and never mutated. Frozen record arrays are taken as they are.
 */
export function cacheView(answer: DnsAnswer): DnsAnswer {
  if (answer.transport === 'cache' && answer.durationMs === 0 && Object.isFrozen(answer)) return answer;
  // Copied (a few pointers) even when the lists are frozen already: the stored answer must be
  // frozen itself, and an empty list becomes the shared one.
  const out = copyOf(answer, frozenCopy(answer.answers), frozenCopy(answer.authority));
  out.transport = 'cache';
  out.durationMs = 0;
  if (out.ecs) Object.freeze(out.ecs);
  return Object.freeze(out);
}

/** A mutable deep copy, for callers of the public query() who own what they get. */
export function copyAnswer(answer: DnsAnswer): DnsAnswer {
  return copyOf(
    answer,
    answer.answers.map((r) => copyRecord(r)),
    answer.authority.map((r) => copyRecord(r)),
  );
}

/**
 * TTL-aware cache of answers, one per client so that it lives exactly as long as a run (no
 * module-level state). Segmented LRU: an answer enters a probation segment unless the caller
 * hints that it is shared (a name server's or mail host's address, a zone's NS or MX), and moves
 * to the protected segment on its first hit; later hits there only mark it (CLOCK's second
 * chance, no list surgery). Room is made by evicting from probation first, so a stream of one-off
 * answers (each domain's own A, AAAA, SOA) cannot push out the answers every domain of a zone
 * needs, whatever the distance between two domains of that zone in the input. Once the cache is
 * full, a shared answer is protected only when it is hit: a working set larger than the cache,
 * coming round in a cycle, then keeps being served in part instead of not at all. Probation holds up
 * to an eighth of the room or 4096 entries, whichever is more (all of a smaller cache), and keeps
 * at least a sixteenth. Stored answers are frozen and shared: a hit allocates nothing, except
 * for a caller who wants TTLs aged (as a caching resolver reports them), once per whole second
 * since the last such hit.
 */
export class AnswerCache {
  /** space → name → entry: no key string is built (or flattened for hashing) per lookup. */
  readonly #spaces = new Map<string, Map<string, Node>>();
  #size = 0;
  readonly #main = new Lru();
  readonly #probation = new Lru();
  readonly #reserve: number;
  readonly #probationMax: number;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {
    this.#reserve = Math.floor(maxEntries / 16);
    this.#probationMax = Math.max(Math.ceil(maxEntries / 8), Math.min(maxEntries, 4096));
  }

  /** `aged`: TTLs reduced by the time spent in the cache; otherwise as received (no copy ever). */
  get(space: string, name: string, aged = true): DnsAnswer | undefined {
    const node = this.#spaces.get(space)?.get(name);
    if (!node) return undefined;
    const t = this.now();
    if (t >= node.expiresAt) {
      this.#drop(node);
      return undefined;
    }
    // A hit in the protected segment only sets a bit (no list surgery on the hot path); eviction
    // gives such an entry a second chance, which approximates LRU order (CLOCK).
    if (node.main) node.ref = true;
    else {
      // Promoted with its reference bit set: the hit is a reference, and without it a sweep that
      // found every older entry referenced would evict this newcomer first.
      this.#probation.remove(node);
      node.main = true;
      node.ref = true;
      this.#main.push(node);
    }
    // Report the TTL left, as a caching resolver would.
    const elapsed = aged ? Math.floor((t - node.storedAt) / 1000) : 0;
    if (elapsed <= 0) return node.answer;
    if (node.aged && node.agedSec === elapsed) return node.aged;
    const age = (r: DnsRecord) => Object.freeze(copyRecord(r, Math.max(0, r.ttl - elapsed)));
    const view = copyOf(
      node.answer,
      Object.freeze(node.answer.answers.map(age)) as DnsRecord[],
      Object.freeze(node.answer.authority.map(age)) as DnsRecord[],
    );
    if (view.ecs) Object.freeze(view.ecs);
    node.aged = Object.freeze(view);
    node.agedSec = elapsed;
    return node.aged;
  }

  /**
   * Stores a frozen copy (see cacheView: no copy when it is one already). `shared`: the answer is
   * likely asked again for other domains, so it is protected at once.
   */
  set(space: string, name: string, answer: DnsAnswer, ttlSeconds: number, shared = false): void {
    if (!(ttlSeconds > 0) || this.maxEntries <= 0) return;
    const t = this.now();
    let names = this.#spaces.get(space);
    if (!names) {
      names = new Map();
      this.#spaces.set(space, names);
    }
    const old = names.get(name);
    if (old) this.#drop(old);
    const stored = cacheView(answer);
    // A full cache whose probation is down to its reserve would make room for a new protected
    // entry by evicting a protected one. When the working set is larger than the cache and comes
    // round in a cycle (domains in turn over more zones than fit), that evicts every zone's answers
    // just before they are needed again: no hit at all. So the newcomer waits in probation instead,
    // and gets protected only when it is hit there (a zone whose domains come together); the
    // protected segment keeps what it holds, and its hits keep coming.
    const protect = shared && (this.#size < this.maxEntries || this.#probation.size > this.#reserve);
    const node: Node = {
      space,
      name,
      answer: stored,
      storedAt: t,
      expiresAt: t + ttlSeconds * 1000,
      aged: undefined,
      agedSec: 0,
      main: protect,
      ref: false,
      prev: null,
      next: null,
    };
    names.set(name, node);
    this.#size++;
    (protect ? this.#main : this.#probation).push(node);
    if (!protect && this.#probation.size > this.#probationMax) this.#drop(this.#probation.tail!);
    while (this.#size > this.maxEntries) {
      const victim =
        this.#probation.size > this.#reserve || !this.#main.tail ? this.#probation.tail : this.#mainVictim();
      if (!victim) break;
      this.#drop(victim);
    }
  }

  /** The least recently used protected entry: referenced ones move to the front, bit cleared. */
  #mainVictim(): Node | null {
    for (let n = this.#main.tail; n; n = this.#main.tail) {
      if (!n.ref) return n;
      n.ref = false;
      this.#main.remove(n);
      this.#main.push(n);
    }
    return null;
  }

  get size(): number {
    return this.#size;
  }

  #drop(node: Node): void {
    (node.main ? this.#main : this.#probation).remove(node);
    const names = this.#spaces.get(node.space);
    if (names?.delete(node.name)) this.#size--;
    if (names?.size === 0) this.#spaces.delete(node.space);
  }
}
