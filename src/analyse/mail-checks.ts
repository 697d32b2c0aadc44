import type { Finding, Observation } from '../types.js';

// The SPF policy as a receiver evaluates it (RFC 7208): a policy past its 10 DNS lookups, two
// policies at once, or an include: naming a domain with no policy is a permerror, and receivers
// that enforce SPF then treat every message of the domain as failing it, whichever sender it took.

export function mailFindings(obs: Observation): Omit<Finding, 'message'>[] {
  const spf = obs.dns.spf;
  if (!spf) return [];
  const base = { kind: 'spf-permerror', severity: 'medium', layer: 'email' } as const;
  if (spf.error === 'too-many-lookups')
    return [{ ...base, args: { direction: 'outbound', reason: 'too-many-lookups', lookups: spf.lookups } }];
  if (spf.error === 'multiple-policies')
    return [
      { ...base, args: { direction: 'outbound', reason: 'multiple-policies', domain: obs.dns.mailDomain } },
    ];
  const broken = spf.includes.find((i) => i.status === 'NXDOMAIN' || i.error !== undefined);
  if (spf.record && broken)
    return [
      {
        ...base,
        args: {
          direction: 'outbound',
          reason: broken.error === 'multiple-policies' ? 'multiple-policies' : 'no-policy',
          domain: broken.domain,
        },
      },
    ];
  return [];
}
