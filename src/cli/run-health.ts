import { InputError } from '../errors.js';
import type { DomainResult, ResolverUse } from '../types.js';

// Whether a run can be trusted: how many domains failed for network reasons, and whether most
// failed the same way (the wrong resolver, no route to it). A run where the network failed is a
// failed run (exit 2), not a clean one.

/** Failures that say nothing about the network: a policy refusal, a crashed worker (reported apart). */
const NOT_NETWORK = new Set(['PRIVATE_ADDRESS', 'WORKER_FAILED']);

export class FailureCounts {
  total = 0;
  failed = 0;
  readonly byCode = new Map<string, number>();

  add(r: DomainResult): void {
    this.total++;
    const code = r.error ? String(r.error.code) : undefined;
    if (!code || NOT_NETWORK.has(code)) return;
    this.failed++;
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
  }

  /** "NXDOMAIN 3, TIMEOUT 1": most frequent first. */
  codes(): string {
    return [...this.byCode]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
  }
}

/** `--fail-on-errors N` (more than N domains) or `P%` (more than P percent of them). */
export interface ErrorLimit {
  count?: number;
  percent?: number;
  text: string;
}

export const DEFAULT_ERROR_LIMIT: ErrorLimit = { percent: 50, text: '50%' };

export function parseErrorLimit(value: string): ErrorLimit {
  const v = value.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(v);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent <= 100) return { percent, text: v };
  } else if (/^\d+$/.test(v)) return { count: Number(v), text: v };
  throw new InputError(
    `invalid --fail-on-errors "${value}": expected a number of domains (5) or a percentage from 0% to 100% (50%)`,
  );
}

export function overLimit(c: FailureCounts, limit: ErrorLimit): boolean {
  if (c.failed === 0) return false;
  if (limit.count !== undefined) return c.failed > limit.count;
  return (100 * c.failed) / c.total > (limit.percent ?? 50);
}

/** The line saying a run failed its --fail-on-errors limit. */
export function overLimitLine(c: FailureCounts, limit: ErrorLimit, given: boolean): string {
  return (
    `singlepath: ${c.failed} of ${c.total} domains failed for network reasons (${c.codes()}), ` +
    `more than ${given ? '--fail-on-errors ' : 'the default --fail-on-errors '}${limit.text}: ` +
    'this run is not to be trusted (exit 2)\n'
  );
}

const QUESTION: Record<string, (n: string, resolvers: string) => string> = {
  NXDOMAIN: (n, r) => `the resolver${r} answered NXDOMAIN for ${n}: is it the right resolver?`,
  REFUSED: (n, r) =>
    `the resolver${r} answered REFUSED for ${n}: is it the right resolver, and does it serve this machine?`,
  SERVFAIL: (n, r) =>
    `the resolver${r} answered SERVFAIL for ${n}: is it the right resolver, and can it reach the Internet?`,
  TIMEOUT: (n, r) =>
    `no answer in time (TIMEOUT) for ${n}${r ? ` from${r}` : ''}: can this machine reach the resolver?`,
};

/** A warning when most domains failed with one code; undefined otherwise. */
export function sameWayWarning(c: FailureCounts, resolvers: readonly ResolverUse[]): string | undefined {
  let worst: [string, number] | undefined;
  for (const entry of c.byCode) if (!worst || entry[1] > worst[1]) worst = entry;
  if (!worst || 2 * worst[1] <= c.total) return undefined;
  const [code, n] = worst;
  const names = resolvers.length ? ` ${resolvers.map((r) => r.resolver).join(', ')}` : '';
  const count = `${n} of ${c.total}`;
  // A timeout with every DNS question answered is the web probes': not the resolver's fault.
  const dnsAnswered = resolvers.length > 0 && resolvers.every((r) => r.answered === r.asked);
  const text =
    code === 'TIMEOUT' && dnsAnswered
      ? `no answer in time (TIMEOUT) for ${count}, with every DNS question answered: is --timeout long enough, and can this machine reach the web servers?`
      : (QUESTION[code]?.(count, names) ?? `${count} domains failed the same way (${code})`);
  return `singlepath: warning: ${text}\n`;
}

/** "resolver 127.0.0.1:53 (--resolver) answered 212 of 226 questions". */
export function resolverLine(resolvers: readonly ResolverUse[]): string {
  return resolvers
    .map(
      (r) =>
        `resolver ${r.resolver} (${r.source === 'flag' ? '--resolver' : '/etc/resolv.conf'}) answered ${r.answered} of ${r.asked}`,
    )
    .join(', ');
}
