import type { DnsAnswer } from '../../types.js';

interface Entry {
  answer: DnsAnswer;
  storedAt: number;
  expiresAt: number;
}

/**
 * TTL-aware LRU of answers, one per client so that it lives exactly as long as a run (no
 * module-level state). A Map keeps insertion order: re-inserting on a hit makes the first key
 * the least recently used one.
 */
export class AnswerCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): DnsAnswer | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const t = this.now();
    this.#entries.delete(key);
    if (t >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry);
    // Report the TTL left, as a caching resolver would.
    const elapsed = Math.floor((t - entry.storedAt) / 1000);
    const age = (r: DnsAnswer['answers'][number]) => ({ ...r, ttl: Math.max(0, r.ttl - elapsed) });
    return {
      ...entry.answer,
      answers: entry.answer.answers.map(age),
      authority: entry.answer.authority.map(age),
    };
  }

  set(key: string, answer: DnsAnswer, ttlSeconds: number): void {
    if (!(ttlSeconds > 0) || this.maxEntries <= 0) return;
    const t = this.now();
    this.#entries.delete(key);
    // Stored apart from the object handed to the caller, which may mutate it.
    const stored = {
      ...answer,
      answers: answer.answers.map((r) => ({ ...r })),
      authority: answer.authority.map((r) => ({ ...r })),
    };
    this.#entries.set(key, { answer: stored, storedAt: t, expiresAt: t + ttlSeconds * 1000 });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
