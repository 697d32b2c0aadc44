// The bench lab's network model (issue 19): what a real resolver across the internet does to a
// query. Each one is lost (no answer at all), refused or dropped past the resolver's rate limit,
// or answered after a delay drawn from a log-normal distribution, the long tail of real round
// trips. Randomness is seeded, so two runs of the same settings see the same network.

export interface NetworkSpec {
  /** Median answer delay, ms. */
  medianMs: number;
  /** 99th percentile of the delay, ms (sets the log-normal's sigma). */
  p99Ms: number;
  /** Share of queries that get no answer (0.01 = 1%). */
  loss: number;
  /** Queries a second the resolver answers; past it `rateAction` (0 = no limit). */
  rateLimit: number;
  /** What the resolver does past its rate: answer REFUSED, or drop the query silently. */
  rateAction: 'refuse' | 'drop';
  seed: number;
}

export const LOSSY: NetworkSpec = {
  medianMs: 30,
  p99Ms: 400,
  loss: 0.01,
  rateLimit: 2000,
  rateAction: 'drop',
  seed: 19,
};

export type Verdict =
  | { kind: 'answer'; delayMs: number }
  | { kind: 'lost' }
  | { kind: 'refuse' }
  | { kind: 'drop' };

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.326;

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Delays in ms with the given median and 99th percentile: median × e^(sigma·z), z ~ N(0, 1). */
export function logNormal(medianMs: number, p99Ms: number, random: () => number): () => number {
  const sigma = Math.log(p99Ms / medianMs) / Z99;
  return () => {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return medianMs * Math.exp(sigma * z);
  };
}

/**
 * The resolver's rate limit: at most `qps` queries in each second (a fixed window, as Unbound's
 * ratelimit and BIND's RRL count them); the rest of that second is refused or dropped.
 */
function rateGate(qps: number, now: () => number): () => boolean {
  if (!(qps > 0)) return () => true;
  let second = Number.NEGATIVE_INFINITY;
  let used = 0;
  return () => {
    const s = Math.floor(now() / 1000);
    if (s !== second) {
      second = s;
      used = 0;
    }
    return ++used <= qps;
  };
}

/** The fate of each query in turn; `now` in ms (performance.now by default). */
export function createNetwork(spec: NetworkSpec, now: () => number = () => performance.now()): () => Verdict {
  const random = seededRandom(spec.seed);
  const delay = logNormal(spec.medianMs, spec.p99Ms, random);
  const admit = rateGate(spec.rateLimit, now);
  return () => {
    // Lost on the way there or back: the resolver's rate never sees the difference.
    if (random() < spec.loss) return { kind: 'lost' };
    if (!admit()) return { kind: spec.rateAction };
    return { kind: 'answer', delayMs: delay() };
  };
}
