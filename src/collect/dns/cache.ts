import type { DnsAnswer, DnsRecord } from '../../types.js';

interface Node {
  key: string;
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

const freezeRecords = (records: readonly DnsRecord[]): DnsRecord[] =>
  Object.isFrozen(records)
    ? (records as DnsRecord[])
    : (Object.freeze(records.map((r) => Object.freeze({ ...r }))) as DnsRecord[]);

/**
 * A frozen copy of an answer as the cache hands it out (transport 'cache', durationMs 0), shared
 * by every hit and never mutated. Frozen record arrays are taken as they are.
 */
export function cacheView(answer: DnsAnswer): DnsAnswer {
  if (answer.transport === 'cache' && answer.durationMs === 0 && Object.isFrozen(answer)) return answer;
  const out: DnsAnswer = {
    ...answer,
    answers: freezeRecords(answer.answers),
    authority: freezeRecords(answer.authority),
    transport: 'cache',
    durationMs: 0,
  };
  if (answer.ecs) out.ecs = Object.freeze({ ...answer.ecs });
  return Object.freeze(out);
}

/** A mutable deep copy, for callers of the public query() who own what they get. */
export function copyAnswer(answer: DnsAnswer): DnsAnswer {
  const out: DnsAnswer = {
    ...answer,
    answers: answer.answers.map((r) => ({ ...r })),
    authority: answer.authority.map((r) => ({ ...r })),
  };
  if (answer.ecs) out.ecs = { ...answer.ecs };
  return out;
}

/**
 * TTL-aware cache of answers, one per client so that it lives exactly as long as a run (no
 * module-level state). Segmented LRU: an answer enters a probation segment unless the caller
 * hints that it is shared (a name server's or mail host's address, a zone's NS or MX), and moves
 * to the protected segment on its first hit (later hits there only mark it: CLOCK's second chance). Room is made by evicting from probation first, so a
 * stream of one-off answers (each domain's own A, AAAA, SOA) cannot push out the answers every
 * domain of a zone needs, whatever the distance between two domains of that zone in the input.
 * Probation keeps at least an eighth of the room, and at most a quarter once the cache is larger
 * than a few thousand entries. Stored answers are frozen and shared: a hit allocates nothing
 * unless a whole second has passed since the last hit (TTLs are then aged, as a caching resolver
 * reports them).
 */
export class AnswerCache {
  readonly #entries = new Map<string, Node>();
  readonly #main = new Lru();
  readonly #probation = new Lru();
  readonly #reserve: number;
  readonly #probationMax: number;

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {
    this.#reserve = Math.floor(maxEntries / 16);
    this.#probationMax = Math.max(Math.ceil(maxEntries / 4), Math.min(maxEntries, 4096));
  }

  get(key: string): DnsAnswer | undefined {
    const node = this.#entries.get(key);
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
      this.#probation.remove(node);
      node.main = true;
      this.#main.push(node);
    }
    // Report the TTL left, as a caching resolver would.
    const elapsed = Math.floor((t - node.storedAt) / 1000);
    if (elapsed <= 0) return node.answer;
    if (node.aged && node.agedSec === elapsed) return node.aged;
    const age = (r: DnsRecord) => Object.freeze({ ...r, ttl: Math.max(0, r.ttl - elapsed) });
    node.aged = Object.freeze({
      ...node.answer,
      answers: Object.freeze(node.answer.answers.map(age)) as DnsRecord[],
      authority: Object.freeze(node.answer.authority.map(age)) as DnsRecord[],
    });
    node.agedSec = elapsed;
    return node.aged;
  }

  /**
   * Stores a frozen copy (see cacheView: no copy when it is one already). `shared`: the answer is likely asked again for other domains (protected at once).
   */
  set(key: string, answer: DnsAnswer, ttlSeconds: number, shared = false): void {
    if (!(ttlSeconds > 0) || this.maxEntries <= 0) return;
    const t = this.now();
    const old = this.#entries.get(key);
    if (old) this.#drop(old);
    const stored = cacheView(answer);
    const node: Node = {
      key,
      answer: stored,
      storedAt: t,
      expiresAt: t + ttlSeconds * 1000,
      aged: undefined,
      agedSec: 0,
      main: shared,
      ref: false,
      prev: null,
      next: null,
    };
    this.#entries.set(key, node);
    (shared ? this.#main : this.#probation).push(node);
    if (!shared && this.#probation.size > this.#probationMax) this.#drop(this.#probation.tail!);
    while (this.#entries.size > this.maxEntries) {
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
    return this.#entries.size;
  }

  #drop(node: Node): void {
    (node.main ? this.#main : this.#probation).remove(node);
    this.#entries.delete(node.key);
  }
}
