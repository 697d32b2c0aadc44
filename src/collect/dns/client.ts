import { ConfigError } from '../../errors.js';
import type { DnsAnswer, RecordType, Status } from '../../types.js';
import { type CongestionSignals, signalOutcome } from '../auto-concurrency.js';
import { backoffMs, maxBackoffMs } from './backoff.js';
import { AnswerCache, copyAnswer, freezeRecords } from './cache.js';
import type { EcsSubnet } from './ecs.js';
import { IdSource, type Outcome, type Question } from './exchange.js';
import { createGate, type Gate } from './gate.js';
import { encodeQuery, normaliseName, type ParsedResponse } from './packet.js';
import { RateLimiter } from './rate.js';
import { formatResolver, isLoopback, type ResolverAddress } from './resolver-address.js';
import { TcpPool } from './tcp-pool.js';
import { UdpPool } from './udp.js';

export interface DnsClientOptions {
  resolvers: ResolverAddress[];
  timeoutMs: number;
  /** Extra attempts after the first; they rotate across resolvers. */
  retries: number;
  /** UDP sockets in the pool (default 4). */
  sockets?: number;
  /** EDNS0 payload size we advertise (default 1232, the DNS flag day 2020 value). */
  udpPayloadSize?: number;
  /** Clock in milliseconds, for TTLs and durations (default performance.now). */
  now?: () => number;
  /**
   * Cached answers kept (default 50000); 0 disables the cache but not in-flight sharing. One-off
   * answers cannot evict the ones hinted as shared (QueryOptions.shared) or hit before.
   */
  maxCacheEntries?: number;
  /** Refuse any resolver outside 127.0.0.0/8 and ::1: the safety net of the test lab. */
  loopbackOnly?: boolean;
  /**
   * Packets awaiting a reply at once (default 512); further ones wait their turn. Bursts of
   * thousands overflow socket buffers (ours or the resolver's) and turn into timeouts.
   */
  maxInFlight?: number;
  /**
   * Packets a second to each resolver (UDP attempts, retries and TCP queries alike); 0 or absent:
   * no limit. A token bucket per resolver lets out up to burstFor(qps) = max(1, ceil(qps / 10))
   * at once. Waiting for a token is not part of a packet's timeout, which starts when it is sent.
   */
  qps?: number;
  /** Random numbers in [0, 1) for the backoff jitter (default Math.random). */
  random?: () => number;
  /**
   * DNS 0x20 (default true): each UDP query's name goes out in a random case and the reply's
   * question must copy it exactly; false for a resolver that does not preserve the case.
   */
  caseRandomisation?: boolean;
  /** Told of every UDP packet's outcome (--concurrency auto's controller). */
  signals?: CongestionSignals;
}

export interface DnsClientStats {
  /** Calls to query(). */
  queries: number;
  /** UDP packets sent (first attempts and retries; TCP fallbacks are counted apart). */
  sent: number;
  /** Attempts after the first for a question. */
  retries: number;
  /**
   * Attempts that waited out their whole timeout with no answer, and TCP fallbacks that got none
   * in what was left of it.
   */
  timeouts: number;
  /**
   * Attempts sent early, on --concurrency auto's learnt timeout, while the one before still
   * listened (counted in `retries` too; not timeouts: the earlier attempt may still be answered).
   */
  retransmits: number;
  /** Truncated UDP answers retried over TCP. */
  tcpFallbacks: number;
  /** Queries answered without a packet: from the cache or by joining an identical one in flight. */
  cacheHits: number;
  /** Packets ignored: undecodable, or not matching source, id and question of a query in flight. */
  dropped: number;
  /** Packets (UDP or TCP) that had to wait for the --qps rate limit. */
  throttled: number;
  /** Milliseconds waited in total before retries (backoff after an immediate failure). */
  backoffMs: number;
}

export interface QueryOptions {
  /** EDNS Client Subnet to send (RFC 7871): ask for the answer a client in this subnet would get. */
  subnet?: EcsSubnet;
  /** Ask only this one of the configured resolvers ("ip:port" as formatResolver writes it). */
  resolver?: string;
  /**
   * Cache hint: the answer is likely asked again for other domains (a name server's or mail
   * host's addresses, a zone's NS or MX), so it goes straight to the protected part of the cache.
   */
  shared?: boolean;
}

/**
 * The cache's space of a question: its type, plus the subnet and pinned resolver when given (the
 * same name asked for another subnet or resolver is another question).
 */
function querySpace(type: RecordType, opts: QueryOptions): string {
  if (!opts.subnet && !opts.resolver) return type;
  const ecs = opts.subnet ? ` ecs=${opts.subnet.text}` : '';
  const at = opts.resolver ? ` @${opts.resolver}` : '';
  return `${type}${ecs}${at}`;
}

/** Statuses another resolver may answer differently; with one resolver we accept them. */
const TRY_ELSEWHERE: ReadonlySet<Status> = new Set(['SERVFAIL', 'REFUSED', 'TRUNCATED', 'NOTIMP']);

/** Stub resolver on dns-packet: UDP with TCP fallback, retries, a TTL cache and in-flight sharing. */
export class DnsClient {
  readonly #resolvers: ResolverAddress[];
  /** formatResolver of each configured resolver, computed once (it runs an IPv6 regex). */
  readonly #labels = new Map<ResolverAddress, string>();
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #payload: number;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #cache: AnswerCache;
  readonly #inflight = new Map<string, Promise<DnsAnswer>>();
  readonly #ids = new IdSource();
  readonly #udp: UdpPool;
  readonly #limit: Gate;
  readonly #tcp: TcpPool;
  /** Per resolver, when qps is set. */
  readonly #rates: Map<ResolverAddress, RateLimiter> | undefined;
  /** Backoff waits in progress, so that close() can end them. */
  readonly #sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  readonly #stats: DnsClientStats = {
    queries: 0,
    sent: 0,
    retries: 0,
    timeouts: 0,
    retransmits: 0,
    tcpFallbacks: 0,
    cacheHits: 0,
    dropped: 0,
    throttled: 0,
    backoffMs: 0,
  };
  readonly #signals: CongestionSignals | undefined;
  /** Attempts overlap (the signals' learnt retransmit timeout); otherwise one after the other. */
  readonly #overlap: boolean;
  #rotation = 0;
  #closed = false;

  constructor(options: DnsClientOptions) {
    const {
      resolvers,
      timeoutMs,
      retries,
      sockets = 4,
      udpPayloadSize = 1232,
      maxCacheEntries = 50_000,
      maxInFlight = 512,
      qps = 0,
    } = options;
    if (resolvers.length === 0) throw new ConfigError('no DNS resolver given');
    if (options.loopbackOnly) {
      const outside = resolvers.find((r) => !isLoopback(r.host));
      if (outside) throw new ConfigError(`resolver ${formatResolver(outside)} is not a loopback address`);
    }
    checkInt('timeout', timeoutMs, 1, 600_000);
    checkInt('retries', retries, 0, 10);
    checkInt('sockets', sockets, 1, 64);
    checkInt('udpPayloadSize', udpPayloadSize, 512, 65535);
    checkInt('maxCacheEntries', maxCacheEntries, 0, 10_000_000);
    checkInt('maxInFlight', maxInFlight, 1, 60_000);
    // A fraction is allowed: `--jobs N` gives each child qps / N.
    if (!(Number.isFinite(qps) && qps >= 0 && qps <= 1_000_000))
      throw new ConfigError(`invalid qps ${qps}: expected a number from 0 to 1000000`);
    this.#resolvers = resolvers.map((r) => ({ ...r }));
    for (const r of this.#resolvers) this.#labels.set(r, formatResolver(r));
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#payload = udpPayloadSize;
    this.#random = options.random ?? Math.random;
    this.#signals = options.signals;
    this.#overlap = options.signals?.retransmitAfterMs !== undefined && options.signals.adaptive !== false;
    this.#now = options.now ?? (() => performance.now());
    this.#cache = new AnswerCache(maxCacheEntries, this.#now);
    this.#udp = new UdpPool(
      sockets,
      this.#ids,
      () => void this.#stats.dropped++,
      options.caseRandomisation ?? true,
    );
    this.#limit = createGate(maxInFlight);
    // The gate bounds what reaches the pool, so its queue can never overflow under this client.
    this.#tcp = new TcpPool({
      ids: this.#ids,
      onDrop: () => void this.#stats.dropped++,
      maxQueued: maxInFlight,
      // A reply stuck half-way is given up well inside the timeout, so that the queries queued
      // behind it on the same connection can still be sent again and answered in time.
      stallMs: Math.min(1000, Math.max(10, Math.round(timeoutMs / 4))),
      // A query sent again on another connection is one more packet under --qps.
      pace: (resolver) => this.#pace(resolver),
    });
    this.#rates = qps > 0 ? new Map(this.#resolvers.map((r) => [r, new RateLimiter(qps)])) : undefined;
  }

  /** Resolves with a status for every network outcome; it does not reject. The answer is the caller's own. */
  query(name: string, type: RecordType, opts: QueryOptions = {}): Promise<DnsAnswer> {
    const got = this.#query(name, type, opts, false);
    return got instanceof Promise ? got : Promise.resolve(got);
  }

  /**
   * query() for callers that only read the answer: one from the cache is the cache's own frozen
   * object (no copy per hit, TTLs as received rather than aged), returned synchronously;
   * otherwise a promise. Do not modify it.
   */
  lookup(name: string, type: RecordType, opts: QueryOptions = {}): DnsAnswer | Promise<DnsAnswer> {
    return this.#query(name, type, opts, true);
  }

  #query(
    name: string,
    type: RecordType,
    opts: QueryOptions,
    readOnly: boolean,
  ): DnsAnswer | Promise<DnsAnswer> {
    this.#stats.queries++;
    const started = this.#now();
    const normalised = normaliseName(name);
    // Only a configured resolver can be pinned: a query option never adds a destination.
    const pinned = opts.resolver ? this.#resolvers.find((r) => this.#label(r) === opts.resolver) : undefined;
    if (!normalised || this.#closed || (opts.resolver && !pinned)) {
      const status = normalised ? 'ERROR' : 'FORMERR';
      return Promise.resolve(
        this.#answer({ name: name.toLowerCase(), type }, status, undefined, '', 'udp', started),
      );
    }
    const space = querySpace(type, opts);
    const cached = this.#cache.get(space, normalised, !readOnly);
    if (cached) {
      this.#stats.cacheHits++;
      return readOnly ? cached : copyAnswer(cached);
    }
    const key = `${space} ${normalised}`;
    const leader = this.#inflight.get(key);
    if (leader) {
      this.#stats.cacheHits++;
      return leader.then((a) => ({
        ...copyAnswer(a),
        transport: 'cache',
        durationMs: this.#elapsed(started),
      }));
    }
    const question: Question = opts.subnet
      ? { name: normalised, type, ecs: opts.subnet }
      : { name: normalised, type };
    const promise = this.#resolve(
      question,
      started,
      space,
      pinned ? [pinned] : this.#resolvers,
      opts.shared === true,
      readOnly,
    ).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  stats(): DnsClientStats {
    return { ...this.#stats };
  }

  /**
   * Longest a query can take on the network before it settles: every attempt using its whole
   * timeout (a TCP fallback gets what its UDP exchange left of it) plus the longest backoff before
   * each retry. Waiting for a free slot (maxInFlight) or for the qps limit comes on top.
   */
  queryBudgetMs(): number {
    let backoff = 0;
    for (let attempt = 1; attempt <= this.#retries; attempt++) backoff += maxBackoffMs(attempt);
    return this.#timeoutMs * (this.#retries + 1) + backoff;
  }

  /** Closes every socket; queries in flight, waiting for a token or backing off resolve with status ERROR. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const limiter of this.#rates?.values() ?? []) limiter.close();
    for (const sleep of this.#sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    this.#sleeps.clear();
    this.#tcp.close();
    await this.#udp.close();
  }

  async #resolve(
    question: Question,
    started: number,
    space: string,
    resolvers: ResolverAddress[],
    shared: boolean,
    readOnly: boolean,
  ): Promise<DnsAnswer> {
    const query = encodeQuery(question.name, question.type, this.#payload, question.ecs);
    // A pinned resolver leaves the rotation of the others where it was.
    const first = resolvers === this.#resolvers ? this.#rotation++ % resolvers.length : 0;
    const { best, failure, resolver } = this.#overlap
      ? await this.#attemptsOverlapping(query, question, resolvers, first)
      : await this.#attemptsInTurn(query, question, resolvers, first);
    if (!best) return this.#answer(question, failure, undefined, this.#label(resolver), 'udp', started);
    const answer = this.#answer(
      question,
      best.response.status,
      best.response,
      this.#label(best.from),
      best.transport,
      started,
    );
    const cacheable = answer.status === 'NOERROR' || answer.status === 'NXDOMAIN';
    if (cacheable && !this.#closed) {
      // A caller who only reads shares its records with the cache (frozen): no copy.
      if (readOnly) freezeRecords(answer);
      this.#cache.set(space, question.name, answer, best.response.cacheTtl, shared);
    }
    return answer;
  }

  /** One attempt after the other, each waiting out its whole timeout (a fixed --timeout). */
  async #attemptsInTurn(
    query: Buffer,
    question: Question,
    resolvers: ResolverAddress[],
    first: number,
  ): Promise<Attempts> {
    let best: Best | undefined;
    let failure: Status = 'ERROR';
    let resolver = resolvers[first]!;
    /** The last attempt failed at once (no timeout spent): wait a little before the next. */
    let immediate = false;
    for (let attempt = 0; attempt <= this.#retries && !this.#closed; attempt++) {
      if (attempt > 0) {
        this.#stats.retries++;
        if (immediate) {
          await this.#backoff(attempt);
          if (this.#closed) break;
        }
      }
      resolver = resolvers[(first + attempt) % resolvers.length]!;
      // The UDP exchange writes each attempt's id into the buffer: a retry gets a buffer of its own.
      const got = await this.#attempt(
        resolver,
        attempt === 0 ? query : Buffer.from(query),
        question,
        attempt,
      );
      if (got.kind === 'timeout') {
        this.#stats.timeouts++;
        failure = 'TIMEOUT';
        immediate = false;
        continue;
      }
      if (got.kind === 'error') {
        failure = 'ERROR';
        immediate = true;
        continue;
      }
      immediate = !got.timedOut;
      best = { response: got.response, transport: got.transport, from: resolver };
      if (!(TRY_ELSEWHERE.has(got.response.status) && resolvers.length > 1)) break;
    }
    return { best, failure, resolver };
  }

  /**
   * The learnt timeout's attempts (--concurrency auto): the next attempt goes out when the newest
   * one has waited its retransmit time (signals.retransmitAfterMs) without an answer, and the
   * earlier ones keep listening until their own whole timeout, so that a late answer (DNS's long
   * tail) is used rather than dropped. The first answer that settles the question wins and ends
   * the others (ids freed, timers cleared). At most retries + 1 attempts, as in turn; a new one
   * also starts when the newest fails outright, times out or is answered with a status another
   * resolver may answer differently (TRY_ELSEWHERE), as in turn.
   */
  async #attemptsOverlapping(
    query: Buffer,
    question: Question,
    resolvers: ResolverAddress[],
    first: number,
  ): Promise<Attempts> {
    let best: Best | undefined;
    let failure: Status = 'ERROR';
    let resolver = resolvers[first]!;
    const live = new Set<Live>();
    let next = 0;
    let newest: Live | undefined;
    const events: Event[] = [];
    let wake: (() => void) | undefined;
    const push = (e: Event): void => {
      events.push(e);
      const w = wake;
      wake = undefined;
      w?.();
    };
    const launch = (immediate: boolean): void => {
      const attempt = next++;
      if (attempt > 0) this.#stats.retries++;
      resolver = resolvers[(first + attempt) % resolvers.length]!;
      const l: Live = { attempt, resolver, cancelled: false, onSoft: () => push({ soft: l }) };
      live.add(l);
      newest = l;
      void (async () => {
        if (immediate && attempt > 0) await this.#backoff(attempt);
        // The UDP exchange writes each attempt's id into the buffer: a retry gets a buffer of its own.
        const got =
          l.cancelled || this.#closed
            ? CLOSED
            : await this.#attempt(
                l.resolver,
                attempt === 0 ? query : Buffer.from(query),
                question,
                attempt,
                l,
              );
        push({ done: l, got });
      })();
    };
    const more = () => next <= this.#retries && !this.#closed;
    launch(false);
    while (live.size > 0) {
      if (events.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const e = events.shift()!;
      if ('soft' in e) {
        // Only the newest attempt's timer sends again, once, while attempts remain.
        if (e.soft === newest && live.has(e.soft) && more()) {
          this.#stats.retransmits++;
          launch(false);
        }
        continue;
      }
      const { done: l, got } = e;
      live.delete(l);
      if (l.cancelled) continue;
      if (got.kind === 'timeout') {
        this.#stats.timeouts++;
        failure = 'TIMEOUT';
        if (l === newest && more()) launch(false);
        continue;
      }
      if (got.kind === 'error') {
        failure = 'ERROR';
        if (l === newest && more()) launch(true);
        continue;
      }
      best = { response: got.response, transport: got.transport, from: l.resolver };
      if (!(TRY_ELSEWHERE.has(got.response.status) && resolvers.length > 1)) break;
      if (l === newest && more()) launch(!got.timedOut);
    }
    for (const l of live) {
      l.cancelled = true;
      l.cancel?.();
    }
    return { best, failure, resolver };
  }

  /**
   * One UDP exchange, and on TC=1 the same question over TCP to the same resolver, within what the
   * UDP exchange left of the attempt's timeout. `timedOut`: the TCP leg used it up.
   */
  async #attempt(
    resolver: ResolverAddress,
    query: Buffer,
    question: Question,
    attempt: number,
    live?: Live,
  ): Promise<AttemptResult> {
    let sentAt = 0;
    const send = (): Promise<Outcome> => {
      // Another attempt of the question won while this one waited for a slot or a token.
      if (live?.cancelled) return Promise.resolve(CLOSED);
      this.#stats.sent++;
      sentAt = performance.now();
      const signals = this.#signals;
      if (!signals) return this.#udp.exchange(resolver, query, question, this.#timeoutMs);
      const wait = signals.retransmitAfterMs?.(attempt, attempt === this.#retries) ?? this.#timeoutMs;
      // Overlapping attempts: wait the whole timeout, and say when to send the next one.
      const sent = live
        ? this.#udp.exchange(resolver, query, question, this.#timeoutMs, {
            softMs: wait,
            onSoft: live.onSoft,
            cancel: (cancel) => {
              live.cancel = cancel;
            },
          })
        : this.#udp.exchange(resolver, query, question, wait);
      const packet = signals.sent();
      return sent.then((o) => signalOutcome(signals, packet, o));
    };
    const udp = await this.#limit(() => {
      const go = this.#pace(resolver);
      if (go === true) return send();
      return go.then((ok) => (ok && !this.#closed ? send() : CLOSED));
    });
    if (udp.kind !== 'response') return udp;
    if (!udp.response.truncated || this.#closed || live?.cancelled)
      return { kind: 'response', response: udp.response, transport: 'udp' };
    this.#stats.tcpFallbacks++;
    const remaining = Math.max(1, Math.round(this.#timeoutMs - (performance.now() - sentAt)));
    const ask = () => this.#tcp.exchange(resolver, query, question, remaining);
    const tcp = await this.#limit(() => {
      const go = this.#pace(resolver);
      if (go === true) return ask();
      return go.then((ok) => (ok && !this.#closed ? ask() : CLOSED));
    });
    if (this.#closed) return CLOSED;
    if (tcp.kind === 'response' && !tcp.response.truncated)
      return { kind: 'response', response: tcp.response, transport: 'tcp' };
    if (tcp.kind === 'timeout') this.#stats.timeouts++;
    return {
      kind: 'response',
      response: { ...udp.response, status: 'TRUNCATED', cacheTtl: 0 },
      transport: 'udp',
      timedOut: tcp.kind === 'timeout',
    };
  }

  /** true: send now; otherwise wait for the resolver's rate limit (false: the client closed meanwhile). */
  #pace(resolver: ResolverAddress): true | Promise<boolean> {
    const limiter = this.#rates?.get(resolver);
    if (!limiter) return true;
    const go = limiter.take();
    if (go !== true) this.#stats.throttled++;
    return go;
  }

  /** Waits before retry `attempt` (see backoff.ts); close() cuts it short. */
  #backoff(attempt: number): Promise<void> {
    const ms = backoffMs(attempt, this.#random);
    this.#stats.backoffMs += ms;
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleep = {
        timer: setTimeout(() => {
          this.#sleeps.delete(sleep);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.#sleeps.add(sleep);
    });
  }

  #answer(
    question: Question,
    status: Status,
    response: ParsedResponse | undefined,
    resolver: string,
    transport: 'udp' | 'tcp',
    started: number,
  ): DnsAnswer {
    const answer: DnsAnswer = {
      name: question.name,
      type: question.type,
      status,
      answers: response?.answers ?? [],
      authority: response?.authority ?? [],
      resolver,
      transport,
      durationMs: this.#elapsed(started),
    };
    if (question.ecs) {
      answer.ecs = { subnet: question.ecs.text };
      if (response?.ecs) answer.ecs.scope = response.ecs.scope;
    }
    return answer;
  }

  #label(r: ResolverAddress): string {
    return this.#labels.get(r) ?? formatResolver(r);
  }

  #elapsed(started: number): number {
    return Math.max(0, Math.round(this.#now() - started));
  }
}

type Failure = Exclude<Outcome, { kind: 'response' }>;

type AttemptResult =
  | Failure
  | { kind: 'response'; response: ParsedResponse; transport: 'udp' | 'tcp'; timedOut?: boolean };

interface Best {
  response: ParsedResponse;
  transport: 'udp' | 'tcp';
  from: ResolverAddress;
}

/** What a question's attempts came to: the answer kept, or why there is none. */
interface Attempts {
  best: Best | undefined;
  failure: Status;
  /** The resolver of the last attempt (named in a failed answer). */
  resolver: ResolverAddress;
}

/** One attempt of a question in flight beside others (#attemptsOverlapping). */
interface Live {
  attempt: number;
  resolver: ResolverAddress;
  /** Another attempt won: this one is ended and its outcome ignored. */
  cancelled: boolean;
  /** Ends its UDP exchange (handed over by the pool once the exchange starts). */
  cancel?: () => void;
  /** Its retransmit time passed unanswered. */
  onSoft: () => void;
}

type Event = { soft: Live } | { done: Live; got: AttemptResult };

const CLOSED: Failure = Object.freeze({ kind: 'error', code: 'CLOSED' });

function checkInt(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`invalid ${what} ${value}: expected an integer from ${min} to ${max}`);
  }
}
