import type { Catalogue, SignalMatch } from '../catalogue/catalogue.js';

// The catalogue's host and address matching is pure (its rules never change after loading), and
// in a long run the same name servers, mail hosts and their addresses come back for domain after
// domain: their matches are remembered per catalogue. Bounded: a full memo starts over.

const MAX_ENTRIES = 16_384;

type HostKind = 'cname' | 'ns' | 'mx' | 'spf' | 'dmarc';
type AddressMatch = Omit<SignalMatch, 'value'> | null;

// Keyed without building a key string per call (a concatenation is flattened to be hashed).
interface Memo {
  hosts: Record<HostKind, Map<string, SignalMatch | null>>;
  /** By address; the ASN it was matched with rides along (it comes from the ASN data, so it rarely varies). */
  addresses: Map<string, { asn: number | undefined; match: AddressMatch }>;
}

const memos = new WeakMap<Catalogue, Memo>();

function memoOf(catalogue: Catalogue): Memo {
  let memo = memos.get(catalogue);
  if (!memo) {
    memo = {
      hosts: { cname: new Map(), ns: new Map(), mx: new Map(), spf: new Map(), dmarc: new Map() },
      addresses: new Map(),
    };
    memos.set(catalogue, memo);
  }
  return memo;
}

/** catalogue.matchHost, remembered. The match is shared: read it, do not change it. */
export function matchHost(catalogue: Catalogue, kind: HostKind, host: string): SignalMatch | null {
  const hosts = memoOf(catalogue).hosts[kind];
  let found = hosts.get(host);
  if (found === undefined) {
    found = catalogue.matchHost(kind, host);
    if (hosts.size >= MAX_ENTRIES) hosts.clear();
    hosts.set(host, found);
  }
  return found;
}

/** catalogue.matchAddress, remembered. The match is shared: read it, do not change it. */
export function matchAddress(catalogue: Catalogue, ip: string, asn: number | undefined): AddressMatch {
  const { addresses } = memoOf(catalogue);
  const known = addresses.get(ip);
  if (known && known.asn === asn) return known.match;
  const match = catalogue.matchAddress(ip, asn);
  if (!known && addresses.size >= MAX_ENTRIES) addresses.clear();
  addresses.set(ip, { asn, match });
  return match;
}
