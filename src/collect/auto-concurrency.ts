// `--concurrency auto`: how many domains are in flight, found the way TCP finds its window.
// Start modest and grow while answers come back in time (additive increase; doubling at first,
// "slow start", until the first sign of trouble), cut the window by a factor when too many
// packets go unanswered or come back REFUSED (multiplicative decrease). Random loss is not
// congestion: the internet loses ~1% of packets whatever the load, and halving on each such loss
// would starve the run (TCP Reno's window falls to ~12 at 1% loss). So the decrease answers a
// loss *rate* above a tolerance, measured only on packets sent since the last decrease (the
// answers still due from before it say nothing about the new window).
//
// A packet dropped by a rate limit says nothing until its timeout (3 s by default): the window
// would grow all that time. So a packet unanswered well past the round trips seen so far
// (SRTT + 4·RTTVAR as TCP's RTO, times LATE_FACTOR, within [LATE_MIN_MS, timeout]) counts as late
// here at once; the DNS client still waits for it up to --timeout and retries as before.
import { ConfigError } from '../errors.js';
import type { Outcome } from './dns/exchange.js';

/** Time source of the controller: injectable so that tests run on a fake clock. */
export type Clock = () => number;

export interface AutoConcurrencyOptions {
  /** Domains in flight at the start (default AUTO_START). */
  initial?: number;
  min?: number;
  /** The sane maximum (default AUTO_MAX; --qps lowers it, see audit.ts). */
  max?: number;
  /** The DNS client's per-attempt timeout, ms: nothing counts as late past it. */
  timeoutMs: number;
  now: Clock;
  /**
   * Retransmit on the adaptive timeout (lateAfterMs, doubled at each retry as TCP's RTO) rather
   * than the user's fixed one (default true).
   */
  adaptiveTimeout?: boolean;
  /** Share of recent packets lost or refused above which the window shrinks (default 3%). */
  lossTolerance?: number;
  /** Factor of the decrease (default 0.7, as CUBIC; Reno halves). */
  decrease?: number;
}

export const AUTO_START = 25;
export const AUTO_MIN = 4;
export const AUTO_MAX = 1000;
const LATE_MIN_MS = 250;
const LATE_FACTOR = 3;
/** Weight of one packet in the loss-rate average: about the last 256 packets count. */
const ALPHA = 1 / 256;
/** Answers a domain gets on average: slow start adds one domain per domain's worth of answers. */
const ANSWERS_PER_DOMAIN = 4;
/**
 * Domains added per window's worth of answers after slow start. A domain is several round trips
 * (4 to 6 packets), so +1 as TCP would be a slow climb back after each decrease.
 */
const ADDITIVE = 2;

/** One packet sent, from its send to its outcome. */
export interface Packet {
  at: number;
  settled: boolean;
}

/** What the DNS client tells the controller about each UDP packet. */
export interface CongestionSignals {
  sent(): Packet;
  answered(p: Packet, refused: boolean): void;
  timedOut(p: Packet): void;
  /** Ended without an outcome that says anything (closed, socket error). */
  forget(p: Packet): void;
  /**
   * How long attempt `attempt` (0 = the first) waits before it counts as timed out, within the
   * user's timeout; absent: the user's timeout. The last attempt always waits the user's timeout.
   */
  retransmitAfterMs?(attempt: number, last: boolean): number;
  /**
   * false: retransmitAfterMs is the user's timeout throughout (attempts one after the other);
   * otherwise an attempt retransmitted early keeps listening beside the next until its own timeout.
   */
  readonly adaptive?: boolean;
}

export interface AutoConcurrencyStats {
  limit: number;
  /** Largest and smallest window reached, and the time-weighted mean. */
  peak: number;
  low: number;
  mean: number;
  increases: number;
  decreases: number;
  late: number;
  refused: number;
  timeouts: number;
  srttMs: number;
}

export class AutoConcurrency implements CongestionSignals {
  readonly #min: number;
  #max: number;
  readonly #timeoutMs: number;
  readonly #now: Clock;
  readonly #tolerance: number;
  readonly #decrease: number;
  readonly #adaptive: boolean;
  #window: number;
  #slowStart = true;
  /** Packets sent before this instant say nothing about the current window. */
  #since: number;
  #lossRate = 0;
  #srtt = 0;
  #rttvar = 0;
  /** Packets not settled, in send order (the late sweep looks at the oldest first). */
  #outstanding: Packet[] = [];
  #head = 0;
  #busy: () => boolean = () => true;
  #started: number;
  #lastChange: number;
  #area = 0;
  readonly #stats = { peak: 0, low: 0, increases: 0, decreases: 0, late: 0, refused: 0, timeouts: 0 };

  constructor(opts: AutoConcurrencyOptions) {
    this.#min = opts.min ?? AUTO_MIN;
    this.#max = Math.max(this.#min, opts.max ?? AUTO_MAX);
    this.#window = Math.min(this.#max, Math.max(this.#min, opts.initial ?? AUTO_START));
    this.#timeoutMs = opts.timeoutMs;
    this.#now = opts.now;
    this.#tolerance = opts.lossTolerance ?? 0.03;
    this.#decrease = opts.decrease ?? 0.7;
    this.#adaptive = opts.adaptiveTimeout ?? true;
    this.#since = this.#started = this.#lastChange = this.#now();
    this.#stats.peak = this.#stats.low = this.limit;
  }

  /** Lowers the maximum (the bound --qps sets); the window follows. */
  cap(max: number): void {
    this.#max = Math.max(this.#min, Math.min(this.#max, max));
    this.#window = Math.min(this.#window, this.#max);
  }

  /** Domains that may be in flight now. */
  get limit(): number {
    return Math.floor(this.#window);
  }

  /** Growth only while the window is used up (a run short of input must not inflate it). */
  set busy(fn: () => boolean) {
    this.#busy = fn;
  }

  get adaptive(): boolean {
    return this.#adaptive;
  }

  /** When an unanswered packet counts as late: TCP's RTO, widened for DNS's long tail. */
  lateAfterMs(): number {
    if (this.#srtt === 0) return this.#timeoutMs;
    const rto = LATE_FACTOR * (this.#srtt + 4 * this.#rttvar);
    return Math.min(this.#timeoutMs, Math.max(LATE_MIN_MS, rto));
  }

  retransmitAfterMs(attempt: number, last = false): number {
    // The last attempt waits as long as with a fixed timeout: a question never fails sooner.
    if (!this.#adaptive || last) return this.#timeoutMs;
    return Math.min(this.#timeoutMs, this.lateAfterMs() * 2 ** attempt);
  }

  sent(): Packet {
    const p: Packet = { at: this.#now(), settled: false };
    this.#outstanding.push(p);
    return p;
  }

  answered(p: Packet, refused: boolean): void {
    if (p.settled) return;
    p.settled = true;
    const now = this.#now();
    if (refused) {
      this.#stats.refused++;
      this.#outcome(p, true, now);
      return;
    }
    const rtt = now - p.at;
    if (this.#srtt === 0) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar += (Math.abs(rtt - this.#srtt) - this.#rttvar) / 4;
      this.#srtt += (rtt - this.#srtt) / 8;
    }
    this.#outcome(p, false, now);
    if (p.at >= this.#since && this.#busy()) this.#grow(now);
  }

  timedOut(p: Packet): void {
    if (p.settled) return;
    p.settled = true;
    this.#stats.timeouts++;
    this.#outcome(p, true, this.#now());
  }

  forget(p: Packet): void {
    p.settled = true;
  }

  /** The late sweep: call every few tens of ms. Oldest packets first; settled ones leave the queue. */
  tick(): void {
    const now = this.#now();
    const late = this.lateAfterMs();
    const q = this.#outstanding;
    while (this.#head < q.length) {
      const p = q[this.#head]!;
      if (!p.settled) {
        if (now - p.at < late) break;
        p.settled = true;
        this.#stats.late++;
        this.#outcome(p, true, now);
      }
      q[this.#head++] = undefined as unknown as Packet;
    }
    if (this.#head === q.length) {
      this.#outstanding = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= q.length) {
      this.#outstanding = q.slice(this.#head);
      this.#head = 0;
    }
  }

  stats(): AutoConcurrencyStats {
    const now = this.#now();
    const area = this.#area + this.limit * (now - this.#lastChange);
    const span = now - this.#started;
    return {
      limit: this.limit,
      ...this.#stats,
      mean: Math.round(span > 0 ? area / span : this.limit),
      srttMs: Math.round(this.#srtt),
    };
  }

  #outcome(p: Packet, lost: boolean, now: number): void {
    if (p.at < this.#since) return;
    this.#lossRate += ALPHA * ((lost ? 1 : 0) - this.#lossRate);
    if (lost && this.#lossRate > this.#tolerance) this.#shrink(now);
  }

  #grow(now: number): void {
    const before = this.limit;
    // Slow start: one more domain per domain's worth of answers (the window doubles each round
    // trip of a domain); after it, one more per window's worth (+1 a round trip).
    this.#window = Math.min(
      this.#max,
      this.#window + (this.#slowStart ? 1 / ANSWERS_PER_DOMAIN : ADDITIVE / this.#window),
    );
    if (this.limit !== before) {
      this.#stats.increases++;
      this.#changed(before, now);
    }
  }

  #shrink(now: number): void {
    const before = this.limit;
    // Leaving slow start halves, as TCP's ssthresh does: the window doubled past the knee.
    const factor = this.#slowStart ? 0.5 : this.#decrease;
    this.#slowStart = false;
    this.#window = Math.max(this.#min, this.#window * factor);
    this.#since = now;
    this.#lossRate = 0;
    this.#stats.decreases++;
    this.#changed(before, now);
  }

  #changed(before: number, now: number): void {
    this.#area += before * (now - this.#lastChange);
    this.#lastChange = now;
    this.#stats.peak = Math.max(this.#stats.peak, this.limit);
    this.#stats.low = Math.min(this.#stats.low, this.limit);
  }
}

/** Tells `signals` how a UDP exchange ended; returns the outcome unchanged. */
export function signalOutcome(signals: CongestionSignals, p: Packet, o: Outcome): Outcome {
  if (o.kind === 'response') signals.answered(p, o.response.status === 'REFUSED');
  else if (o.kind === 'timeout') signals.timedOut(p);
  else signals.forget(p);
  return o;
}

/** --concurrency: a number of domains in flight, or `auto` (this controller). */
export type ConcurrencySetting = number | 'auto';

/** Most domains at once with a fixed --concurrency. */
export const MAX_CONCURRENCY = 10_000;

/** A library caller's concurrency, checked as the CLI checks the flag. */
export function checkConcurrency(value: unknown): ConcurrencySetting {
  if (value === 'auto') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY)
    return value;
  throw new ConfigError(
    `invalid concurrency ${JSON.stringify(value)}: expected auto or an integer from 1 to ${MAX_CONCURRENCY}`,
  );
}

/** The controller of a run with --concurrency auto and its late sweep; stop() ends the sweep. */
export function startAutoConcurrency(
  timeoutMs: number,
  adaptiveTimeout = true,
): AutoConcurrency & { stop(): void } {
  const auto = new AutoConcurrency({ timeoutMs, adaptiveTimeout, now: () => performance.now() });
  const sweep = setInterval(() => auto.tick(), SWEEP_MS);
  sweep.unref();
  return Object.assign(auto, { stop: () => clearInterval(sweep) });
}

const SWEEP_MS = 25;
