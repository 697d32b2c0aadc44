// The shape of the DNS-checks bench world (scripts/bench/checks-child.ts serves it).

export const PROVIDERS = 8;
export const ROOT_IP = '198.41.0.4';
export const TLD_IP = '192.5.6.30';
/** A provider's server address: a label only, routed to a loopback port by the bench. */
export const providerIp = (i: number, n: 1 | 2) => `100.64.${i}.${n}`;
export const zoneName = (k: number) => `z${k}.com`;
/** Names audited per zone. */
export const NAMES_PER_ZONE = ['www.', '', 'api.'];
