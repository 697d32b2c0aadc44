import { describe, expect, it } from 'vitest';
import { FailureCounts, overLimit, parseErrorLimit, sameWayWarning } from '../src/cli/run-health.js';
import type { DomainResult } from '../src/types.js';

const r = (domain: string, code?: string): DomainResult => ({
  domain,
  observations: {} as DomainResult['observations'],
  dependencies: [],
  risks: [],
  ...(code ? { error: { code, message: code } } : {}),
});

function counts(codes: (string | undefined)[]): FailureCounts {
  const c = new FailureCounts();
  for (const [i, code] of codes.entries()) c.add(r(`d${i}.example`, code));
  return c;
}

describe('--fail-on-errors', () => {
  it('parses N and P%, refuses anything else', () => {
    expect(parseErrorLimit('5')).toMatchObject({ count: 5 });
    expect(parseErrorLimit('12.5%')).toMatchObject({ percent: 12.5 });
    for (const bad of ['-1', '101%', 'half', '5 %', ''])
      expect(() => parseErrorLimit(bad), bad).toThrow(/invalid --fail-on-errors/);
  });

  it('fails only past the limit: exactly half is not more than half', () => {
    const half = counts(['TIMEOUT', undefined]);
    expect(overLimit(half, parseErrorLimit('50%'))).toBe(false);
    expect(overLimit(counts(['TIMEOUT', 'TIMEOUT', undefined]), parseErrorLimit('50%'))).toBe(true);
    expect(overLimit(counts(['NXDOMAIN', 'NXDOMAIN']), parseErrorLimit('2'))).toBe(false);
    expect(overLimit(counts(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']), parseErrorLimit('2'))).toBe(true);
    expect(overLimit(counts([undefined]), parseErrorLimit('0'))).toBe(false);
  });

  it('a policy refusal or a crashed worker is not a network failure', () => {
    const c = counts(['PRIVATE_ADDRESS', 'WORKER_FAILED', undefined]);
    expect(c.failed).toBe(0);
    expect(overLimit(c, parseErrorLimit('0'))).toBe(false);
  });
});

describe('the same-way warning', () => {
  const flag = [{ resolver: '127.0.0.1:53', source: 'flag' as const, asked: 6, answered: 6 }];

  it('names the code, the share and the resolver when most failed one way', () => {
    expect(sameWayWarning(counts(['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN']), flag)).toBe(
      'singlepath: warning: the resolver 127.0.0.1:53 answered NXDOMAIN for 3 of 3: is it the right resolver?\n',
    );
  });

  it('says nothing when failures are few or varied', () => {
    expect(sameWayWarning(counts(['NXDOMAIN', undefined, undefined]), flag)).toBeUndefined();
    expect(sameWayWarning(counts(['NXDOMAIN', 'TIMEOUT', 'SERVFAIL', undefined]), flag)).toBeUndefined();
  });

  it('a timeout with every DNS question answered is not blamed on the resolver', () => {
    expect(sameWayWarning(counts(['TIMEOUT', 'TIMEOUT']), flag)).toMatch(/every DNS question answered/);
    const silent = [{ ...flag[0]!, answered: 0 }];
    expect(sameWayWarning(counts(['TIMEOUT', 'TIMEOUT']), silent)).toMatch(
      /can this machine reach the resolver\?/,
    );
  });
});
