import { isIPv4 } from 'node:net';
import type { AddressInfo, DnsAnswer, DnsRecord, HostAddresses, RecordType, Status } from '../../types.js';

/** `shared`: a hint that other domains will ask the same (the cache keeps such answers longer). */
export type Ask = (name: string, type: RecordType, shared?: boolean) => Promise<DnsAnswer>;

/**
 * Records of a type owned by the asked name or by a name its CNAME chain in the same answer
 * leads to; anything else in the section is not an answer to our question.
 */
export function recordsOf(answer: DnsAnswer, type: RecordType): DnsRecord[] {
  // Most answers hold no CNAME: the owner set is just the asked name.
  if (!answer.answers.some((r) => r.type === 'CNAME'))
    return answer.answers.filter((r) => r.type === type && r.name === answer.name);
  const owners = new Set([answer.name]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of answer.answers) {
      if (r.type === 'CNAME' && owners.has(r.name) && !owners.has(r.data)) {
        owners.add(r.data);
        grew = true;
      }
    }
  }
  return answer.answers.filter((r) => r.type === type && owners.has(r.name));
}

export function addressesOf(answers: DnsAnswer[]): AddressInfo[] {
  const seen = new Map<string, AddressInfo>();
  for (const a of answers) {
    if (a.status !== 'NOERROR') continue;
    for (const r of recordsOf(a, a.type)) {
      if (r.type === 'A' || r.type === 'AAAA')
        seen.set(r.data, { ip: r.data, family: r.type === 'A' ? 4 : 6 });
    }
  }
  return [...seen.values()].sort(compareAddresses);
}

/** NOERROR when addresses were found, else the first failure, else NO_ADDRESS (the name has none). */
export function addressStatus(answers: DnsAnswer[], addresses: AddressInfo[]): Status {
  if (addresses.length > 0) return 'NOERROR';
  return answers.find((a) => a.status !== 'NOERROR')?.status ?? 'NO_ADDRESS';
}

/** A and AAAA of a host (NS or MX target), asked in parallel. */
export async function resolveHost(host: string, ask: Ask): Promise<HostAddresses> {
  const answers = await Promise.all([ask(host, 'A', true), ask(host, 'AAAA', true)]);
  const addresses = addressesOf(answers);
  return { host, status: addressStatus(answers, addresses), addresses };
}

/** IPv4 before IPv6, then numeric order, so that snapshots diff cleanly. */
export function compareAddresses(a: AddressInfo, b: AddressInfo): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.ip === b.ip) return 0;
  const x = sortKey(a.ip);
  const y = sortKey(b.ip);
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortKey(ip: string): string {
  if (isIPv4(ip))
    return ip
      .split('.')
      .map((p) => p.padStart(3, '0'))
      .join('.');
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}
