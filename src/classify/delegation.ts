import { isIPv4 } from 'node:net';
import type { AddressInfo, DelegationObservation, HostAddresses, NsServerCheck } from '../types.js';

// What the direct checks of a zone mean for its DNS dependencies: which name servers are a
// working path (delegated by the parent, authoritative, in step with the others) and which are
// not, and why. Pure: the same observation always gives the same judgement.

/**
 * How one server address answered: `ok` is the only state that makes a path. `unchecked`: it
 * could not be asked from here (no IPv6 route on an IPv4-only network, an address the run may not
 * send to): no verdict either way.
 */
export type ServerState = 'ok' | 'lame' | 'unreachable' | 'out-of-sync' | 'unchecked';

/**
 * One NS name's state: `ok` when delegated and at least one of its addresses is `ok`; `unchecked`
 * when none of its addresses could be asked (the resolver's view stands for it: it counts).
 */
export type NameState =
  | 'ok'
  | 'lame'
  | 'unreachable'
  | 'out-of-sync'
  | 'undelegated'
  | 'unresolvable'
  | 'unchecked';

export interface JudgedServer {
  server: NsServerCheck;
  state: ServerState;
  /** For a server that is not ok: how it failed ("REFUSED", "not authoritative", "serial 3, not 5"). */
  why?: string;
}

export interface DelegationJudgement {
  /** The newest serial any authoritative server gave (RFC 1982 order; per primary for the verdicts). */
  serial?: number;
  /** The answer most servers in step gave for the audited name. */
  answer?: string;
  servers: JudgedServer[];
  names: Map<string, NameState>;
  /** NS names that make a working path, with the addresses that answered well (for classification). */
  usable: HostAddresses[];
  /** Servers in step and counted, whose answer for the audited name is not most servers' one. */
  answerDiffers: JudgedServer[];
}

/** RFC 1982 serial number arithmetic: is `a` newer than `b`? */
export function serialNewer(a: number, b: number): boolean {
  return a !== b && ((a > b && a - b < 2 ** 31) || (a < b && b - a > 2 ** 31));
}

const judged = new WeakMap<DelegationObservation, DelegationJudgement>();

/**
 * Judges a checked zone; null when the checks did not run or did not reach the zone (the
 * resolver's view then stands). Remembered per observation object (classification and the
 * findings both ask).
 */
export function judgeDelegation(
  d: DelegationObservation | undefined,
  resolverAnswer?: string,
): DelegationJudgement | null {
  if (d?.status !== 'OK') return null;
  const known = judged.get(d);
  if (known) return known;
  const authoritative = d.servers.filter((s) => s.authoritative);
  // Serials are compared only among servers fed from one primary (the same SOA MNAME): providers
  // kept in step through their APIs each number their own copy (Route 53 always serves 1).
  const newest = new Map<string, number>();
  for (const s of authoritative) {
    if (s.serial === undefined) continue;
    const group = s.soaMname ?? '';
    const top = newest.get(group);
    if (top === undefined || serialNewer(s.serial, top)) newest.set(group, s.serial);
  }
  const serialOf = (s: NsServerCheck) => newest.get(s.soaMname ?? '');
  let serial: number | undefined;
  for (const v of newest.values()) if (serial === undefined || serialNewer(v, serial)) serial = v;
  const current = authoritative.filter((s) => s.serial === undefined || s.serial === serialOf(s));
  const answer = referenceAnswer(current, resolverAnswer);
  const answerDiffers: JudgedServer[] = [];
  const servers: JudgedServer[] = d.servers.map((s) => {
    if (s.status === 'SKIPPED') return { server: s, state: 'unchecked' };
    if (s.status === 'TIMEOUT' || s.status === 'ERROR')
      return {
        server: s,
        state: 'unreachable',
        why: s.status === 'TIMEOUT' ? 'no answer (TIMEOUT)' : 'could not be asked (ERROR)',
      };
    if (!s.authoritative)
      return {
        server: s,
        state: 'lame',
        why: s.status === 'NOERROR' ? 'not authoritative for the zone' : s.status,
      };
    const top = serialOf(s);
    if (top !== undefined && s.serial !== undefined && s.serial !== top)
      return { server: s, state: 'out-of-sync', why: `serial ${s.serial}, not ${top}` };
    // Another answer for the name may be by design (geo steering, weighted or multivalue
    // records): reported, but the server still counts.
    if (answer !== undefined && s.answer !== undefined && s.answer !== answer)
      answerDiffers.push({ server: s, state: 'ok', why: `answers ${s.answer}, not ${answer}` });
    return { server: s, state: 'ok' };
  });
  const names = new Map<string, NameState>();
  const usable: HostAddresses[] = [];
  for (const n of d.names) {
    const mine = servers.filter((j) => j.server.host === n.host);
    let state: NameState;
    if (n.addresses.length === 0) state = 'unresolvable';
    else if (mine.some((j) => j.state === 'ok')) state = n.parent ? 'ok' : 'undelegated';
    // None of its addresses could be asked (from here, or past the per-zone budget): no verdict.
    else if (mine.every((j) => j.state === 'unchecked')) state = n.parent ? 'unchecked' : 'undelegated';
    else state = worst(mine.map((j) => j.state));
    names.set(n.host, state);
    if (state !== 'ok' && state !== 'unchecked') continue;
    const asked = mine.filter((j) => j.state === state);
    const addresses: AddressInfo[] = asked.length
      ? asked.map(({ server: s }) => {
          const a: AddressInfo = { ip: s.ip, family: isIPv4(s.ip) ? 4 : 6 };
          if (s.asn !== undefined) a.asn = s.asn;
          if (s.asnOrg !== undefined) a.asnOrg = s.asnOrg;
          return a;
        })
      : n.addresses.map((ip) => ({ ip, family: isIPv4(ip) ? 4 : 6 }) as AddressInfo);
    usable.push({ host: n.host, status: 'NOERROR', addresses });
  }
  const out: DelegationJudgement = { servers, names, usable, answerDiffers };
  if (serial !== undefined) out.serial = serial;
  if (answer !== undefined) out.answer = answer;
  judged.set(d, out);
  return out;
}

/** The majority answer; a tie goes to the one the resolver gave, else the first in order. */
function referenceAnswer(servers: NsServerCheck[], resolverAnswer?: string): string | undefined {
  const counts = new Map<string, number>();
  for (const s of servers) if (s.answer !== undefined) counts.set(s.answer, (counts.get(s.answer) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  const top = Math.max(...counts.values());
  const best = [...counts].filter(([, c]) => c === top).map(([a]) => a);
  if (resolverAnswer !== undefined && best.includes(resolverAnswer)) return resolverAnswer;
  return best.sort()[0];
}

const ORDER: readonly NameState[] = ['out-of-sync', 'lame', 'unreachable'];

function worst(states: ServerState[]): NameState {
  for (const s of ORDER) if (states.includes(s as ServerState)) return s;
  return 'unreachable';
}

/** The resolver's answer for the name in the form the servers' answers are digested in. */
export function resolverDigest(cnames: readonly string[], addresses: readonly AddressInfo[]): string {
  if (cnames.length > 0) return `CNAME ${cnames[0]}`;
  const v4 = addresses.filter((a) => a.family === 4).map((a) => a.ip);
  return v4.length ? [...v4].sort().join(' ') : 'NODATA';
}
