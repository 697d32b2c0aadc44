import type { ResolverUse } from '../types.js';
import type { DnsClient } from './dns/client.js';
import { formatResolver, type ResolverAddress } from './dns/resolver-address.js';

// Which resolvers a run actually asked and how many of their questions got an answer, so that a
// document says later who answered (or that nobody did), whether the resolvers came from
// --resolver or from /etc/resolv.conf.

/** A reply of any rcode is an answer; a timeout or a socket error is not. */
const UNANSWERED = new Set(['TIMEOUT', 'ERROR']);

export class ResolverTally {
  readonly #use = new Map<string, ResolverUse>();

  constructor(resolvers: readonly ResolverAddress[], source: ResolverUse['source']) {
    for (const r of resolvers) {
      const resolver = formatResolver(r);
      this.#use.set(resolver, { resolver, source, asked: 0, answered: 0 });
    }
  }

  count(resolver: string, status: string): void {
    const use = this.#use.get(resolver);
    if (!use) return;
    use.asked++;
    if (!UNANSWERED.has(status)) use.answered++;
  }

  list(): ResolverUse[] {
    return [...this.#use.values()].map((u) => ({ ...u }));
  }

  /**
   * Counts every question `client` sends to the network (answers from its cache or joined to a
   * question in flight are not asked again). The client's own methods are wrapped on the instance.
   */
  watch(client: DnsClient): void {
    const count = (a: { resolver: string; status: string }) => this.count(a.resolver, a.status);
    const wrap = <F extends DnsClient['query'] | DnsClient['lookup']>(fn: F): F =>
      ((...args: Parameters<F>) => {
        const hits = client.stats().cacheHits;
        const got = fn.apply(client, args);
        if (client.stats().cacheHits !== hits) return got;
        if (got instanceof Promise)
          return got.then((a) => {
            count(a);
            return a;
          });
        count(got);
        return got;
      }) as F;
    client.query = wrap(client.query);
    client.lookup = wrap(client.lookup);
  }
}

/** The sum of several processes' tallies, by resolver. */
export function addResolverUse(lists: readonly (readonly ResolverUse[] | undefined)[]): ResolverUse[] {
  const total = new Map<string, ResolverUse>();
  for (const list of lists)
    for (const u of list ?? []) {
      const t = total.get(u.resolver);
      if (t) {
        t.asked += u.asked;
        t.answered += u.answered;
      } else total.set(u.resolver, { ...u });
    }
  return [...total.values()];
}
