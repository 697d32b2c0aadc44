import type { DnsAnswer, RecordType } from '../types.js';
import type { Ask } from './dns/hosts.js';

/** One question to the client; an answer from its cache may come back synchronously. */
export type Lookup = (name: string, type: RecordType, shared?: boolean) => DnsAnswer | Promise<DnsAnswer>;

export interface Deadline {
  ask: Ask;
  /** Questions passed on to the lookup (not those answered TIMEOUT at once, past the deadline). */
  readonly asked: number;
  /** Clears the timer: call it when the observation ends. */
  stop(): void;
}

/**
 * A wall-clock bound for one observation (a domain, a vantage). Past it, questions still open
 * and any later ones answer TIMEOUT at once, so a resolver that answers every question just
 * inside its timeout cannot hold a domain for minutes. A question the lookup has sent goes on to
 * its own timeout (and may still fill the cache); only the waiting for it stops.
 */
export function withDeadline(lookup: Lookup, deadlineMs: number): Deadline {
  const started = performance.now();
  let asked = 0;
  let expired = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      expired = true;
      resolve();
    }, deadlineMs);
  });
  const timedOut = (name: string, type: RecordType): DnsAnswer => ({
    name: name.toLowerCase().replace(/\.$/, ''),
    type,
    status: 'TIMEOUT',
    answers: [],
    authority: [],
    resolver: '',
    transport: 'udp',
    durationMs: Math.round(performance.now() - started),
  });
  const ask: Ask = (name, type, shared) => {
    if (expired) return Promise.resolve(timedOut(name, type));
    asked++;
    const got = lookup(name, type, shared);
    // A cached answer (most of them in a long run) needs no race with the deadline.
    if (!(got instanceof Promise)) return Promise.resolve(got);
    return Promise.race([got, deadline.then(() => timedOut(name, type))]);
  };
  return {
    ask,
    get asked() {
      return asked;
    },
    stop: () => clearTimeout(timer),
  };
}
