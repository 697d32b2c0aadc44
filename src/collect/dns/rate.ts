/** Time source and timer of a RateLimiter: injectable so that tests need no real waiting. */
export interface RateClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: RateClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Packets a full bucket lets out back to back: 100 ms worth of the rate, at least one. A larger
 * burst would hand a resolver that rate-limits per second most of a second's packets at once.
 */
export function burstFor(qps: number): number {
  return Math.max(1, Math.ceil(qps / 10));
}

/** Tokens short of a whole one by less than this count as whole (float error in the refill). */
const EPSILON = 1e-9;

/**
 * Token bucket for one resolver: `qps` tokens a second, at most burstFor(qps) saved up. Callers
 * that find it empty wait in FIFO order; one timer at a time, set for when the head's token is
 * due, lets them out (no timer per waiter, no polling).
 */
export class RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: RateClock;
  #tokens: number;
  #last: number;
  #waiting: ((ok: boolean) => void)[] = [];
  #head = 0;
  #timer: unknown;
  #closed = false;

  constructor(qps: number, clock: RateClock = REAL_CLOCK) {
    if (!(qps > 0)) throw new RangeError(`qps must be positive, got ${qps}`);
    this.#qps = qps;
    this.#burst = burstFor(qps);
    this.#clock = clock;
    this.#tokens = this.#burst;
    this.#last = clock.now();
  }

  get burst(): number {
    return this.#burst;
  }

  /** Callers waiting for a token. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Takes a token: true at once when one is free and nobody waits before us; otherwise a promise
   * for true when our turn comes, or false if the limiter is closed first.
   */
  take(): true | Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.waiting === 0) {
      this.#refill();
      if (this.#tokens >= 1 - EPSILON) {
        this.#tokens = Math.max(0, this.#tokens - 1);
        return true;
      }
    }
    const turn = new Promise<boolean>((resolve) => this.#waiting.push(resolve));
    this.#schedule();
    return turn;
  }

  /** Lets every waiter go with false; later take() calls get false too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    for (const resolve of waiting) resolve(false);
  }

  #refill(): void {
    const now = this.#clock.now();
    if (now > this.#last) {
      this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
    }
    this.#last = Math.max(this.#last, now);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.waiting === 0) return;
    this.#refill();
    const ms = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#qps));
    this.#timer = this.#clock.setTimeout(() => this.#drain(), ms);
  }

  #drain(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    this.#refill();
    while (this.waiting > 0 && this.#tokens >= 1 - EPSILON) {
      this.#tokens = Math.max(0, this.#tokens - 1);
      const resolve = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as unknown as (ok: boolean) => void;
      resolve(true);
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    this.#schedule();
  }
}
