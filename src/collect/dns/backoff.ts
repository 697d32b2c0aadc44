/**
 * Wait before a retry that follows an immediate failure (SERVFAIL/REFUSED/TRUNCATED from one of
 * several resolvers, a connection refused): exponential from BACKOFF_BASE_MS, capped at
 * BACKOFF_CAP_MS, with "equal jitter" (a random half of it dropped) so that the queries of a
 * run that failed together do not come back together. A retry after a timeout does not wait:
 * the timeout already spaced it at least as far as any backoff would.
 */
export const BACKOFF_BASE_MS = 50;
export const BACKOFF_CAP_MS = 1000;

/** The most retry `attempt` (1 = the first retry) can wait. */
export function maxBackoffMs(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1), BACKOFF_CAP_MS);
}

/** Whole milliseconds in [0.5, 1] × maxBackoffMs(attempt); `random` returns [0, 1) like Math.random. */
export function backoffMs(attempt: number, random: () => number): number {
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(maxBackoffMs(attempt) * (0.5 + r / 2));
}
